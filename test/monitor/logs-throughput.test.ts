/**
 * What keeps `impress logs` fast and flat over many events: the merge's runs and bounded batches,
 * the JSON line built without an object per event, and the sandbox's model of the real
 * FilterLogEvents (1 MB pages, the account's calls-per-second quota) through the real SDK.
 */
import {CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, FilterLogEventsCommand, PutLogEventsCommand} from '@aws-sdk/client-cloudwatch-logs'
import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {MERGED_BATCH, mergeBatches, type TaggedEvent} from '../../src/lib/logs/merge.js'
import {eventJson, isoTime} from '../../src/lib/logs/render.js'
import {runLogs} from '../../src/lib/logs/run.js'
import {createLogsPort, FILTER_QUOTA_TPS, filterPacer} from '../../src/lib/platform/aws/logs.js'
import {FILTER_PAGE, FILTER_PAGE_BYTES, filterLimits} from '../../src/lib/sandbox/services/logs/index.js'
import {awsTestConfig, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

const ev = (module: string, timestamp: number, i: number): TaggedEvent => ({module, timestamp, eventId: `${module}-${i}`, message: `m${i}`, logStreamName: 's'})

async function* batches(events: TaggedEvent[], sizes: number[]): AsyncGenerator<TaggedEvent[]> {
  for (let i = 0, k = 0; i < events.length; k++) {
    const n = sizes[k % sizes.length]
    yield events.slice(i, i + n)
    i += n
  }
}

/** What the merge must produce: every event, by timestamp, ties in stream order, each stream's order kept. */
const expected = (streams: TaggedEvent[][]) =>
  streams
    .flatMap((s, idx) => s.map((e, i) => ({e, idx, i})))
    .sort((a, b) => a.e.timestamp - b.e.timestamp || a.idx - b.idx || a.i - b.i)
    .map((x) => x.e.eventId)

describe('mergeBatches', () => {
  it('gives the exact order (time, then stream order) whatever the page boundaries and ties', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.integer({min: 0, max: 30}), {maxLength: 40}), {minLength: 1, maxLength: 5}), fc.array(fc.integer({min: 1, max: 9}), {minLength: 1, maxLength: 4}), async (lists, sizes) => {
        const streams = lists.map((ts, g) => [...ts].sort((a, b) => a - b).map((t, i) => ev(`m${g}`, t, i)))
        const out: string[] = []
        for await (const b of mergeBatches(streams.filter((s) => s.length > 0).map((s) => batches(s, sizes)))) {
          expect(b.length).toBeGreaterThan(0)
          out.push(...b.map((e) => e.eventId))
        }
        expect(out).toEqual(expected(streams.filter((s) => s.length > 0)))
      }),
      {numRuns: 150},
    )
  })

  it('hands out batches of at most MERGED_BATCH events, however large the pages', async () => {
    // Three streams of 5,000 events in pages of 5,000: long runs (stream 0 first) and interleaved stretches.
    const streams = [0, 1, 2].map((g) => Array.from({length: 5000}, (_x, i) => ev(`m${g}`, g === 0 ? i : 2000 + Math.floor(i / 3), i)))
    const sizes: number[] = []
    const out: string[] = []
    for await (const b of mergeBatches(streams.map((s) => batches(s, [5000])))) {
      sizes.push(b.length)
      out.push(...b.map((e) => e.eventId))
    }
    expect(out).toEqual(expected(streams))
    expect(Math.max(...sizes)).toBe(MERGED_BATCH)
    expect(sizes.length).toBeGreaterThanOrEqual(Math.ceil(15_000 / MERGED_BATCH))
  })
})

describe('JSON lines', () => {
  it('eventJson is byte for byte JSON.stringify of the event document, isoTime is toISOString', () => {
    const reference = (e: TaggedEvent) => JSON.stringify({module: e.module, timestamp: new Date(e.timestamp).toISOString(), message: e.message.endsWith('\n') ? e.message.slice(0, -1) : e.message, logStream: e.logStreamName, eventId: e.eventId})
    const time = fc.oneof(fc.integer({min: 0, max: 253_402_300_799_999}), fc.integer({min: 1_700_000_000_000, max: 1_700_000_005_000}), fc.double({min: -8.64e15, max: 8.64e15, noNaN: true}))
    fc.assert(
      fc.property(fc.array(fc.record({module: fc.string(), timestamp: time, message: fc.oneof(fc.string(), fc.string({unit: 'grapheme'}), fc.string().map((s) => `${s}\n`)), logStreamName: fc.string(), eventId: fc.string()}), {minLength: 1, maxLength: 20}), (events) => {
        for (const e of events) {
          expect(eventJson(e)).toBe(reference(e))
          expect(isoTime(e.timestamp)).toBe(new Date(e.timestamp).toISOString())
        }
      }),
      {numRuns: 300},
    )
  })
})

describe('filterPacer', () => {
  it('waits for nothing until a call is throttled, then spaces calls to 90 % of the quota, shared by all callers', async () => {
    let t = 1000
    const waits: number[] = []
    const pacer = filterPacer({now: () => t, wait: async (ms) => void waits.push(ms)})
    await Promise.all([pacer.slot(), pacer.slot(), pacer.slot()])
    expect(waits).toEqual([])
    expect(pacer.on).toBe(false)
    pacer.throttled()
    await Promise.all([pacer.slot(), pacer.slot(), pacer.slot()])
    const spacing = 1000 / (FILTER_QUOTA_TPS * 0.9)
    expect(waits).toHaveLength(2)
    expect(waits[0]).toBeCloseTo(spacing, 6)
    expect(waits[1]).toBeCloseTo(2 * spacing, 6)
    // Later calls wait only for what is left of their slot.
    t += 10_000
    await pacer.slot()
    expect(waits).toHaveLength(2)
  })
})

