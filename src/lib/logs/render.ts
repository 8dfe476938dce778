/** How `impress logs` prints: one line per event with its module, or JSON lines; the patterns table. */
import type {ChalkInstance} from 'chalk'
import {renderTable} from '../ui/table.js'
import type {TaggedEvent} from './merge.js'
import type {PatternsResult} from './run.js'

const COLORS = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'red'] as const

export function eventLine(e: TaggedEvent, width: number, color: ChalkInstance, index: number): string {
  const time = new Date(e.timestamp).toISOString().replace('T', ' ').replace('Z', '')
  const paint = color[COLORS[index % COLORS.length]]
  // Multi-line messages (stack traces) stay under their prefix.
  const message = e.message.replace(/\s+$/, '').replace(/\n/g, `\n${' '.repeat(width + 26)}`)
  return `${color.dim(time)} ${paint(e.module.padEnd(width))}  ${message}`
}

export function eventJson(e: TaggedEvent): string {
  const message = e.message.endsWith('\n') ? e.message.slice(0, -1) : e.message
  return JSON.stringify({module: e.module, timestamp: new Date(e.timestamp).toISOString(), message, logStream: e.logStreamName, eventId: e.eventId})
}

export function renderPatterns(r: PatternsResult, color: ChalkInstance, max = 40): string {
  const rows = r.patterns.slice(0, max).map((p) => [p.status === 'new' ? color.red('NEW') : p.status === 'surge' ? color.yellow('SURGE') : '', p.module, String(p.count), String(p.baseline), p.pattern.length > 120 ? `${p.pattern.slice(0, 117)}...` : p.pattern])
  const head = `${r.events} event(s) since ${r.since}, baseline ${r.baselineEvents} event(s) from ${r.baselineFrom}: ${r.patterns.length} pattern(s), ${r.newPatterns} new, ${r.surging} much more frequent.`
  const more = r.patterns.length > max ? `\n… ${r.patterns.length - max} more (use --json for all).` : ''
  return `${head}\n${renderTable(['', 'module', 'count', 'baseline', 'pattern'], rows)}${more}`
}
