/**
 * `impress logs --follow`: poll every module's group from where it was, with an overlap window
 * (CloudWatch Logs makes an event searchable some seconds after its timestamp, and Lambda
 * writes an invocation's START when it ends), print each round's new events in time order,
 * dedupe by eventId across polls and retries. Ids are kept for the overlap window only.
 */
import type {LogsPort} from '../monitor/ports.js'
import {sleep} from '../time/sleep.js'
import {moduleEvents, type ModuleLog, type TaggedEvent} from './merge.js'

export interface FollowOptions {
  start: number
  pattern?: string
  signal: AbortSignal
  intervalMs: number
  /** How far back each poll looks again for late events. */
  overlapMs: number
  onMissing?: (m: ModuleLog) => void
  now?: () => number
}

export async function* followEvents(port: LogsPort, modules: ModuleLog[], o: FollowOptions): AsyncGenerator<TaggedEvent> {
  const now = o.now ?? Date.now
  const seen = modules.map(() => new Map<string, number>())
  const from = modules.map(() => o.start)
  const warned = new Set<string>()
  while (!o.signal.aborted) {
    const end = now()
    const rounds = await Promise.all(
      modules.map(async (m, i) => {
        const fresh: TaggedEvent[] = []
        for await (const e of moduleEvents(port, m, {start: from[i], end, pattern: o.pattern, signal: o.signal, onMissing: (x) => !warned.has(x.module) && (warned.add(x.module), o.onMissing?.(x))})) {
          if (seen[i].has(e.eventId)) continue
          seen[i].set(e.eventId, e.timestamp)
          fresh.push(e)
        }
        const newest = Math.max(from[i], ...fresh.map((e) => e.timestamp))
        from[i] = Math.max(o.start, Math.min(newest, end) - o.overlapMs)
        for (const [id, t] of seen[i]) if (t < from[i]) seen[i].delete(id)
        return fresh
      }),
    ).catch((error: unknown) => {
      if (o.signal.aborted) return undefined
      throw error
    })
    if (!rounds) return
    const batch = rounds.flat().sort((a, b) => a.timestamp - b.timestamp || modules.findIndex((m) => m.module === a.module) - modules.findIndex((m) => m.module === b.module))
    for (const e of batch) {
      if (o.signal.aborted) return
      yield e
    }
    await sleep(o.intervalMs, o.signal, null)
  }
}
