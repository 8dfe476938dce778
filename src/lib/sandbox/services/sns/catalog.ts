/**
 * What the SNS emulation models (see ../../catalog.ts; SPEC.md beside it). Parameters are checked
 * by each handler. Add an operation with one line here.
 */
import type {ServiceCatalog} from '../../catalog.js'

const ANY = {params: ['*'], note: 'parameters checked by the handler'}

export const snsCatalog: ServiceCatalog = {
  title: 'Amazon SNS',
  protocol: 'aws-query',
  reference: 'https://docs.aws.amazon.com/sns/latest/api/',
  operations: {
    CreateTopic: ANY,
    DeleteTopic: ANY,
    ListTopics: ANY,
    GetTopicAttributes: ANY,
    Subscribe: ANY,
    ConfirmSubscription: {params: ['*'], note: 'also the confirmation link delivered to the mail sink'},
    Unsubscribe: ANY,
    ListSubscriptionsByTopic: ANY,
    ListSubscriptions: ANY,
    Publish: {params: ['*'], note: 'email to the sandbox mail sink, http/https to the endpoint'},
  },
  refused: ['SetTopicAttributes', 'CreatePlatformApplication', 'PublishBatch', 'TagResource'],
}
