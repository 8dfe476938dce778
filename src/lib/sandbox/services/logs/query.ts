/**
 * Reading a log group in time order: its generated history and its stored events merged by
 * (timestamp, origin, index), from a cursor, with a matcher, a time range and a stream filter.
 * The cursor is what FilterLogEvents's nextToken carries.
 */
import type {Matcher} from './filter-pattern.js'
import {seededCount, seededEventId, seededIndexAt, seededMessage, seededTime, storedEventId, storedIndexAfter, streamNameFor, type LogGroup} from './store.js'

export interface Cursor {
  /** Next generated index. */
  g: number
  /** Last stored event returned or skipped: (timestamp, seq). */
  st: number
  sq: number
}

export interface OutEvent {
  logStreamName: string
  timestamp: number
  message: string
  ingestionTime: number
  eventId: string
}

export interface ScanOptions {
  start: number
  end: number
  match: Matcher
  stream?: (name: string) => boolean
  limit: number
  /** Events examined per call at most (AWS also stops early and returns a nextToken). */
  budget: number
  /** Bytes of matched events per call at most (message bytes + 26 each; AWS: 1 MB a page). */
  maxBytes?: number
}

export function startCursor(group: LogGroup, start: number): Cursor {
  return {g: group.seeded ? seededIndexAt(group.seeded, start) : 0, st: start - 1, sq: Number.MAX_SAFE_INTEGER}
}

/** Scan from the cursor; returns the events and the next cursor, or undefined when the range is exhausted. */
export function scan(group: LogGroup, cursor: Cursor, o: ScanOptions): {events: OutEvent[]; next?: Cursor} {
  const h = group.seeded
  const gEnd = h ? seededCount(h) : 0
  let g = cursor.g
  let s = storedIndexAfter(group.events, cursor.st, cursor.sq)
  let st = cursor.st
  let sq = cursor.sq
  const out: OutEvent[] = []
  let examined = 0
  let bytes = 0
  const maxBytes = o.maxBytes ?? Number.POSITIVE_INFINITY
  const fits = (message: string): boolean => {
    if (maxBytes === Number.POSITIVE_INFINITY) return true
    const size = Buffer.byteLength(message) + 26
    if (out.length > 0 && bytes + size > maxBytes) return false
    bytes += size
    return true
  }
  for (;;) {
    const gt = h && g < gEnd ? seededTime(h, g) : Number.POSITIVE_INFINITY
    const se = group.events[s]
    const stt = se ? se[0] : Number.POSITIVE_INFINITY
    const t = Math.min(gt, stt)
    if (t > o.end || t === Number.POSITIVE_INFINITY) return {events: out}
    if (out.length >= o.limit || examined >= o.budget) return {events: out, next: {g, st, sq}}
    examined++
    if (gt <= stt) {
      const stream = streamNameFor(gt, h!.module)
      if (gt >= o.start && (!o.stream || o.stream(stream))) {
        const message = seededMessage(h!, g)
        if (o.match(message)) {
          // The page is full (1 MB): this event starts the next one.
          if (!fits(message)) return {events: out, next: {g, st, sq}}
          out.push({logStreamName: stream, timestamp: gt, message, ingestionTime: gt + 180, eventId: seededEventId(g)})
        }
      }
      g++
    } else {
      const [t0, stream, message, ingestion, seq] = se!
      if (t0 >= o.start && (!o.stream || o.stream(stream)) && o.match(message)) {
        if (!fits(message)) return {events: out, next: {g, st, sq}}
        out.push({logStreamName: stream, timestamp: t0, message, ingestionTime: ingestion, eventId: storedEventId(seq)})
      }
      st = t0
      sq = seq
      s++
    }
  }
}

export function encodeCursor(c: Cursor, queryKey: string): string {
  return Buffer.from(JSON.stringify({...c, k: queryKey})).toString('base64url')
}

export function decodeCursor(token: string, queryKey: string): Cursor | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor & {k: string}
    if (v.k !== queryKey || typeof v.g !== 'number' || typeof v.st !== 'number' || typeof v.sq !== 'number') return undefined
    return {g: v.g, st: v.st, sq: v.sq}
  } catch {
    return undefined
  }
}
