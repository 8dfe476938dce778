/**
 * The modules' log streams interleaved in time order: one paged stream per module, each
 * fetching its next page while the previous is being printed (so the whole takes about as
 * long as the slowest module), merged through a k-way heap that takes each stream's run of
 * events up to the next stream's head in one step (no re-sort). At most two pages per module
 * and one merged batch are held: memory stays flat however many events match.
 */
import type {LogEvent, LogsPort} from '../monitor/ports.js'

export interface ModuleLog {
  module: string
  group: string
}

export interface TaggedEvent extends LogEvent {
  module: string
}

export interface StreamOptions {
  start: number
  end: number
  pattern?: string
  signal?: AbortSignal
  /** Called when a module's log group does not exist. */
  onMissing?: (m: ModuleLog) => void
}

/** One module's events in order, a page at a time (deduped, tagged), the next page requested ahead. */
export async function* moduleBatches(port: LogsPort, m: ModuleLog, o: StreamOptions): AsyncGenerator<TaggedEvent[]> {
  type Page = Awaited<ReturnType<LogsPort['filterPage']>>
  const fetchPage = (token?: string): Promise<Page> => port.filterPage({group: m.group, start: o.start, end: o.end, pattern: o.pattern, token}, o.signal)
  let pending: Promise<Page> | undefined = fetchPage()
  let lastTs = -Infinity
  // Ids seen at the newest timestamp (usually one: reused, not reallocated per event).
  const idsAtLast: string[] = []
  while (pending) {
    const page: Page = await pending
    if (page.missing) o.onMissing?.(m)
    pending = page.nextToken ? fetchPage(page.nextToken) : undefined
    // Never let a rejected prefetch go unhandled while this page is printed.
    pending?.catch(() => undefined)
    const out: TaggedEvent[] = []
    for (const e of page.events) {
      // Dedupe by eventId (a retried or overlapping page); ids are kept for the newest timestamp only.
      if (e.timestamp < lastTs) continue
      if (e.timestamp === lastTs && idsAtLast.includes(e.eventId)) continue
      if (e.timestamp > lastTs) {
        lastTs = e.timestamp
        idsAtLast.length = 0
      }
      idsAtLast.push(e.eventId)
      // Tagged in place: a page's events are the caller's (no copy of every event).
      const tagged = e as TaggedEvent
      tagged.module = m.module
      out.push(tagged)
    }
    if (out.length > 0) yield out
  }
}

/** One module's events in order, one at a time (moduleBatches flattened). */
export async function* moduleEvents(port: LogsPort, m: ModuleLog, o: StreamOptions): AsyncGenerator<TaggedEvent> {
  for await (const batch of moduleBatches(port, m, o)) yield* batch
}

/** A binary min-heap on (timestamp, stream index). */
class Heap<T extends {key: number; idx: number}> {
  private readonly a: T[] = []
  get size(): number {
    return this.a.length
  }
  private less(i: number, j: number): boolean {
    const x = this.a[i]
    const y = this.a[j]
    return x.key < y.key || (x.key === y.key && x.idx < y.idx)
  }
  push(v: T): void {
    this.a.push(v)
    let i = this.a.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.less(i, p)) break
      ;[this.a[i], this.a[p]] = [this.a[p], this.a[i]]
      i = p
    }
  }
  peek(): T | undefined {
    return this.a[0]
  }
  pop(): T | undefined {
    const top = this.a[0]
    const last = this.a.pop()
    if (this.a.length > 0 && last) {
      this.a[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < this.a.length && this.less(l, m)) m = l
        if (r < this.a.length && this.less(r, m)) m = r
        if (m === i) break
        ;[this.a[i], this.a[m]] = [this.a[m], this.a[i]]
        i = m
      }
    }
    return top
  }
}

/** Events per merged batch handed to the writer at most (one write of whole lines each). */
export const MERGED_BATCH = 2000

/**
 * Merge ordered streams of batches into ordered batches (ties: the order of `streams`). The
 * heap runs synchronously over the pages in hand; a merged batch is handed out when a stream
 * must fetch its next page or when it holds MERGED_BATCH events, so the per-event cost is a
 * copy (a heap step per run), not an await.
 */
export async function* mergeBatches(streams: AsyncIterator<TaggedEvent[]>[]): AsyncGenerator<TaggedEvent[]> {
  const heap = new Heap<{key: number; idx: number}>()
  const buf: TaggedEvent[][] = streams.map(() => [])
  const pos = streams.map(() => 0)
  const refill = async (idx: number): Promise<void> => {
    const r = await streams[idx].next()
    if (r.done) return
    buf[idx] = r.value
    pos[idx] = 0
    heap.push({key: r.value[0].timestamp, idx})
  }
  try {
    await Promise.all(streams.map((_s, idx) => refill(idx)))
    let out: TaggedEvent[] = []
    while (heap.size > 0) {
      const head = heap.pop()!
      const idx = head.idx
      const b = buf[idx]
      // Take this stream's run of events up to the next stream's head: one heap step per run.
      const next = heap.peek()
      let p = pos[idx]
      out.push(b[p++])
      if (next) while (p < b.length && out.length < MERGED_BATCH && (b[p].timestamp < next.key || (b[p].timestamp === next.key && idx < next.idx))) out.push(b[p++])
      else while (p < b.length && out.length < MERGED_BATCH) out.push(b[p++])
      pos[idx] = p
      if (p < b.length) {
        head.key = b[p].timestamp
        heap.push(head)
        // Hand out whole batches of bounded size: the writer's backpressure paces the merge, and
        // what is held is the pages in hand plus one batch, whatever the page size.
        if (out.length >= MERGED_BATCH) {
          yield out
          out = []
        }
      } else {
        // This stream's page is spent: everything merged so far is in order; hand it out, then fetch.
        if (out.length > 0) yield out
        out = []
        await refill(idx)
      }
    }
    if (out.length > 0) yield out
  } finally {
    await Promise.all(streams.map((s) => s.return?.(undefined)))
  }
}

/** Merge ordered streams into one ordered stream (ties: the order of `streams`). */
export async function* mergeByTime(streams: AsyncIterator<TaggedEvent>[]): AsyncGenerator<TaggedEvent> {
  const batches = streams.map((s) =>
    (async function* () {
      for (;;) {
        const r = await s.next()
        if (r.done) return
        yield [r.value]
      }
    })(),
  )
  for await (const b of mergeBatches(batches)) yield* b
}
