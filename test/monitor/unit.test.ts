/** Pure logic of logs and monitor: filter patterns, pattern masking, the k-way merge, the plan, the rehearsal's clean-up. */
import {describe, expect, it} from 'vitest'
import fc from 'fast-check'
import {compileFilterPattern, InvalidPattern, UnsupportedPattern} from '../../src/lib/sandbox/services/logs/filter-pattern.js'
import {patternOf, PatternCounter} from '../../src/lib/logs/patterns.js'
import {mergeByTime, moduleEvents, type TaggedEvent} from '../../src/lib/logs/merge.js'
import {timeRange} from '../../src/lib/logs/range.js'
import {desiredMonitoring} from '../../src/lib/monitor/desired.js'
import {applyMonitoring, planMonitoring, type DesiredState} from '../../src/lib/monitor/plan.js'
import {rehearse} from '../../src/lib/monitor/rehearsal.js'
import type {AlarmInfo, LogEvent, LogsPort, Subscription} from '../../src/lib/monitor/ports.js'
import {seededIndexAt, seededTime, demoHistory, seededCount} from '../../src/lib/sandbox/services/logs/store.js'

describe('filter patterns', () => {
  it('terms, phrases, exclusions, alternatives, JSON', () => {
    const m = (p: string, s: string) => compileFilterPattern(p)(s)
    expect(m('ERROR', 'an ERROR here')).toBe(true)
    expect(m('ERROR', 'an error here')).toBe(false)
    expect(m('ERROR -retry', 'ERROR retry')).toBe(false)
    expect(m('"Task timed out"', 'x Task timed out after')).toBe(true)
    expect(m('?A ?B', 'only B')).toBe(true)
    expect(m('{ $.a.b[1] = 2 }', '{"a":{"b":[1,2]}}')).toBe(true)
    expect(m('{ $.level = "ERR*" || $.code = 5 }', '{"code":5}')).toBe(true)
    expect(m('{ $.level = "X" }', 'not json')).toBe(false)
    for (const bad of ['"open', 'a:b', '{ $.a = 1', '{ a = 1 }', '-', '{ $.a = @ }']) expect(() => compileFilterPattern(bad), bad).toThrow(InvalidPattern)
    for (const un of ['[a, b]', '%err%', '{ $.a > 1 }', '{ ($.a = 1) }', '?a b', '{ $.a = 1 && $.b = 2 || $.c = 3 }']) expect(() => compileFilterPattern(un), un).toThrow(UnsupportedPattern)
  })
})

describe('generated history', () => {
  it('timestamps never decrease and seededIndexAt finds the first event at or after a time', () => {
    const h = demoHistory('pdf', 1_800_000_000_000, 576, 512)
    for (let k = 1; k < seededCount(h); k++) expect(seededTime(h, k)).toBeGreaterThanOrEqual(seededTime(h, k - 1))
    fc.assert(
      fc.property(fc.integer({min: h.from - 1000, max: h.to + 1000}), (t) => {
        const k = seededIndexAt(h, t)
        if (k < seededCount(h)) expect(seededTime(h, k)).toBeGreaterThanOrEqual(t)
        if (k > 0) expect(seededTime(h, k - 1)).toBeLessThan(t)
      }),
    )
  })
})

describe('patterns', () => {
  it('masks times, ids, numbers and quoted values; keeps error types; marks new ones', () => {
    const a = patternOf('2026-12-03T10:20:59.633Z\t6c80b110-a4ad-4aa9-a51f-973a8ebbf503\tERROR\tInvoke Error \t{"errorType":"PoolExhaustedError","errorMessage":"pool exhausted after 1585 ms"}\n')
    expect(a).toBe('ERROR Invoke Error \t{"errorType":"PoolExhaustedError","errorMessage":"pool exhausted after <n> ms"}')
    expect(patternOf('user "bob" id=deadbeef12 at 2026-01-01T00:00:00Z')).toBe('user "<str>" id=<id> at <time>')
    const c = new PatternCounter()
    for (let i = 0; i < 10; i++) c.addBaseline('m', `job ${i} ok`)
    for (let i = 0; i < 4; i++) c.addCurrent('m', `job ${i} ok`, i)
    for (let i = 0; i < 2; i++) c.addCurrent('m', `crash ${i}`, i)
    const rows = c.rows(3600_000, 7 * 24 * 3600_000)
    expect(rows.map((r) => [r.pattern, r.status])).toEqual([['crash <n>', 'new'], ['job <n> ok', 'surge']])
  })

  it('--until before --since is bad input', () => {
    expect(() => timeRange({since: '1h', until: '2h', defaultSince: '1h'})).toThrow(/not after/)
  })
})

/** A fake logs port over in-memory events: pages of `size`, throttled the first `throttle` times. */
function fakeLogs(groups: Record<string, LogEvent[]>, size: number): LogsPort & {calls: number} {
  const port = {
    calls: 0,
    stats: {requests: 0, throttled: 0},
    async filterPage(q: {group: string; start: number; end?: number; token?: string}) {
      port.calls++
      const all = (groups[q.group] ?? []).filter((e) => e.timestamp >= q.start && e.timestamp <= (q.end ?? Infinity))
      const from = Number(q.token ?? 0)
      // overlapping pages (a retried page answered twice): the first event repeats
      const slice = all.slice(Math.max(0, from - 1), from + size)
      return {events: slice, ...(from + size < all.length ? {nextToken: String(from + size)} : {})}
    },
    logGroups: async () => [],
    metricFilters: async () => [],
    putMetricFilter: async () => undefined,
    putRetention: async () => undefined,
  }
  return port
}

