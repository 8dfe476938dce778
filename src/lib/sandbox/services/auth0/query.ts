/**
 * The subset of the user search query syntax (search engine v3, Lucene) the sandbox
 * understands: `field:value`, `field:"quoted value"`, ranges `field:[a TO b]` with `{`/`}` for
 * exclusive bounds and `*` for open ends, and `AND` between terms. Fields: email, user_id,
 * name, created_at, identities.connection. Anything else is a 400, as an unsupported query is.
 */
import type {User} from './seed.js'

export type Predicate = (u: User) => boolean

const FIELDS: Record<string, (u: User) => string> = {
  email: (u) => u.email,
  user_id: (u) => u.user_id,
  name: (u) => u.name,
  created_at: (u) => u.created_at,
  'identities.connection': (u) => u.connection,
}

export class QueryError extends Error {}

export function parseUserQuery(q: string): Predicate {
  const terms = q.trim().split(/\s+AND\s+/)
  const preds = terms.map(parseTerm)
  return (u) => preds.every((p) => p(u))
}

function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v
}

function parseTerm(term: string): Predicate {
  const m = /^([A-Za-z_.]+):(.+)$/.exec(term.trim())
  if (!m) throw new QueryError(`Unsupported query term "${term}"`)
  const get = FIELDS[m[1]]
  if (!get) throw new QueryError(`Field "${m[1]}" is not searchable in the sandbox`)
  const value = m[2].trim()
  const range = /^([[{])\s*(\S+)\s+TO\s+(\S+)\s*([\]}])$/.exec(value)
  if (range) {
    const [, open, lo, hi, close] = range
    const low = unquote(lo)
    const high = unquote(hi)
    return (u) => {
      const v = get(u)
      if (low !== '*' && (open === '[' ? v < low : v <= low)) return false
      if (high !== '*' && (close === ']' ? v > high : v >= high)) return false
      return true
    }
  }
  const exact = unquote(value)
  if (exact.endsWith('*') && !value.startsWith('"')) {
    const prefix = exact.slice(0, -1)
    return (u) => get(u).startsWith(prefix)
  }
  return (u) => get(u) === exact
}
