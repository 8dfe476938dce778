/**
 * CloudWatch Logs, alarms and SNS in the sandbox, through the real SDK clients over HTTP.
 */
import {CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DescribeLogGroupsCommand, DescribeMetricFiltersCommand, FilterLogEventsCommand, PutLogEventsCommand, PutMetricFilterCommand, PutRetentionPolicyCommand, paginateFilterLogEvents} from '@aws-sdk/client-cloudwatch-logs'
import {CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmsCommand, PutMetricAlarmCommand, SetAlarmStateCommand} from '@aws-sdk/client-cloudwatch'
import {InvokeCommand, LambdaClient} from '@aws-sdk/client-lambda'
import {ConfirmSubscriptionCommand, CreateTopicCommand, ListSubscriptionsByTopicCommand, PublishCommand, SubscribeCommand} from '@aws-sdk/client-sns'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {awsTestConfig, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

let sb: TestSandbox
let logs: CloudWatchLogsClient
let cw: CloudWatchClient
let sns: SNSClientT
type SNSClientT = import('@aws-sdk/client-sns').SNSClient
beforeAll(async () => {
  sb = await startTestSandbox()
  const {SNSClient} = await import('@aws-sdk/client-sns')
  logs = new CloudWatchLogsClient(awsTestConfig(sb.url))
  cw = new CloudWatchClient(awsTestConfig(sb.url))
  sns = new SNSClient(awsTestConfig(sb.url))
})
afterAll(async () => {
  logs.destroy()
  cw.destroy()
  sns.destroy()
  await sb.stop()
})

async function mail(): Promise<{to: string[]; raw: string}[]> {
  return ((await (await fetch(`${sb.url}/mail/messages`)).json()) as {messages: {to: string[]; raw: string}[]}).messages
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await f()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe('CloudWatch Logs', () => {
  it('pages a window that starts before the retention period without invalidating its nextToken', async () => {
    // The retention start moves with the clock; the token must stay bound to the request, not to it.
    const now = Date.now()
    let pages = 0
    let count = 0
    for await (const page of paginateFilterLogEvents({client: logs}, {logGroupName: '/aws/lambda/impress-pdf', startTime: now - 400 * 86_400_000, endTime: now, limit: 500})) {
      pages++
      count += page.events?.length ?? 0
      await new Promise((r) => setTimeout(r, 5))
      if (pages >= 4) break
    }
    expect(pages).toBe(4)
    expect(count).toBeGreaterThan(1000)
  })

  it('serves a week of demo history in time order, in small pages, every event once', async () => {
    const now = Date.now()
    const seen = new Set<string>()
    let last = 0
    let pages = 0
    let count = 0
    for await (const page of paginateFilterLogEvents({client: logs}, {logGroupName: '/aws/lambda/impress-pdf', startTime: now - 7 * 86_400_000, endTime: now})) {
      pages++
      for (const e of page.events ?? []) {
        expect(e.timestamp!).toBeGreaterThanOrEqual(last)
        last = e.timestamp!
        expect(seen.has(e.eventId!)).toBe(false)
        seen.add(e.eventId!)
        count++
      }
    }
    expect(pages).toBeGreaterThan(3)
    expect(count).toBeGreaterThan(3000)
  })

  it('filters with terms, phrases, exclusions, OR terms and JSON conditions; an invalid pattern is InvalidParameterException', async () => {
    const group = '/aws/test/app'
    await logs.send(new CreateLogGroupCommand({logGroupName: group}))
    await expect(logs.send(new CreateLogGroupCommand({logGroupName: group}))).rejects.toMatchObject({name: 'ResourceAlreadyExistsException'})
    await logs.send(new CreateLogStreamCommand({logGroupName: group, logStreamName: 's1'}))
    const t = Date.now() - 1000
    const lines = ['ERROR disk full', 'INFO all good', 'Task timed out after 3.00 seconds', 'ERROR retry later', '{"level":"ERROR","code":500}', '{"level":"INFO","code":200}']
    await logs.send(new PutLogEventsCommand({logGroupName: group, logStreamName: 's1', logEvents: lines.map((message, i) => ({timestamp: t + i, message}))}))
    const q = async (filterPattern: string) => ((await logs.send(new FilterLogEventsCommand({logGroupName: group, filterPattern}))).events ?? []).map((e) => e.message)
    expect(await q('ERROR')).toEqual(['ERROR disk full', 'ERROR retry later', '{"level":"ERROR","code":500}'])
    expect(await q('ERROR -retry')).toEqual(['ERROR disk full', '{"level":"ERROR","code":500}'])
    expect(await q('"Task timed out"')).toEqual(['Task timed out after 3.00 seconds'])
    expect(await q('?INFO ?timed')).toEqual(['INFO all good', 'Task timed out after 3.00 seconds', '{"level":"INFO","code":200}'])
    expect(await q('{ $.level = "ERROR" }')).toEqual(['{"level":"ERROR","code":500}'])
    expect(await q('{ $.code != 500 }')).toEqual(['{"level":"INFO","code":200}'])
    expect(await q('{ $.level = "ERR*" && $.code = 500 }')).toEqual(['{"level":"ERROR","code":500}'])
    await expect(q('"unbalanced')).rejects.toMatchObject({name: 'InvalidParameterException'})
    await expect(q('{ level = ERROR }')).rejects.toMatchObject({name: 'InvalidParameterException'})
    await expect(q('[ip, user]')).rejects.toMatchObject({name: 'NotImplemented', $metadata: {httpStatusCode: 501}})
    await expect(q('{ $.code > 200 }')).rejects.toMatchObject({name: 'NotImplemented'})
    await expect(logs.send(new PutLogEventsCommand({logGroupName: group, logStreamName: 's1', logEvents: [{timestamp: t + 10, message: 'b'}, {timestamp: t, message: 'a'}]}))).rejects.toMatchObject({name: 'InvalidParameterException'})
  })

  it('a Lambda invocation writes START, output, the error, END and REPORT to /aws/lambda/<function>', async () => {
    const lambda = new LambdaClient(awsTestConfig(sb.url))
    try {
      const r = await lambda.send(new InvokeCommand({FunctionName: 'impress-etl', Qualifier: 'live', Payload: Buffer.from(JSON.stringify({fail: true}))}))
      expect(r.FunctionError).toBe('Unhandled')
      const id = r.$metadata.requestId
      const events = await logs.send(new FilterLogEventsCommand({logGroupName: '/aws/lambda/impress-etl', startTime: Date.now() - 60_000, filterPattern: `"${id}"`}))
      const text = (events.events ?? []).map((e) => e.message!.split('\t')[0].split(' ')[0])
      expect(text[0]).toBe('START')
      expect(text.slice(-2)).toEqual(['END', 'REPORT'])
      expect((events.events ?? []).some((e) => e.message!.includes('ERROR\tInvoke Error') && e.message!.includes('failure requested by the event'))).toBe(true)
    } finally {
      lambda.destroy()
    }
  })

  it('lists groups in pages, sets retention, keeps metric filters', async () => {
    const groups = []
    let token: string | undefined
    do {
      const r = await logs.send(new DescribeLogGroupsCommand({logGroupNamePrefix: '/aws/lambda/', nextToken: token}))
      groups.push(...(r.logGroups ?? []))
      token = r.nextToken
    } while (token)
    expect(groups.map((g) => g.logGroupName)).toEqual(['compute', 'etl', 'message', 'pdf', 'request'].map((m) => `/aws/lambda/impress-${m}`))
    await logs.send(new PutRetentionPolicyCommand({logGroupName: '/aws/lambda/impress-message', retentionInDays: 14}))
    await expect(logs.send(new PutRetentionPolicyCommand({logGroupName: '/aws/lambda/impress-message', retentionInDays: 13}))).rejects.toMatchObject({name: 'InvalidParameterException'})
    await logs.send(new PutMetricFilterCommand({logGroupName: '/aws/lambda/impress-message', filterName: 'f1', filterPattern: 'ERROR', metricTransformations: [{metricName: 'm', metricNamespace: 'N', metricValue: '1'}]}))
    await expect(logs.send(new PutMetricFilterCommand({logGroupName: '/aws/lambda/impress-message', filterName: 'f2', filterPattern: '"bad', metricTransformations: [{metricName: 'm', metricNamespace: 'N', metricValue: '1'}]}))).rejects.toMatchObject({name: 'InvalidParameterException'})
    const f = await logs.send(new DescribeMetricFiltersCommand({logGroupName: '/aws/lambda/impress-message'}))
    expect(f.metricFilters?.map((x) => x.filterName)).toEqual(['f1'])
  })
})

describe('CloudWatch alarms and SNS', () => {
  it('an email subscription is pending until the link in the mail sink is visited', async () => {
    const {TopicArn} = await sns.send(new CreateTopicCommand({Name: 'pending-test'}))
    expect((await sns.send(new CreateTopicCommand({Name: 'pending-test'}))).TopicArn).toBe(TopicArn)
    const sub = await sns.send(new SubscribeCommand({TopicArn, Protocol: 'email', Endpoint: 'someone@elsewhere.test'}))
    expect(sub.SubscriptionArn).toBe('pending confirmation')
    const listed = await sns.send(new ListSubscriptionsByTopicCommand({TopicArn}))
    expect(listed.Subscriptions?.[0].SubscriptionArn).toBe('PendingConfirmation')
    const confirmation = (await mail()).find((m) => m.to.includes('someone@elsewhere.test'))!
    const link = /https?:\/\/\S+Action=ConfirmSubscription\S+/.exec(confirmation.raw)![0]
    const token = new URL(link).searchParams.get('Token')!
    await expect(sns.send(new ConfirmSubscriptionCommand({TopicArn, Token: 'nope'}))).rejects.toMatchObject({name: 'InvalidParameterException'})
    expect((await fetch(link)).status).toBe(200)
    const after = await sns.send(new ListSubscriptionsByTopicCommand({TopicArn}))
    expect(after.Subscriptions?.[0].SubscriptionArn).toMatch(/^arn:aws:sns:eu-west-1:000000000000:pending-test:/)
    expect((await sns.send(new ConfirmSubscriptionCommand({TopicArn, Token: token}))).SubscriptionArn).toBe(after.Subscriptions?.[0].SubscriptionArn)
    await sns.send(new PublishCommand({TopicArn, Message: 'hello', Subject: 'greeting'}))
    expect((await mail()).some((m) => m.to.includes('someone@elsewhere.test') && m.raw.includes('Subject: greeting') && m.raw.includes('hello'))).toBe(true)
  })

  it('an alarm on Lambda Errors fires on the sandbox clock and its topic emails the notification', async () => {
    const {TopicArn} = await sns.send(new CreateTopicCommand({Name: 'alarm-test'}))
    await sns.send(new SubscribeCommand({TopicArn, Protocol: 'email', Endpoint: 'oncall@impress.example'}))
    await cw.send(new PutMetricAlarmCommand({AlarmName: 't/errors', MetricName: 'Errors', Namespace: 'AWS/Lambda', Statistic: 'Sum', Dimensions: [{Name: 'FunctionName', Value: 'impress-compute'}], Period: 60, EvaluationPeriods: 1, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching', AlarmActions: [TopicArn!]}))
    await until('OK', async () => ((await cw.send(new DescribeAlarmsCommand({AlarmNames: ['t/errors']}))).MetricAlarms?.[0].StateValue === 'OK' ? true : undefined))
    const lambda = new LambdaClient(awsTestConfig(sb.url))
    try {
      await lambda.send(new InvokeCommand({FunctionName: 'impress-compute', Payload: Buffer.from('{"fail":true}')}))
    } finally {
      lambda.destroy()
    }
    const m = await until('the alarm email', async () => (await mail()).find((x) => x.to.includes('oncall@impress.example') && x.raw.includes('Subject: ALARM: "t/errors"')))
    expect(m.raw).toContain('"NewStateValue":"ALARM"')
    await expect(cw.send(new PutMetricAlarmCommand({AlarmName: 'bad', MetricName: 'Errors', Namespace: 'AWS/Lambda', Statistic: 'p99' as 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold'}))).rejects.toMatchObject({name: 'InvalidParameterValueException'})
    await cw.send(new SetAlarmStateCommand({AlarmName: 't/errors', StateValue: 'ALARM', StateReason: 'rehearsal'}))
    await cw.send(new DeleteAlarmsCommand({AlarmNames: ['t/errors']}))
    await expect(cw.send(new DeleteAlarmsCommand({AlarmNames: ['t/errors']}))).rejects.toMatchObject({name: 'ResourceNotFound'})
  }, 90_000)

  it('DescribeAlarms pages the demo alarms: three modules have their four alarms', async () => {
    const names: string[] = []
    let token: string | undefined
    do {
      const r = await cw.send(new DescribeAlarmsCommand({AlarmNamePrefix: 'impress/', NextToken: token}))
      names.push(...(r.MetricAlarms ?? []).map((a) => a.AlarmName!))
      token = r.NextToken
    } while (token)
    expect(names).toHaveLength(12)
    expect([...new Set(names.map((n) => n.split('/')[1]))]).toEqual(['compute', 'etl', 'pdf'])
  })
})
