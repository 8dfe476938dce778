/**
 * The report's monitoring evidence shares its reads (src/lib/report/evidence.ts readOnce):
 * `monitor plan` and `monitor status` over the same ports read each alarm list, topic,
 * subscription list and log group list once per report, and a new report reads them again.
 */
import {describe, expect, it} from 'vitest'
import {desiredMonitoring, DEFAULT_MONITORING} from '../../src/lib/monitor/desired.js'
import type {DesiredState} from '../../src/lib/monitor/plan.js'
import type {AlarmsPort, LogsPort, TopicsPort} from '../../src/lib/monitor/ports.js'
import {planMonitoring} from '../../src/lib/monitor/plan.js'
import {monitorStatus} from '../../src/lib/monitor/status.js'
import {readOnce} from '../../src/lib/report/evidence.js'

function fakePorts() {
  const calls: string[] = []
  const read = <T>(name: string, value: T) => async (arg?: unknown) => {
    calls.push(`${name}(${String(arg)})`)
    await new Promise((r) => setTimeout(r, 5))
    return value
  }
  const alarms: AlarmsPort = {list: read('alarms.list', []), put: async () => void calls.push('alarms.put'), delete: async () => void calls.push('alarms.delete')}
  const topics: TopicsPort = {
    find: read('topics.find', 'arn:aws:sns:eu-west-1:1:impress-incidents'),
    create: async () => (calls.push('topics.create'), 'arn'),
    subscriptions: read('topics.subscriptions', [{protocol: 'email', endpoint: 'support@x.example', confirmed: true}]),
    subscribe: async () => (calls.push('topics.subscribe'), {protocol: 'email', endpoint: 'e', confirmed: false}),
  }
  const logs: LogsPort = {
    filterPage: async () => ({events: []}),
    logGroups: read('logs.logGroups', [{name: '/aws/lambda/impress-pdf', retentionInDays: 30}]),
    metricFilters: read('logs.metricFilters', []),
    putMetricFilter: async () => void calls.push('logs.putMetricFilter'),
    putRetention: async () => void calls.push('logs.putRetention'),
    stats: {requests: 7, throttled: 0},
  }
  return {ports: {alarms, topics, logs}, calls}
}

const count = (calls: string[]) => calls.reduce<Record<string, number>>((m, c) => ((m[c] = (m[c] ?? 0) + 1), m), {})

describe('readOnce', () => {
  const want: DesiredState = {
    ...desiredMonitoring([{module: 'pdf', function: 'impress-pdf', timeoutSeconds: 30}]),
    topic: DEFAULT_MONITORING.topic,
    prefix: DEFAULT_MONITORING.prefix,
    subscriptions: [{protocol: 'email', endpoint: 'support@x.example'}],
    retentionDays: 30,
  }

  it('plan, status and the log groups read each thing once; the answers are the unshared ones', async () => {
    const plain = fakePorts()
    const shared = fakePorts()
    const run = async (ports: ReturnType<typeof fakePorts>['ports']) => Promise.all([planMonitoring(want, ports), monitorStatus({topic: want.topic, prefix: want.prefix}, ports), ports.logs.logGroups('/aws/lambda/')])
    const [a, b] = await Promise.all([run(plain.ports), run(readOnce(shared.ports))])
    expect(b).toEqual(a)
    // Without sharing, plan and status repeat reads (the report's ~7 repeated AWS requests).
    expect(count(plain.calls)).toMatchObject({'alarms.list(impress/)': 2, 'topics.subscriptions(arn:aws:sns:eu-west-1:1:impress-incidents)': 2, 'logs.logGroups(/aws/lambda/)': 2})
    expect(Object.values(count(shared.calls)).every((n) => n === 1)).toBe(true)
    expect(new Set(shared.calls)).toEqual(new Set(plain.calls))
  })

  it('reads again in a new report, keeps different arguments apart, and passes writes and stats through', async () => {
    const f = fakePorts()
    await readOnce(f.ports).alarms.list('a/')
    const again = readOnce(f.ports)
    await Promise.all([again.alarms.list('a/'), again.alarms.list('b/'), again.alarms.list('a/')])
    expect(count(f.calls)).toEqual({'alarms.list(a/)': 2, 'alarms.list(b/)': 1})
    await again.alarms.put({} as never, [])
    await again.logs.putRetention('g', 7)
    await again.topics.create('t')
    expect(f.calls.slice(-3)).toEqual(['alarms.put', 'logs.putRetention', 'topics.create'])
    f.ports.logs.stats.requests = 9
    expect(again.logs.stats.requests).toBe(9)
  })
})
