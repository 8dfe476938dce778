/**
 * Logs Insights in the sandbox (StartQuery / GetQueryResults / StopQuery) through the real SDK
 * client over HTTP, checked against FilterLogEvents over the same range.
 */
import {CloudWatchLogsClient, GetQueryResultsCommand, paginateFilterLogEvents, StartQueryCommand, StopQueryCommand, type ResultField} from '@aws-sdk/client-cloudwatch-logs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parseQuery, MalformedQuery, UnsupportedQuery} from '../../src/lib/sandbox/services/logs/insights.js'
import {awsTestConfig, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

let sb: TestSandbox
let logs: CloudWatchLogsClient
beforeAll(async () => {
  sb = await startTestSandbox()
  logs = new CloudWatchLogsClient(awsTestConfig(sb.url))
})
afterAll(async () => {
  logs.destroy()
  await sb.stop()
})

const REQUEST = '/aws/lambda/impress-request'
const PDF = '/aws/lambda/impress-pdf'
const row = (r: ResultField[]) => Object.fromEntries(r.map((f) => [f.field!, f.value!]))

async function run(queryString: string, groups: string[], hours = 24) {
  const endTime = Math.floor(Date.now() / 1000)
  const startTime = endTime - hours * 3600
  const {queryId} = await logs.send(new StartQueryCommand({logGroupNames: groups, startTime, endTime, queryString}))
  const statuses: string[] = []
  for (;;) {
    const r = await logs.send(new GetQueryResultsCommand({queryId}))
    statuses.push(r.status!)
    if (r.status !== 'Running' && r.status !== 'Scheduled') return {...r, statuses, rows: (r.results ?? []).map(row), startTime, endTime}
  }
}

async function filterCount(group: string, pattern: string, startTime: number, endTime: number): Promise<number> {
  let n = 0
  for await (const p of paginateFilterLogEvents({client: logs}, {logGroupName: group, filterPattern: pattern, startTime: startTime * 1000, endTime: endTime * 1000 + 999})) n += p.events?.length ?? 0
  return n
}

describe('Logs Insights in the sandbox', () => {
  it('runs filter | sort desc | limit over two groups: Running then Complete, rows newest first, statistics', async () => {
    const r = await run('fields @timestamp, @message, @log | filter @message like /ERROR/ | sort @timestamp desc | limit 5', [REQUEST, PDF])
    expect(r.statuses[0]).toBe('Running')
    expect(r.statuses.at(-1)).toBe('Complete')
    expect(r.rows).toHaveLength(5)
    for (const x of r.rows) {
      expect(Object.keys(x).sort()).toEqual(['@log', '@message', '@ptr', '@timestamp'])
      expect(x['@message']).toContain('ERROR')
      expect(x['@timestamp']).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/)
    }
    const times = r.rows.map((x) => x['@timestamp'])
    expect([...times].sort().reverse()).toEqual(times)
    const matched = (await filterCount(REQUEST, 'ERROR', r.startTime, r.endTime)) + (await filterCount(PDF, 'ERROR', r.startTime, r.endTime))
    expect(r.statistics!.recordsMatched).toBe(matched)
    expect(r.statistics!.recordsScanned).toBe((await filterCount(REQUEST, '', r.startTime, r.endTime)) + (await filterCount(PDF, '', r.startTime, r.endTime)))
    expect(r.statistics!.bytesScanned).toBeGreaterThan((r.statistics!.recordsScanned ?? 0) * 10)
  })

  it('stats count(*) by bin(1h) sums to the matched events; by @logStream groups per stream', async () => {
    const r = await run('filter @message like "PoolExhaustedError" | stats count(*) as errors by bin(1h)', [REQUEST])
    expect(r.status).toBe('Complete')
    expect(r.rows.length).toBeGreaterThan(0)
    expect(Object.keys(r.rows[0]).sort()).toEqual(['bin(1h)', 'errors'])
    for (const x of r.rows) expect(x['bin(1h)']).toMatch(/:00:00\.000$/)
    const total = r.rows.reduce((n, x) => n + Number(x.errors), 0)
    expect(total).toBe(await filterCount(REQUEST, 'PoolExhaustedError', r.startTime, r.endTime))
    expect(total).toBe(r.statistics!.recordsMatched)
    const s = await run('stats count(*) by @logStream | sort count(*) desc', [PDF], 48)
    expect(s.rows.length).toBeGreaterThanOrEqual(2)
    expect(s.rows.reduce((n, x) => n + Number(x['count(*)']), 0)).toBe(s.statistics!.recordsScanned)
    expect(Number(s.rows[0]['count(*)'])).toBeGreaterThanOrEqual(Number(s.rows[1]['count(*)']))
  })

  it('= and != on a field, not like', async () => {
    const r = await run('filter @message not like /INFO|START|END|REPORT/ and @logStream != "none" | limit 10000', [REQUEST])
    expect(r.rows.length).toBe(r.statistics!.recordsMatched)
    for (const x of r.rows) expect(x['@message']).toMatch(/ERROR|WARN/)
    const stream = r.rows[0]['@logStream']
    const eq = await run(`filter @logStream = "${stream}" | stats count(*) by @logStream`, [REQUEST])
    expect(eq.rows).toEqual([{'@logStream': stream, 'count(*)': expect.stringMatching(/^\d+$/)}])
  })

  it('refuses unsupported commands 501 NotImplemented naming them, bad syntax MalformedQueryException, unknown ids ResourceNotFound', async () => {
    const endTime = Math.floor(Date.now() / 1000)
    const start = (queryString: string) => logs.send(new StartQueryCommand({logGroupName: REQUEST, startTime: endTime - 3600, endTime, queryString}))
    await expect(start('fields @message | parse @message "* *" as a, b')).rejects.toMatchObject({name: 'NotImplemented', message: expect.stringContaining('parse command'), $metadata: {httpStatusCode: 501}})
    await expect(start('stats avg(@duration) by bin(5m)')).rejects.toMatchObject({name: 'NotImplemented', message: expect.stringContaining('avg')})
    await expect(start('filter @message like "x" or @message like "y"')).rejects.toMatchObject({name: 'NotImplemented'})
    await expect(start('fields @message | frobnicate')).rejects.toMatchObject({name: 'MalformedQueryException'})
    await expect(start('filter @message like /unterminated')).rejects.toMatchObject({name: 'MalformedQueryException'})
    await expect(start('limit 0')).rejects.toMatchObject({name: 'MalformedQueryException'})
    await expect(logs.send(new StartQueryCommand({logGroupName: '/aws/lambda/nope', startTime: endTime - 60, endTime, queryString: 'limit 1'}))).rejects.toMatchObject({name: 'ResourceNotFoundException'})
    await expect(logs.send(new GetQueryResultsCommand({queryId: 'nope'}))).rejects.toMatchObject({name: 'ResourceNotFoundException'})
  })

  it('StopQuery cancels a running query; a finished one reports success false', async () => {
    const endTime = Math.floor(Date.now() / 1000)
    const {queryId} = await logs.send(new StartQueryCommand({logGroupName: REQUEST, startTime: endTime - 3600, endTime, queryString: 'limit 3'}))
    expect((await logs.send(new StopQueryCommand({queryId}))).success).toBe(true)
    expect((await logs.send(new GetQueryResultsCommand({queryId}))).status).toBe('Cancelled')
    expect((await logs.send(new StopQueryCommand({queryId}))).success).toBe(false)
  })
})

describe('the Insights parser', () => {
  it('parses the subset and tells unsupported from malformed', () => {
    expect(parseQuery('fields @timestamp, @message | filter @message like /a|b/ and @log != "x" | sort @timestamp desc | limit 20').map((c) => c.kind)).toEqual(['fields', 'filter', 'sort', 'limit'])
    expect(() => parseQuery('fields @requestId')).toThrow(UnsupportedQuery)
    expect(() => parseQuery('dedup @message')).toThrow(UnsupportedQuery)
    expect(() => parseQuery('sort @timestamp | filter @message like "x"')).toThrow(UnsupportedQuery)
    expect(() => parseQuery('')).toThrow(MalformedQuery)
    expect(() => parseQuery('filter @message ~~ 3')).toThrow(MalformedQuery)
    expect(() => parseQuery('stats count(*) by bin(5x)')).toThrow(MalformedQuery)
  })
})
