// The sandbox's AWS/Lambda CloudWatch metrics, computed from the Lambda emulation's real
// invocations, read with the real @aws-sdk/client-cloudwatch; weighted alias routing; and the
// CloudWatch canary probe (the adapter) against them.
import {CloudWatchClient, GetMetricDataCommand, type MetricDataQuery} from '@aws-sdk/client-cloudwatch'
import {InvokeCommand, LambdaClient, UpdateAliasCommand} from '@aws-sdk/client-lambda'
import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {CloudWatchErrorsProbe} from '../../src/lib/platform/aws/lambda-metrics.js'
import {lambdaDatapoints} from '../../src/lib/sandbox/services/cloudwatch/lambda-metrics.js'
import {routesToExtra} from '../../src/lib/sandbox/services/lambda/index.js'
import {awsTestConfig, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

describe('weighted routing (deterministic split)', () => {
  it('of k invocations exactly ceil(k·w) run the extra version, the first one included', () => {
    fc.assert(
      fc.property(fc.integer({min: 1, max: 99}), fc.integer({min: 1, max: 400}), (pct, k) => {
        const w = pct / 100
        let extra = 0
        for (let i = 1; i <= k; i++) if (routesToExtra(i, w)) extra++
        expect(extra).toBe(Math.ceil(k * w - 1e-9))
        expect(routesToExtra(1, w)).toBe(true)
      }),
    )
  })
})

describe('AWS/Lambda datapoints (pure)', () => {
  it('per period: Sum of Invocations counts the invocations in [start, end), Errors the failed ones, SampleCount both', () => {
    const rec = fc.record({t: fc.integer({min: 0, max: 3_600_000}), error: fc.boolean()})
    fc.assert(
      fc.property(fc.array(rec, {maxLength: 60}), fc.constantFrom(1, 60, 300), fc.integer({min: 0, max: 1800}), (records, period, startS) => {
        const rs = records.map((r) => ({fn: 'f', executedVersion: '1', durationMs: 1, ...r}))
        const end = startS + 1800
        const inRange = rs.filter((r) => r.t / 1000 >= startS && r.t / 1000 < end)
        const sum = (x: number[]) => x.reduce((a, b) => a + b, 0)
        const inv = lambdaDatapoints(rs, 'Invocations', 'Sum', startS, end, period)
        const err = lambdaDatapoints(rs, 'Errors', 'Sum', startS, end, period)
        expect(sum(inv.values)).toBe(inRange.length)
        expect(sum(err.values)).toBe(inRange.filter((r) => r.error).length)
        expect(lambdaDatapoints(rs, 'Errors', 'SampleCount', startS, end, period).values).toEqual(inv.values)
        expect(inv.timestamps.every((t, i) => t % period === 0 && (i === 0 || t > inv.timestamps[i - 1]))).toBe(true)
        expect(inv.values.every((v) => v > 0)).toBe(true) // no datapoint for a period without invocations
      }),
    )
  })
})

describe('sandbox CloudWatch: AWS/Lambda Invocations and Errors', () => {
  let sb: TestSandbox
  let lambda: LambdaClient
  let cw: CloudWatchClient
  const started = new Date()
  const executed: string[] = []
  beforeAll(async () => {
    sb = await startTestSandbox({timeScale: 0.001})
    lambda = new LambdaClient(awsTestConfig(sb.url))
    cw = new CloudWatchClient(awsTestConfig(sb.url))
    // A canary: live → 3, 25 % to version 2. Eight invocations of the alias, the odd ones fail
    // (the seeded handlers throw when the event has fail: true); then version 2 directly, once.
    await lambda.send(new UpdateAliasCommand({FunctionName: 'impress-request', Name: 'live', FunctionVersion: '3', RoutingConfig: {AdditionalVersionWeights: {'2': 0.25}}}))
    for (let k = 1; k <= 8; k++) {
      const out = await lambda.send(new InvokeCommand({FunctionName: 'impress-request', Qualifier: 'live', Payload: Buffer.from(JSON.stringify({fail: k % 2 === 1}))}))
      executed.push(`${out.ExecutedVersion}${out.FunctionError ? '!' : ''}`)
    }
    const direct = await lambda.send(new InvokeCommand({FunctionName: 'impress-request', Qualifier: '2', Payload: Buffer.from('{}')}))
    expect(direct.FunctionError).toBeUndefined()
  })
  afterAll(async () => {
    lambda.destroy()
    cw.destroy()
    await sb.stop()
  })

  const query = (id: string, metric: string, dims: Record<string, string>, stat = 'Sum'): MetricDataQuery => ({
    Id: id,
    MetricStat: {Metric: {Namespace: 'AWS/Lambda', MetricName: metric, Dimensions: Object.entries(dims).map(([Name, Value]) => ({Name, Value}))}, Period: 60, Stat: stat},
  })
  const sums = async (queries: MetricDataQuery[]) => {
    const out = await cw.send(new GetMetricDataCommand({StartTime: new Date(started.getTime() - 120_000), EndTime: new Date(Date.now() + 60_000), MetricDataQueries: queries}))
    return Object.fromEntries((out.MetricDataResults ?? []).map((r) => [r.Id, (r.Values ?? []).reduce((a, b) => a + b, 0)]))
  }

  it('the alias honours its RoutingConfig weight: 2 of 8 invocations ran version 2', () => {
    expect(executed).toEqual(['2!', '3', '3!', '3', '2!', '3', '3!', '3'])
  })

  it('answers per dimension set as Lambda publishes them: function, function:qualifier, alias + ExecutedVersion', async () => {
    const fn = {FunctionName: 'impress-request'}
    const alias = {...fn, Resource: 'impress-request:live'}
    const r = await sums([
      query('e2', 'Errors', {...alias, ExecutedVersion: '2'}),
      query('i2', 'Invocations', {...alias, ExecutedVersion: '2'}),
      query('e3', 'Errors', {...alias, ExecutedVersion: '3'}),
      query('i3', 'Invocations', {...alias, ExecutedVersion: '3'}),
      query('ialias', 'Invocations', alias),
      query('iversion', 'Invocations', {...fn, Resource: 'impress-request:2'}),
      query('eversion', 'Errors', {...fn, Resource: 'impress-request:2'}),
      query('ifn', 'Invocations', fn),
      query('eall', 'Errors', {}),
      // not a series Lambda publishes (ExecutedVersion comes with Resource), and another function
      query('nope', 'Invocations', {...fn, ExecutedVersion: '2'}),
      query('other', 'Invocations', {FunctionName: 'impress-pdf'}),
      query('count', 'Errors', {...alias, ExecutedVersion: '3'}, 'SampleCount'),
    ])
    expect(r).toEqual({e2: 2, i2: 2, e3: 2, i3: 6, ialias: 8, iversion: 1, eversion: 0, ifn: 9, eall: 4, nope: 0, other: 0, count: 6})
  })

  it('datapoints are per period, stamped at its start; periods without invocations have none', async () => {
    const out = await cw.send(
      new GetMetricDataCommand({StartTime: new Date(started.getTime() - 3_600_000), EndTime: new Date(Date.now() + 60_000), ScanBy: 'TimestampAscending', MetricDataQueries: [query('i', 'Invocations', {FunctionName: 'impress-request'})]}),
    )
    const res = out.MetricDataResults![0]
    expect(res.Timestamps!.length).toBeGreaterThanOrEqual(1)
    expect(res.Timestamps!.length).toBeLessThanOrEqual(2) // the invocations may straddle a minute
    for (const t of res.Timestamps!) expect(t.getTime() % 60_000).toBe(0)
    expect(res.Values!.reduce((a, b) => a + b, 0)).toBe(9)
    // a window before the invocations: nothing
    const before = await cw.send(new GetMetricDataCommand({StartTime: new Date(started.getTime() - 7_200_000), EndTime: new Date(started.getTime() - 3_600_000), MetricDataQueries: [query('i', 'Invocations', {FunctionName: 'impress-request'})]}))
    expect(before.MetricDataResults![0].Values).toEqual([])
  })

  it('refuses statistics it does not compute (InvalidParameterValue)', async () => {
    await expect(sums([query('p', 'Errors', {FunctionName: 'impress-request'}, 'p99')])).rejects.toMatchObject({name: expect.stringMatching(/^InvalidParameterValue/)})
  })

  it('the CloudWatch canary probe reads the version behind the alias (one GetMetricData per check)', async () => {
    await fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})
    const probe = new CloudWatchErrorsProbe(cw, 'live')
    expect(await probe.errors('impress-request', '2', started)).toEqual({errors: 2, samples: 2})
    expect(await probe.errors('impress-request', '3', started)).toEqual({errors: 2, samples: 6})
    expect(await probe.errors('impress-etl', '3', started)).toEqual({errors: 0, samples: 0})
    const counts = ((await (await fetch(`${sb.url}/_sandbox/requests`)).json()) as {counts: Record<string, Record<string, number>>}).counts
    expect(counts.cloudwatch).toEqual({GetMetricData: 3})
    expect(counts.lambda).toBeUndefined()
  })

  it('a CloudWatch failure surfaces as an impress error (the deploy then rolls the canary back)', async () => {
    await fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({service: 'cloudwatch', operation: 'GetMetricData', kind: 'error', status: 500, times: 5})})
    const probe = new CloudWatchErrorsProbe(new CloudWatchClient({...awsTestConfig(sb.url), maxAttempts: 1}), 'live')
    await expect(probe.errors('impress-request', '2', started)).rejects.toMatchObject({code: 'E_AWS', message: expect.stringMatching(/CloudWatch GetMetricData for impress-request:live \(version 2\) failed/)})
  })
})
