/**
 * Log groups, streams and events of the CloudWatch Logs emulation, in one state document
 * (`logs/groups.json`). Events written (PutLogEvents, Lambda invocations) are stored compactly
 * and capped per group; the demo history of a Lambda group is not stored at all: it is
 * generated on read from a small seed (`SeededHistory`), deterministic per event index, so a
 * week of lines (or 100,000 a day for the benchmark) costs a few bytes of state.
 */
import {createHash} from 'node:crypto'
import type {StateStore} from '../../state.js'

/** [timestamp, stream, message, ingestionTime, seq] */
export type StoredEvent = [number, string, string, number, number]

export interface SeededHistory {
  module: string
  /** Invocations are spread evenly over [from, to) (epoch ms). */
  from: number
  to: number
  invocations: number
  /** Start of the window (epoch ms) in which the "new" error pattern appears (today). */
  newPatternFrom: number
  memoryMb: number
}

export interface MetricFilter {
  filterName: string
  filterPattern: string
  metricTransformations: {metricName: string; metricNamespace: string; metricValue: string; defaultValue?: number}[]
  creationTime: number
}

export interface LogGroup {
  name: string
  createdAt: number
  retentionInDays?: number
  streams: {name: string; createdAt: number}[]
  events: StoredEvent[]
  seq: number
  seeded?: SeededHistory
  metricFilters: MetricFilter[]
}

export interface LogsState {
  groups: LogGroup[]
}

/** Newest written events kept per group (older ones drop, like a retention period). */
export const MAX_STORED_EVENTS = 50_000
export const LOGS_DOC = 'groups'

export function openLogs(state: StateStore, seed: () => LogsState = () => ({groups: []})) {
  return state.open<LogsState>('logs', LOGS_DOC, seed)
}

export function newGroup(name: string, createdAt: number): LogGroup {
  return {name, createdAt, streams: [], events: [], seq: 0, metricFilters: []}
}