describe('FilterLogEvents as the real service pages and throttles it', () => {
  let sb: TestSandbox
  let logs: CloudWatchLogsClient
  const saved = {page: process.env.IMPRESS_SANDBOX_LOGS_PAGE_EVENTS, tps: process.env.IMPRESS_SANDBOX_LOGS_FILTER_TPS}
  const restore = () => {
    for (const [k, v] of [['IMPRESS_SANDBOX_LOGS_PAGE_EVENTS', saved.page], ['IMPRESS_SANDBOX_LOGS_FILTER_TPS', saved.tps]] as const) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
  beforeAll(async () => {
    sb = await startTestSandbox()
    logs = new CloudWatchLogsClient({...awsTestConfig(sb.url), maxAttempts: 1})
  })
  afterAll(async () => {
    restore()
    logs.destroy()
    await sb.stop()
  })

  it('reads the page size and quota from the environment, with the small defaults', () => {
    expect(filterLimits({})).toEqual({page: FILTER_PAGE, budget: 5000, tps: 0})
    expect(filterLimits({IMPRESS_SANDBOX_LOGS_PAGE_EVENTS: '10000', IMPRESS_SANDBOX_LOGS_FILTER_TPS: '5'})).toEqual({page: 10_000, budget: 100_000, tps: 5})
    expect(filterLimits({IMPRESS_SANDBOX_LOGS_PAGE_EVENTS: '50000'}).page).toBe(10_000)
  })

  it('a page holds at most 1 MB of events (message bytes + 26 each); paging returns each event once, in order', async () => {
    const group = '/bench/big-lines'
    await logs.send(new CreateLogGroupCommand({logGroupName: group}))
    await logs.send(new CreateLogStreamCommand({logGroupName: group, logStreamName: 's'}))
    const t0 = Date.now() - 60_000
    const line = (i: number) => `${String(i).padStart(6, '0')} ${'x'.repeat(993)}` // 1,000 bytes
    for (let b = 0; b < 3; b++) {
      await logs.send(new PutLogEventsCommand({logGroupName: group, logStreamName: 's', logEvents: Array.from({length: 700}, (_x, i) => ({timestamp: t0 + b * 700 + i, message: line(b * 700 + i)}))}))
    }
    process.env.IMPRESS_SANDBOX_LOGS_PAGE_EVENTS = '10000'
    try {
      const perPage = Math.floor(FILTER_PAGE_BYTES / 1026)
      const pages: number[] = []
      const seen: string[] = []
      let token: string | undefined
      do {
        const r = await logs.send(new FilterLogEventsCommand({logGroupName: group, startTime: t0, nextToken: token}))
        pages.push(r.events!.length)
        seen.push(...r.events!.map((e) => e.message!.slice(0, 6)))
        token = r.nextToken
      } while (token)
      expect(pages).toEqual([perPage, perPage, 2100 - 2 * perPage])
      expect(seen).toEqual(Array.from({length: 2100}, (_x, i) => String(i).padStart(6, '0')))
    } finally {
      restore()
    }
  })

  it('over the quota a call is a ThrottlingException; impress logs retries and paces: every event once, in order', async () => {
    const args = {start: Date.now() - 6 * 3600_000, end: Date.now()}
    const modules = ['etl', 'request', 'compute', 'message', 'pdf'].map((m) => ({module: m, group: `/aws/lambda/impress-${m}`}))
    const read = async () => {
      const port = await createLogsPort(async (Ctor) => new Ctor(awsTestConfig(sb.url) as never), {backoffMs: 20})
      const lines: string[] = []
      const signal = new AbortController().signal
      const summary = await runLogs({modules, ...args, signal}, port, eventJson, async (text) => void lines.push(...text.split('\n')))
      return {lines, summary, stats: port.stats}
    }
    // Pages of 100: 6 h of demo history (about 144 events a module) is two calls a module.
    process.env.IMPRESS_SANDBOX_LOGS_PAGE_EVENTS = '100'
    const free = await read()
    expect(free.lines.length).toBeGreaterThan(500)
    expect(free.stats.requests).toBeGreaterThanOrEqual(10)
    process.env.IMPRESS_SANDBOX_LOGS_FILTER_TPS = '2'
    try {
      const calls = [0, 1, 2].map(() => logs.send(new FilterLogEventsCommand({logGroupName: modules[0].group, limit: 1})).then(() => 'ok', (e: Error) => e.name))
      expect((await Promise.all(calls)).sort()).toEqual(['ThrottlingException', 'ok', 'ok'])
      await new Promise((r) => setTimeout(r, 1000))
      await fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})
      const paced = await read()
      expect(paced.lines).toEqual(free.lines)
      expect(paced.summary.events).toBe(free.summary.events)
      const {log} = (await (await fetch(`${sb.url}/_sandbox/requests?log=1&service=logs`)).json()) as {log: {operation: string; status: number}[]}
      // The quota was hit (10 calls at 2 a second) and every throttled call was retried.
      expect(log.filter((x) => x.operation === 'FilterLogEvents' && x.status === 400).length).toBeGreaterThan(0)
    } finally {
      restore()
    }
  })
})
