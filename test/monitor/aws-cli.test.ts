/**
 * A client that is not ours: Debian's AWS CLI (installed by .ci/run) reads the sandbox's log
 * events, alarms and subscriptions.
 */
import fs from 'node:fs'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {sandboxEnvironment} from '../../src/lib/sandbox/environment.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

const AWS = process.env.AWS_CLI ?? '/usr/bin/aws'
let sb: TestSandbox
beforeAll(async () => {
  sb = await startTestSandbox()
})
afterAll(async () => {
  await sb.stop()
})

async function aws(args: string[], output = 'json'): Promise<{code: number; stdout: string; stderr: string}> {
  const env = {...sandboxEnvironment(sb.url), AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: ''}
  const r = await execa(AWS, [...args, '--endpoint-url', sb.url, '--output', output], {env: {...env, PATH: process.env.PATH, HOME: sb.home}, extendEnv: false, reject: false, timeout: 60_000})
  return {code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr)}
}

describe('the AWS CLI against the monitoring sandbox', () => {
  it('is installed', () => {
    expect(fs.existsSync(AWS), `${AWS} is missing`).toBe(true)
  })

  it('filter-log-events pages through a filtered week; an invalid pattern is InvalidParameterException', async () => {
    const since = String(Date.now() - 7 * 86_400_000)
    const r = await aws(['logs', 'filter-log-events', '--log-group-name', '/aws/lambda/impress-request', '--start-time', since, '--filter-pattern', 'PoolExhaustedError'])
    expect(r.code, r.stderr).toBe(0)
    const events = (JSON.parse(r.stdout) as {events: {message: string; timestamp: number}[]}).events
    expect(events.length).toBeGreaterThan(0)
    expect(events.every((e) => e.message.includes('PoolExhaustedError'))).toBe(true)
    // the new pattern is today's only
    expect(Math.min(...events.map((e) => e.timestamp))).toBeGreaterThan(Date.now() - 86_400_000)
    const bad = await aws(['logs', 'filter-log-events', '--log-group-name', '/aws/lambda/impress-request', '--filter-pattern', '"open'])
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain('InvalidParameterException')
  })

  it('logs start-query / get-query-results: Running then Complete; an unmodelled command is refused naming it', async () => {
    const end = Math.floor(Date.now() / 1000)
    const started = await aws(['logs', 'start-query', '--log-group-names', '/aws/lambda/impress-request', '/aws/lambda/impress-pdf', '--start-time', String(end - 86_400), '--end-time', String(end), '--query-string', 'filter @message like /ERROR/ | stats count(*) by bin(1h)'])
    expect(started.code, started.stderr).toBe(0)
    const {queryId} = JSON.parse(started.stdout) as {queryId: string}
    const statuses: string[] = []
    let last: {status: string; results: {field: string; value: string}[][]; statistics: {recordsMatched: number}} | undefined
    while (statuses.at(-1) !== 'Complete' && statuses.length < 5) {
      const r = await aws(['logs', 'get-query-results', '--query-id', queryId])
      expect(r.code, r.stderr).toBe(0)
      last = JSON.parse(r.stdout) as typeof last
      statuses.push(last!.status)
    }
    expect(statuses).toEqual(['Running', 'Complete'])
    expect(last!.results.length).toBeGreaterThan(0)
    expect(last!.results.flat().filter((f) => f.field === 'count(*)').reduce((n, f) => n + Number(f.value), 0)).toBe(last!.statistics.recordsMatched)
    const refused = await aws(['logs', 'start-query', '--log-group-name', '/aws/lambda/impress-pdf', '--start-time', String(end - 60), '--end-time', String(end), '--query-string', 'parse @message "* *" as a, b'])
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/NotImplemented.*parse command/)
  })

  it('logs tail prints the recent lines', async () => {
    const help = await aws(['logs', 'tail', 'help'], 'text')
    expect(help.code, 'this AWS CLI has `logs tail`').toBe(0)
    const r = await aws(['logs', 'tail', '/aws/lambda/impress-pdf', '--since', '1h', '--format', 'short'], 'text')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/REPORT RequestId: [0-9a-f-]{36}/)
  })

  it('describe-alarms lists the demo alarms (paged) and list-subscriptions-by-topic the confirmed support@', async () => {
    const r = await aws(['cloudwatch', 'describe-alarms', '--alarm-name-prefix', 'impress/'])
    expect(r.code, r.stderr).toBe(0)
    const alarms = (JSON.parse(r.stdout) as {MetricAlarms: {AlarmName: string; StateValue: string; Dimensions: {Name: string; Value: string}[]; AlarmActions: string[]}[]}).MetricAlarms
    expect(alarms).toHaveLength(12)
    expect(alarms.find((a) => a.AlarmName === 'impress/pdf/errors')).toMatchObject({Dimensions: [{Name: 'FunctionName', Value: 'impress-pdf'}], AlarmActions: ['arn:aws:sns:eu-west-1:000000000000:impress-incidents']})
    const s = await aws(['sns', 'list-subscriptions-by-topic', '--topic-arn', 'arn:aws:sns:eu-west-1:000000000000:impress-incidents'])
    expect(s.code, s.stderr).toBe(0)
    expect((JSON.parse(s.stdout) as {Subscriptions: unknown[]}).Subscriptions).toContainEqual(expect.objectContaining({Protocol: 'email', Endpoint: 'support@impress.example', SubscriptionArn: expect.stringMatching(/^arn:aws:sns:/)}))
  })
})
