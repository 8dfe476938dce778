/** The time range of `impress logs`: --since 1h | TIME, --until TIME (ISO 8601 or "2h ago"). */
import ms from 'ms'
import {UsageError} from '../errors.js'
import {isValidDate, parseTime} from '../time/parse-time.js'

/** A duration ("1h", "7d") counted back from now, or a time. */
export function parseSince(input: string, flag: string, now: Date): Date {
  const text = input.trim()
  if (/^\d+(\.\d+)?\s*[a-z]+$/i.test(text)) {
    const span = ms(text.replace(/\s+/g, '') as ms.StringValue)
    // An overflowing span ("99999999999999d") is no date: parseTime refuses it below.
    if (typeof span === 'number' && Number.isFinite(span) && span > 0 && isValidDate(new Date(now.getTime() - span))) return new Date(now.getTime() - span)
  }
  return parseTime(text, flag, now)
}

export function parseDuration(input: string, flag: string): number {
  const span = ms(input.trim() as ms.StringValue)
  if (typeof span !== 'number' || !Number.isFinite(span) || span <= 0) throw new UsageError(`${flag} expects a duration, got "${input}".`, {hint: 'Use a duration such as 30m, 24h or 7d.'})
  return span
}

export function timeRange(o: {since?: string; until?: string; defaultSince: string}, now = new Date()): {start: number; end: number} {
  const start = parseSince(o.since ?? o.defaultSince, '--since', now).getTime()
  const end = o.until ? parseSince(o.until, '--until', now).getTime() : now.getTime()
  if (end <= start) throw new UsageError(`--until (${new Date(end).toISOString()}) is not after --since (${new Date(start).toISOString()}).`, {hint: 'Give a --since earlier than --until.'})
  return {start, end}
}
