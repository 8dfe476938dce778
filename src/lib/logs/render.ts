/** How `impress logs` prints: one line per event with its module, or JSON lines; the patterns table. */
import type {ChalkInstance} from 'chalk'
import {renderTable} from '../ui/table.js'
import type {TaggedEvent} from './merge.js'
import type {PatternsResult} from './run.js'

const COLORS = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'red'] as const

export function eventLine(e: TaggedEvent, width: number, color: ChalkInstance, index: number): string {
  const time = isoTime(e.timestamp).replace('T', ' ').replace('Z', '')
  const paint = color[COLORS[index % COLORS.length]]
  // Multi-line messages (stack traces) stay under their prefix.
  const message = e.message.replace(/\s+$/, '').replace(/\n/g, `\n${' '.repeat(width + 26)}`)
  return `${color.dim(time)} ${paint(e.module.padEnd(width))}  ${message}`
}

let isoSecond = Number.NaN
let isoPrefix = ''

/** new Date(t).toISOString(), the "YYYY-MM-DDTHH:MM:SS." part computed once per second (events come in time order). */
export function isoTime(t: number): string {
  // Outside years 0000-9999 (or a fractional ms) toISOString has another shape: no cache there.
  if (!(Number.isInteger(t) && t >= 0 && t < 253_402_300_800_000)) return new Date(t).toISOString()
  const second = Math.floor(t / 1000)
  if (second !== isoSecond) {
    isoSecond = second
    isoPrefix = new Date(second * 1000).toISOString().slice(0, 20)
  }
  const ms = t - second * 1000
  return `${isoPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`
}

/** One JSON line: the same text as JSON.stringify of {module, timestamp, message, logStream, eventId}, built without an object per event. */
export function eventJson(e: TaggedEvent): string {
  const message = e.message.endsWith('\n') ? e.message.slice(0, -1) : e.message
  return `{"module":${JSON.stringify(e.module)},"timestamp":"${isoTime(e.timestamp)}","message":${JSON.stringify(message)},"logStream":${JSON.stringify(e.logStreamName)},"eventId":${JSON.stringify(e.eventId)}}`
}

export function renderPatterns(r: PatternsResult, color: ChalkInstance, max = 40): string {
  const rows = r.patterns.slice(0, max).map((p) => [p.status === 'new' ? color.red('NEW') : p.status === 'surge' ? color.yellow('SURGE') : '', p.module, String(p.count), String(p.baseline), p.pattern.length > 120 ? `${p.pattern.slice(0, 117)}...` : p.pattern])
  const head = `${r.events} event(s) since ${r.since}, baseline ${r.baselineEvents} event(s) from ${r.baselineFrom}: ${r.patterns.length} pattern(s), ${r.newPatterns} new, ${r.surging} much more frequent.`
  const more = r.patterns.length > max ? `\n… ${r.patterns.length - max} more (use --json for all).` : ''
  return `${head}\n${renderTable(['', 'module', 'count', 'baseline', 'pattern'], rows)}${more}`
}