describe('merge', () => {
  it('interleaves by time, each event once, whatever the page boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.integer({min: 0, max: 1000}), {maxLength: 40}), {minLength: 1, maxLength: 5}), fc.integer({min: 1, max: 7}), async (lists, size) => {
        const groups: Record<string, LogEvent[]> = {}
        lists.forEach((ts, g) => (groups[`g${g}`] = [...ts].sort((a, b) => a - b).map((t, i) => ({eventId: `${g}-${i}`, timestamp: t, message: `m${i}`, logStreamName: 's'}))))
        const port = fakeLogs(groups, size)
        const out: TaggedEvent[] = []
        const streams = lists.map((_l, g) => moduleEvents(port, {module: `m${g}`, group: `g${g}`}, {start: 0, end: 1000}))
        for await (const e of mergeByTime(streams)) out.push(e)
        expect(out.map((e) => e.timestamp)).toEqual(out.map((e) => e.timestamp).sort((a, b) => a - b))
        expect(out.map((e) => e.eventId).sort()).toEqual(Object.values(groups).flat().map((e) => e.eventId).sort())
      }),
      {numRuns: 60},
    )
  })
})

function fakeMonitor() {
  const alarms = new Map<string, AlarmInfo>()
  const filters: {logGroup: string; filterName: string; pattern: string; namespace: string; metricName: string; module: string}[] = []
  const subs: Subscription[] = []
  let topic: string | undefined
  let failAfter = Infinity
  const ports = {
    alarms: {
      list: async (prefix: string) => [...alarms.values()].filter((a) => a.name.startsWith(prefix)),
      put: async (a: import('../../src/lib/monitor/desired.js').AlarmSpec, arns: string[]) => {
        if (failAfter-- <= 0) throw new Error('killed')
        alarms.set(a.name, {...a, topics: arns.map((x) => x.split(':').at(-1)!), actionsEnabled: true, state: 'OK', stateReason: ''})
      },
      delete: async (names: string[]) => names.forEach((n) => alarms.delete(n)),
    },
    logs: {...fakeLogs({}, 1), metricFilters: async (g: string) => filters.filter((f) => f.logGroup === g), putMetricFilter: async (f: (typeof filters)[0]) => void filters.push(f)},
    topics: {
      find: async () => topic,
      create: async (n: string) => (topic = `arn:aws:sns:r:1:${n}`),
      subscriptions: async () => subs,
      subscribe: async (_t: string, protocol: string, endpoint: string) => {
        const s = {protocol, endpoint, confirmed: true}
        if (!subs.some((x) => x.endpoint === endpoint)) subs.push(s)
        return s
      },
    },
  }
  return {ports, alarms, subs, killAfter: (n: number) => (failAfter = n)}
}

describe('monitor plan and apply', () => {
  const modules = [{module: 'a', function: 'fa', timeoutSeconds: 10}, {module: 'b', function: 'fb', timeoutSeconds: 30}]
  const want = (): DesiredState => ({topic: 't', prefix: 'impress/', ...desiredMonitoring(modules), subscriptions: [{protocol: 'email', endpoint: 'support@x.test'}]})

  it('the Duration alarm sits at 80 % of each timeout', () => {
    expect(want().alarms.filter((a) => a.kind === 'duration').map((a) => a.threshold)).toEqual([8000, 24000])
  })

  it('a killed apply is finished by a rerun: no duplicate, then no drift; a changed or extra alarm is planned', async () => {
    const f = fakeMonitor()
    f.killAfter(3)
    await expect(applyMonitoring(want(), f.ports, {dryRun: false, confirm: async () => undefined})).rejects.toThrow('killed')
    expect(f.alarms.size).toBe(3)
    f.killAfter(Infinity)
    const r = await applyMonitoring(want(), f.ports, {dryRun: false, confirm: async () => undefined})
    expect(r.alarms.missing).toHaveLength(5)
    expect(r.after?.drift).toBe(false)
    expect(f.alarms.size).toBe(8)
    expect(f.subs).toHaveLength(1)
    f.alarms.get('impress/a/errors')!.threshold = 5
    f.alarms.set('impress/old/errors', {...f.alarms.get('impress/b/errors')!, name: 'impress/old/errors'})
    const p = await planMonitoring(want(), f.ports)
    expect(p.alarms.changed).toEqual([{name: 'impress/a/errors', module: 'a', fields: ['threshold']}])
    expect(p.alarms.extra).toEqual(['impress/old/errors'])
  })
})

describe('rehearsal', () => {
  it('deletes the scratch alias when interrupted while waiting, and never touches the live alias', async () => {
    const aliases = new Map([['live', {functionVersion: '3', description: 'prod'}]])
    const lambda = {
      getAlias: async (_f: string, a: string) => {
        const x = aliases.get(a)
        if (!x) throw new Error('not found')
        return x
      },
      createAlias: async (_f: string, a: string, v: string, d: string) => void aliases.set(a, {functionVersion: v, description: d}),
      deleteAlias: async (_f: string, a: string) => void aliases.delete(a),
      invoke: async () => ({ok: false, error: 'boom'}),
    }
    const alarm = {name: 'impress/a/errors', state: 'OK'} as AlarmInfo
    const ac = new AbortController()
    setTimeout(() => ac.abort(new Error('interrupted')), 50)
    await expect(
      rehearse({module: 'a', function: 'fa', liveAlias: 'live', alarmName: alarm.name, payload: {}, timeoutMs: 10_000, pollMs: 10, targetMs: 1000, signal: ac.signal}, {lambda, alarms: {list: async () => [alarm], put: async () => undefined, delete: async () => undefined}}),
    ).rejects.toThrow('interrupted')
    expect([...aliases.keys()]).toEqual(['live'])
  })
})
