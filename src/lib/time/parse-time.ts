/**
 * Times on the command line: ISO 8601 (2026-11-20T03:00:00Z, 2026-11-20) or relative
 * ("2h ago", "90m ago"). Relative forms count back from `now`.
 */
import ms from 'ms'
import {UsageError} from '../errors.js'

export function parseTime(input: string, flag: string, now: Date = new Date()): Date {
  const text = input.trim()
  const rel = /^(\d+(?:\.\d+)?\s*[a-z]+)(\s+ago)?$/i.exec(text)
  if (rel) {
    const span = ms(rel[1].replace(/\s+/g, '') as ms.StringValue)
    if (typeof span === 'number' && Number.isFinite(span)) return new Date(now.getTime() - span)
  }
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    const d = new Date(text)
    if (!Number.isNaN(d.getTime())) return d
  }
  throw new UsageError(`${flag} expects a time, got "${input}".`, {hint: 'Use ISO 8601 (2026-11-20T03:00:00Z) or a relative time such as "2h ago".'})
}
