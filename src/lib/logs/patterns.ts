/**
 * `impress logs --patterns`: lines grouped into patterns (times, ids, numbers and quoted values
 * masked), counted per module in the window and in the baseline before it, and marked `new`
 * (never seen in the baseline) or `surge` (much more frequent than in the baseline, per hour).
 */

const LAMBDA_PREFIX = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z\t[0-9a-f-]{36}\t(\w+)\t/
const RULES: [RegExp, string][] = [
  [/\d{4}-\d{2}-\d{2}[T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>'],
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<id>'],
  [/"(?:[^"\\]|\\.)*"/g, '"<str>"'],
  [/'(?:[^'\\]|\\.)*'/g, "'<str>'"],
  [/-?\b\d+(\.\d+)?\b/g, '<n>'],
]

/** The pattern of one line. JSON string values stay readable: only values, not keys, are masked. */
export function patternOf(message: string): string {
  let text = message.trimEnd()
  const lambda = LAMBDA_PREFIX.exec(text)
  if (lambda) text = `${lambda[1]} ${text.slice(lambda[0].length)}`
  // JSON object bodies: mask the values of keys other than error types.
  text = text.replace(/"(\w+)":"((?:[^"\\]|\\.)*)"/g, (_m, k: string, v: string) => (/type|level|code|name/i.test(k) ? `"${k}":"${v}"` : `"${k}":"${maskPlain(v)}"`))
  return maskOutsideJsonKeys(text)
}

function maskPlain(v: string): string {
  let t = v
  for (const [re, to] of RULES) if (to !== '"<str>"' && to !== "'<str>'") t = t.replace(re, to)
  return t
}

function maskOutsideJsonKeys(text: string): string {
  // Keep "key": and "type":"Value" pairs; mask other quoted strings and the rest.
  const kept: string[] = []
  const protectedText = text.replace(/"(\w+)":("(?:[^"\\]|\\.)*")?/g, (m) => {
    kept.push(m)
    return `${MARK}${letters(kept.length - 1)}${MARK}`
  })
  let t = protectedText
  for (const [re, to] of RULES) t = t.replace(re, to)
  return t.replace(KEPT, (_m, l: string) => kept[fromLetters(l)])
}

const MARK = '\u0001'
const KEPT = new RegExp(`${MARK}([g-z]+)${MARK}`, 'g')
// Placeholders without digits, so the number rule leaves them alone.
const letters = (n: number): string => (n < 20 ? String.fromCharCode(103 + n) : letters(Math.floor(n / 20) - 1) + String.fromCharCode(103 + (n % 20)))
const fromLetters = (l: string): number => [...l].reduce((acc, ch, i) => (i === l.length - 1 ? acc * 20 + (ch.charCodeAt(0) - 103) : (acc * 20 + (ch.charCodeAt(0) - 103) + 1)), 0)

export interface PatternRow {
  module: string
  pattern: string
  count: number
  baseline: number
  /** new: not in the baseline; surge: at least SURGE times its baseline hourly rate. */
  status: 'new' | 'surge' | 'usual'
  example: string
  firstSeen: string
}

export const SURGE = 5
/** Distinct patterns kept per module (the rest are counted under "<other>"). */
export const MAX_PATTERNS = 5000

export class PatternCounter {
  private readonly current = new Map<string, {count: number; example: string; first: number}>()
  private readonly base = new Map<string, number>()

  addCurrent(module: string, message: string, t: number): void {
    const key = this.key(module, message, this.current)
    const c = this.current.get(key)
    if (c) c.count++
    else this.current.set(key, {count: 1, example: message.trimEnd().slice(0, 300), first: t})
  }

  addBaseline(module: string, message: string): void {
    const key = `${module}\u0001${patternOf(message)}`
    if (this.base.has(key) || this.base.size < MAX_PATTERNS * 4) this.base.set(key, (this.base.get(key) ?? 0) + 1)
  }

  private key(module: string, message: string, map: Map<string, unknown>): string {
    const key = `${module}\u0001${patternOf(message)}`
    return map.has(key) || map.size < MAX_PATTERNS ? key : `${module}\u0001<other>`
  }

  rows(windowMs: number, baselineMs: number): PatternRow[] {
    const rows: PatternRow[] = []
    for (const [key, c] of this.current) {
      const [module, pattern] = key.split('\u0001')
      const baseline = this.base.get(key) ?? 0
      const rate = c.count / windowMs
      const baseRate = baseline / baselineMs
      const status = baseline === 0 && baselineMs > 0 ? 'new' : baseRate > 0 && rate >= SURGE * baseRate && c.count >= 3 ? 'surge' : 'usual'
      rows.push({module, pattern, count: c.count, baseline, status, example: c.example, firstSeen: new Date(c.first).toISOString()})
    }
    const rank = {new: 0, surge: 1, usual: 2}
    return rows.sort((a, b) => rank[a.status] - rank[b.status] || b.count - a.count || a.module.localeCompare(b.module))
  }
}