/** First index in the sorted stored events whose (t, seq) is after the cursor. */
export function storedIndexAfter(events: StoredEvent[], t: number, seq: number): number {
  let lo = 0
  let hi = events.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    const e = events[mid]
    if (e[0] < t || (e[0] === t && e[4] <= seq)) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Append events to a group's stream, keeping the events sorted by (timestamp, seq). */
export function appendEvents(group: LogGroup, stream: string, events: {timestamp: number; message: string}[], now: number): void {
  if (!group.streams.some((s) => s.name === stream)) group.streams.push({name: stream, createdAt: now})
  for (const e of events) {
    const seq = ++group.seq
    const rec: StoredEvent = [e.timestamp, stream, e.message, now, seq]
    const last = group.events.at(-1)
    if (!last || last[0] <= e.timestamp) group.events.push(rec)
    else group.events.splice(storedIndexAfter(group.events, e.timestamp, seq), 0, rec)
  }
  if (group.events.length > MAX_STORED_EVENTS) group.events.splice(0, group.events.length - MAX_STORED_EVENTS)
}

// ---- the generated history of a demo Lambda group ----------------------------------------

const LINES_PER_INVOCATION = 4

function hash32(s: string): number {
  let h = 2166136261
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0
  return h
}

function invocationTime(h: SeededHistory, j: number): number {
  return h.from + Math.floor((j * (h.to - h.from)) / h.invocations)
}

let lastDuration = {h: undefined as SeededHistory | undefined, j: -1, d: 0}

/** An invocation's duration (the four lines of an invocation ask for it in turn: the last one is kept). */
function durationOf(h: SeededHistory, j: number): number {
  if (lastDuration.h === h && lastDuration.j === j) return lastDuration.d
  lastDuration = {h, j, d: computeDuration(h, j)}
  return lastDuration.d
}

function computeDuration(h: SeededHistory, j: number): number {
  const spacing = (h.to - h.from) / h.invocations
  const d = 20 + (hash32(`${h.module}:${j}`) % 380)
  // Lines of one invocation stay before the next invocation starts.
  return Math.max(1, Math.min(d, Math.floor(spacing / 2)))
}

let lastId = {key: '', id: ''}

function requestId(h: SeededHistory, j: number): string {
  const key = `${h.module}/${j}`
  if (lastId.key === key) return lastId.id
  lastId = {key, id: computeRequestId(h, j)}
  return lastId.id
}

function computeRequestId(h: SeededHistory, j: number): string {
  const hex = createHash('md5').update(`${h.module}/${j}`).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/** Total events the history generates. */
export function seededCount(h: SeededHistory): number {
  return h.invocations * LINES_PER_INVOCATION
}

/** Timestamp of generated event k. */
export function seededTime(h: SeededHistory, k: number): number {
  const j = Math.floor(k / LINES_PER_INVOCATION)
  const r = k % LINES_PER_INVOCATION
  const t = invocationTime(h, j)
  const d = durationOf(h, j)
  return t + [0, Math.floor(d / 2), d, d][r]
}

/** The first generated index whose timestamp is >= t. */
export function seededIndexAt(h: SeededHistory, t: number): number {
  const n = seededCount(h)
  if (t <= h.from) return 0
  let j = Math.max(0, Math.floor(((t - h.from) * h.invocations) / (h.to - h.from)) - 1)
  let k = j * LINES_PER_INVOCATION
  while (k < n && seededTime(h, k) < t) k++
  j = k
  return j
}

const streamNames = new Map<string, string>()

/** The day's stream of a generated history (memoised: one per module and day). */
let lastStream = {module: '', day: Number.NaN, name: ''}

export function streamNameFor(t: number, module: string): string {
  const dayIndex = Math.floor(t / 86_400_000)
  if (lastStream.day === dayIndex && lastStream.module === module) return lastStream.name
  const key = `${module}/${dayIndex}`
  let name = streamNames.get(key)
  if (name === undefined) {
    if (streamNames.size > 10_000) streamNames.clear()
    name = computeStreamName(t, module)
    streamNames.set(key, name)
  }
  lastStream = {module, day: dayIndex, name}
  return name
}

function computeStreamName(t: number, module: string): string {
  const d = new Date(t)
  const day = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`
  return `${day}/[3]${createHash('md5').update(`${module}${day}`).digest('hex').slice(0, 32)}`
}

const WORK = ['rendered', 'processed', 'stored', 'fetched', 'sent']

/** Message of generated event k: START, one line of output, END, REPORT. */
export function seededMessage(h: SeededHistory, k: number): string {
  const j = Math.floor(k / LINES_PER_INVOCATION)
  const r = k % LINES_PER_INVOCATION
  const id = requestId(h, j)
  const t = invocationTime(h, j)
  const d = durationOf(h, j)
  const x = hash32(`${id}x`)
  switch (r) {
    case 0:
      return `START RequestId: ${id} Version: 3\n`
    case 1: {
      const at = new Date(t + Math.floor(d / 2)).toISOString()
      if (t >= h.newPatternFrom && j % 7 === 3) {
        return `${at}\t${id}\tERROR\tInvoke Error \t{"errorType":"PoolExhaustedError","errorMessage":"Aurora connection pool exhausted after ${1000 + (x % 4000)} ms (pool size 10)"}\n`
      }
      if (j % 53 === 11) return `${at}\t${id}\tERROR\tInvoke Error \t{"errorType":"Error","errorMessage":"upstream request ${x % 100000} failed: ECONNRESET"}\n`
      if (j % 17 === 5) return `${at}\t${id}\tWARN\tretrying job ${x % 100000} (attempt ${1 + (x % 3)})\n`
      return `${at}\t${id}\tINFO\t${WORK[x % WORK.length]} ${1 + (x % 500)} items for tenant ${x % 40} in ${d} ms\n`
    }
    case 2:
      return `END RequestId: ${id}\n`
    default:
      return `REPORT RequestId: ${id}\tDuration: ${d}.${x % 100} ms\tBilled Duration: ${d + 1} ms\tMemory Size: ${h.memoryMb} MB\tMax Memory Used: ${60 + (x % 60)} MB\t\n`
  }
}

/** A generated event id (stored ones are "1" + seq, so the two never collide). */
export function seededEventId(k: number): string {
  return `0${String(k).padStart(12, '0')}`
}

export function storedEventId(seq: number): string {
  return `1${String(seq).padStart(12, '0')}`
}

/** The demo history of a module's group: `perDay` events a day for a week, the new pattern in the last 6 hours. */
export function demoHistory(module: string, now: number, eventsPerDay: number, memoryMb: number): SeededHistory {
  const days = 7
  const invocations = Math.max(1, Math.round((eventsPerDay * days) / LINES_PER_INVOCATION))
  // Modules are invoked at different moments: each history is shifted by a phase of its own.
  const phase = hash32(module) % Math.max(1, Math.floor((days * 86_400_000) / invocations))
  const to = now - 60_000 - phase
  // Only one module shows the new error pattern today.
  const newPatternFrom = module === 'request' ? to - 6 * 3600_000 : Number.POSITIVE_INFINITY
  return {module, from: to - days * 86_400_000, to, invocations, newPatternFrom: Number.isFinite(newPatternFrom) ? newPatternFrom : to + 1, memoryMb}
}
