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
    if (typeof span === 'number' && Number.isFinite(span)) {
      const d = new Date(now.getTime() - span)
      if (isValidDate(d)) return d
      throw new UsageError(`${flag} expects a time, got "${input}": that is further back than any date.`, {hint: 'Use ISO 8601 (2026-11-20T03:00:00Z) or a relative time such as "2h ago".'})
    }
  }
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) && isCalendarDay(text)) {
    const d = new Date(text)
    if (isValidDate(d)) return d
  }
  throw new UsageError(`${flag} expects a time, got "${input}".`, {hint: 'Use ISO 8601 (2026-11-20T03:00:00Z) or a relative time such as "2h ago".'})
}

/** A Date inside JavaScript's range (an overflowing "99999999999999d ago" is not one). */
export function isValidDate(d: Date): boolean {
  return !Number.isNaN(d.getTime())
}

/** YYYY-MM-DD (the start of `text`) names a day of the calendar: 2026-02-30 is refused, not read as March 2 (found by the bad-input sweep, issue 17). */
export function isCalendarDay(text: string): boolean {
  const [y, m, d] = text.slice(0, 10).split('-').map(Number)
  return m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate()
}
