/** The topics port over @aws-sdk/client-sns: find/create a topic, list (paged) and add subscriptions. */
import {OperationError} from '../../errors.js'
import type {Subscription, TopicsPort} from '../../monitor/ports.js'
import type {AwsClientConfig} from './client-config.js'
import {awsSdk} from './sdk.js'

type AwsFactory = <C extends {destroy(): void}>(Ctor: new (config: AwsClientConfig) => C) => Promise<C>

function awsError(op: string, error: unknown): never {
  const e = error as {name?: string; message?: string}
  throw new OperationError(`SNS ${op} failed: ${e.name}: ${e.message}`, {code: 'E_AWS', hint: 'Check the network and the sns:* permissions of your AWS identity.', cause: error})
}

export async function createTopicsPort(aws: AwsFactory): Promise<TopicsPort> {
  const sdk = awsSdk('@aws-sdk/client-sns')
  const client = await aws(sdk.SNSClient)
  return {
    async find(name) {
      try {
        for await (const page of sdk.paginateListTopics({client}, {})) {
          const hit = (page.Topics ?? []).find((t) => t.TopicArn?.split(':').at(-1) === name)
          if (hit?.TopicArn) return hit.TopicArn
        }
      } catch (error) {
        awsError('ListTopics', error)
      }
      return undefined
    },
    async create(name) {
      const r = await client.send(new sdk.CreateTopicCommand({Name: name})).catch((e: unknown) => awsError('CreateTopic', e))
      return r.TopicArn ?? ''
    },
    async subscriptions(topicArn) {
      const out: Subscription[] = []
      try {
        for await (const page of sdk.paginateListSubscriptionsByTopic({client}, {TopicArn: topicArn})) {
          for (const s of page.Subscriptions ?? []) {
            const confirmed = Boolean(s.SubscriptionArn?.startsWith('arn:'))
            out.push({protocol: s.Protocol ?? '', endpoint: s.Endpoint ?? '', confirmed, ...(confirmed ? {arn: s.SubscriptionArn} : {})})
          }
        }
      } catch (error) {
        awsError('ListSubscriptionsByTopic', error)
      }
      return out
    },
    async subscribe(topicArn, protocol, endpoint) {
      const r = await client.send(new sdk.SubscribeCommand({TopicArn: topicArn, Protocol: protocol, Endpoint: endpoint})).catch((e: unknown) => awsError('Subscribe', e))
      const confirmed = Boolean(r.SubscriptionArn?.startsWith('arn:'))
      return {protocol, endpoint, confirmed, ...(confirmed ? {arn: r.SubscriptionArn} : {})}
    },
  }
}
