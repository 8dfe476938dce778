/**
 * CloudWatch Logs filter patterns
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html), the
 * parts the sandbox models:
 * - unstructured terms, case-sensitive: `ERROR`, quoted phrases `"Task timed out"`, all must
 *   match (AND); `-term` excludes; `?term ?other` matches any of the `?` terms (OR);
 * - JSON patterns `{ $.level = "ERROR" }`, `{ $.status != 200 }`: `=` / `!=` on a string (with
 *   `*` wildcards) or a number, selectors `$.a.b` and `$.a[0]`, joined with `&&` or `||`
 *   (one kind per pattern, no parentheses).
 * Everything else the syntax allows (space-delimited `[a, b]` patterns, `%regex%`, `<`/`>`
 * comparisons, `IS NULL`, `EXISTS`, parentheses, `?` mixed with AND terms) throws
 * UnsupportedPattern: the sandbox refuses it rather than match something else. A pattern that
 * is not valid syntax throws InvalidPattern (AWS: InvalidParameterException).
 */

export class InvalidPattern extends Error {}
export class UnsupportedPattern extends Error {}

export type Matcher = (message: string) => boolean

interface JsonCondition {
  path: (string | number)[]
  op: '=' | '!='
  value: string | number
}

const TERM_CHARS = /^[A-Za-z0-9_]+$/

/** Compile a pattern to a matcher; the empty pattern matches every event. */
export function compileFilterPattern(pattern: string | undefined): Matcher {
  const text = (pattern ?? '').trim()
  if (text === '') return () => true
  if (text.startsWith('{')) return compileJson(text)
  if (text.startsWith('[')) throw new UnsupportedPattern('space-delimited filter patterns ([field, …]) are not modelled by the sandbox')
  if (text.startsWith('%')) throw new UnsupportedPattern('regular-expression filter patterns (%…%) are not modelled by the sandbox')
  return compileTerms(text)
}

function compileTerms(text: string): Matcher {
  const include: string[] = []
  const exclude: string[] = []
  const any: string[] = []
  let i = 0
  while (i < text.length) {
    if (text[i] === ' ') {
      i++
      continue
    }
    let kind: 'and' | 'not' | 'or' = 'and'
    if (text[i] === '-' || text[i] === '?') {
      kind = text[i] === '-' ? 'not' : 'or'
      i++
    }
    let term: string
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1)
      if (end < 0) throw new InvalidPattern('Invalid filter pattern: unbalanced quotes')
      term = text.slice(i + 1, end)
      i = end + 1
      if (i < text.length && text[i] !== ' ') throw new InvalidPattern('Invalid filter pattern: a quoted term must be followed by a space')
    } else {
      let end = text.indexOf(' ', i)
      if (end < 0) end = text.length
      term = text.slice(i, end)
      i = end
      if (term === '') throw new InvalidPattern('Invalid filter pattern: an operator without a term')
      if (!TERM_CHARS.test(term)) throw new InvalidPattern(`Invalid filter pattern: the term ${term} has characters other than letters, digits and _ (quote it: "${term}")`)
    }
    if (term === '') throw new InvalidPattern('Invalid filter pattern: an empty quoted term')
    if (kind === 'and') include.push(term)
    else if (kind === 'not') exclude.push(term)
    else any.push(term)
  }
  if (any.length > 0 && (include.length > 0 || exclude.length > 0)) {
    throw new UnsupportedPattern('?term (OR) combined with other terms is not modelled by the sandbox')
  }
  if (any.length > 0) return (m) => any.some((t) => m.includes(t))
  return (m) => include.every((t) => m.includes(t)) && !exclude.some((t) => m.includes(t))
}

function compileJson(text: string): Matcher {
  if (!text.endsWith('}')) throw new InvalidPattern('Invalid filter pattern: a JSON pattern must end with }')
  const body = text.slice(1, -1).trim()
  if (body === '') throw new InvalidPattern('Invalid filter pattern: an empty JSON pattern')
  if (/[()]/.test(body.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) throw new UnsupportedPattern('parentheses in JSON filter patterns are not modelled by the sandbox')
  const stripped = body.replace(/"(?:[^"\\]|\\.)*"/g, '""')
  const hasAnd = stripped.includes('&&')
  const hasOr = stripped.includes('||')
  if (hasAnd && hasOr) throw new UnsupportedPattern('JSON filter patterns mixing && and || are not modelled by the sandbox')
  const parts = splitOutsideQuotes(body, hasOr ? '||' : '&&')
  const conditions = parts.map((p) => parseCondition(p.trim()))
  return (m) => {
    let doc: unknown
    try {
      doc = JSON.parse(m)
    } catch {
      return false
    }
    if (typeof doc !== 'object' || doc === null) return false
    const results = conditions.map((c) => test(doc, c))
    return hasOr ? results.some(Boolean) : results.every(Boolean)
  }
}

function splitOutsideQuotes(text: string, sep: string): string[] {
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '"' && text[i - 1] !== '\\') quoted = !quoted
    if (!quoted && text.startsWith(sep, i)) {
      out.push(cur)
      cur = ''
      i += sep.length - 1
      continue
    }
    cur += ch
  }
  if (quoted) throw new InvalidPattern('Invalid filter pattern: unbalanced quotes')
  out.push(cur)
  return out
}

const CONDITION = /^\$((?:\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\])+)\s*(=|!=|<=|>=|<|>|IS|NOT)\s*(.*)$/

function parseCondition(text: string): JsonCondition {
  if (text === '') throw new InvalidPattern('Invalid filter pattern: an empty condition')
  const m = CONDITION.exec(text)
  if (!m) {
    if (/^\$[.[]/.test(text) && /\b(EXISTS|IS)\b/.test(text)) throw new UnsupportedPattern('IS NULL / EXISTS in JSON filter patterns are not modelled by the sandbox')
    throw new InvalidPattern(`Invalid filter pattern: "${text}" is not a condition of the form $.field = value`)
  }
  const [, selector, op, rawValue] = m
  if (op !== '=' && op !== '!=') throw new UnsupportedPattern(`the ${op} operator in JSON filter patterns is not modelled by the sandbox (only = and !=)`)
  const path: (string | number)[] = []
  for (const seg of selector.matchAll(/\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]/g)) path.push(seg[1] ?? Number(seg[2]))
  const v = rawValue.trim()
  let value: string | number
  if (v.startsWith('"')) {
    if (!v.endsWith('"') || v.length < 2) throw new InvalidPattern('Invalid filter pattern: unbalanced quotes')
    value = v.slice(1, -1)
  } else if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v)) {
    value = Number(v)
  } else if (/^[A-Za-z0-9_*.-]+$/.test(v)) {
    value = v
  } else {
    throw new InvalidPattern(`Invalid filter pattern: "${v}" is not a string or a number`)
  }
  return {path, op, value}
}

function test(doc: unknown, c: JsonCondition): boolean {
  let cur: unknown = doc
  for (const seg of c.path) {
    if (cur === null || typeof cur !== 'object') return false
    cur = (cur as Record<string | number, unknown>)[seg]
  }
  if (cur === undefined) return false
  let equal: boolean
  if (typeof c.value === 'number') equal = typeof cur === 'number' && cur === c.value
  else if (typeof cur === 'string' || typeof cur === 'number' || typeof cur === 'boolean') equal = wildcard(c.value).test(String(cur))
  else equal = false
  return c.op === '=' ? equal : !equal
}

function wildcard(value: string): RegExp {
  return new RegExp(`^${value.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`)
}
