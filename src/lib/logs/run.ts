/**
 * `impress logs`: the chosen modules' events in time order (merged, streamed, flat memory),
 * or followed until interrupted, or grouped into patterns against a baseline window.
 */
import type {LogsPort} from '../monitor/ports.js'
import {followEvents} from './follow.js'
import {mergeBatches, moduleBatches, moduleEvents, type ModuleLog, type TaggedEvent} from './merge.js'
import {PatternCounter, type PatternRow} from './patterns.js'

export interface LogsRunOptions {
  modules: ModuleLog[]
  start: number
  end: number
  pattern?: string
  limit?: number
  follow?: {intervalMs: number; overlapMs: number}
  signal: AbortSignal
  onMissing?: (m: ModuleLog) => void
}

export interface LogsSummary {
  events: number
  modules: string[]
  truncated: boolean
}

/**
 * Print every matching event in time order: each formatted by `format`, written through `write`
 * (awaited: backpressure) a merged batch of whole lines at a time, so the per-event cost is the
 * formatting, not a write and an await.
 */
export async function runLogs(o: LogsRunOptions, port: LogsPort, format: (e: TaggedEvent) => string, write: (lines: string) => Promise<void>): Promise<LogsSummary> {
  let n = 0
  const limit = o.limit ?? Number.POSITIVE_INFINITY
  const done = (truncated: boolean): LogsSummary => ({events: n, modules: o.modules.map((m) => m.module), truncated})
  const batches = o.follow
    ? (async function* () {
        for await (const e of followEvents(port, o.modules, {start: o.start, pattern: o.pattern, signal: o.signal, intervalMs: o.follow!.intervalMs, overlapMs: o.follow!.overlapMs, onMissing: o.onMissing})) yield [e]
      })()
    : mergeBatches(o.modules.map((m) => moduleBatches(port, m, {start: o.start, end: o.end, pattern: o.pattern, signal: o.signal, onMissing: o.onMissing})))
  for await (const batch of batches) {
    if (n >= limit) return done(true)
    const take = Math.min(batch.length, limit - n)
    let text = format(batch[0])
    for (let i = 1; i < take; i++) text += '\n' + format(batch[i])
    await write(text)
    n += take
    if (take < batch.length) return done(true)
  }
  return done(false)
}

export interface PatternsResult {
  since: string
  baselineFrom: string
  events: number
  baselineEvents: number
  patterns: PatternRow[]
  newPatterns: number
  surging: number
}

/** Count patterns in [start, end) and in the baseline [start - baselineMs, start). */
export async function runPatterns(o: {modules: ModuleLog[]; start: number; end: number; baselineMs: number; pattern?: string; signal: AbortSignal; onMissing?: (m: ModuleLog) => void}, port: LogsPort): Promise<PatternsResult> {
  const counter = new PatternCounter()
  let events = 0
  let baselineEvents = 0
  const read = async (start: number, end: number, add: (module: string, e: TaggedEvent) => void) => {
    await Promise.all(
      o.modules.map(async (m) => {
        for await (const e of moduleEvents(port, m, {start, end: end - 1, pattern: o.pattern, signal: o.signal, onMissing: o.onMissing})) add(m.module, e)
      }),
    )
  }
  await Promise.all([
    read(o.start, o.end + 1, (module, e) => {
      events++
      counter.addCurrent(module, e.message, e.timestamp)
    }),
    read(o.start - o.baselineMs, o.start, (module, e) => {
      baselineEvents++
      counter.addBaseline(module, e.message)
    }),
  ])
  const patterns = counter.rows(o.end - o.start, o.baselineMs)
  return {
    since: new Date(o.start).toISOString(),
    baselineFrom: new Date(o.start - o.baselineMs).toISOString(),
    events,
    baselineEvents,
    patterns,
    newPatterns: patterns.filter((p) => p.status === 'new').length,
    surging: patterns.filter((p) => p.status === 'surge').length,
  }
}
