/**
 * CloudWatch Logs Insights, the subset people and `impress logs --query` use
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html):
 *   fields F, F…  |  filter F like /re/  F like "text"  F not like …  F = v  F != v  (joined by `and`)
 *   |  stats count(*) [as name] by bin(5m) | by F  |  sort F asc|desc  |  limit N
 * over the fields every log group has (@timestamp, @message, @logStream, @log, @ingestionTime).
 * Valid Insights syntax outside that subset is refused with `UnsupportedQuery` (the service
 * answers 501 NotImplemented naming the command), invalid syntax with `MalformedQuery`.
 */

export const QUERY_FIELDS = ['@timestamp', '@message', '@logStream', '@log', '@ingestionTime'] as const
/** Insights commands (documented) this subset does not model: named in the refusal. */
const KNOWN_COMMANDS = ['display', 'parse', 'dedup', 'unmask', 'pattern', 'diff', 'anomaly', 'unnest', 'filterIndex', 'source', 'lookup']

export class MalformedQuery extends Error {}
export class UnsupportedQuery extends Error {}

type Cond = {field: string; op: 'like' | 'not like' | '=' | '!='; value: string | number | RegExp}
export type Command =
  | {kind: 'fields'; fields: string[]}
  | {kind: 'filter'; conds: Cond[]}
  | {kind: 'stats'; as: string; by: {field: string; binMs?: number; name: string}}
  | {kind: 'sort'; field: string; desc: boolean}
  | {kind: 'limit'; n: number}

export interface QueryRecord {
  '@timestamp': number
  '@message': string
  '@logStream': string
  '@log': string
  '@ingestionTime': number
  '@ptr': string
}

/** Split on `|` outside quotes and regex literals. */
function splitPipes(q: string): string[] {
  const parts: string[] = []
  let cur = ''
  let quote = ''
  let regex = false
  for (let i = 0; i < q.length; i++) {
    const c = q[i]
    if (quote || regex) {
      cur += c
      if (c === '\\') cur += q[++i] ?? ''
      else if (quote && c === quote) quote = ''
      else if (regex && c === '/') regex = false
      continue
    }
    if (c === '"' || c === "'") quote = c
    else if (c === '/' && /(like|=~)\s*$/.test(cur)) regex = true
    else if (c === '|') {
      parts.push(cur.trim())
      cur = ''
      continue
    }
    cur += c
  }
  if (quote || regex) throw new MalformedQuery(`unterminated ${quote ? 'string' : 'regular expression'} in the query`)
  parts.push(cur.trim())
  return parts
}

const FIELD = /^@?[A-Za-z_][\w.]*$/

function field(name: string, where: string): string {
  if (!FIELD.test(name)) throw new MalformedQuery(`${where}: "${name}" is not a field name`)
  if (!(QUERY_FIELDS as readonly string[]).includes(name)) throw new UnsupportedQuery(`${where}: field ${name} (only ${QUERY_FIELDS.join(', ')} are modelled; no field discovery)`)
  return name
}

function parseValue(raw: string): string | number {
  const s = raw.trim()
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s)
  const m = /^(["'])(.*)\1$/s.exec(s)
  if (!m) throw new MalformedQuery(`filter: the value ${s} must be a number or a quoted string`)
  return m[2].replace(/\\(.)/g, '$1')
}

function parseCond(text: string): Cond {
  const m = /^(\S+)\s+(not\s+like|like|=~|!=|=)\s*(.+)$/s.exec(text.trim())
  if (!m) {
    if (/^not\s|[<>]|\bin\s*\[|\bispresent\(|\bisempty\(/.test(text.trim())) throw new UnsupportedQuery(`filter expression "${text.trim()}" (only like, not like, = and != joined by and are modelled)`)
    throw new MalformedQuery(`filter: cannot parse "${text.trim()}"`)
  }
  const f = field(m[1], 'filter')
  const op = m[2].replace(/\s+/, ' ') as Cond['op'] | '=~'
  const raw = m[3].trim()
  if (op === 'like' || op === 'not like' || op === '=~') {
    const re = /^\/(.*)\/([a-z]*)$/s.exec(raw)
    if (re) {
      if (/[^i]/.test(re[2])) throw new UnsupportedQuery(`regular expression flags "${re[2]}" (only i is modelled)`)
      try {
        return {field: f, op: op === 'not like' ? 'not like' : 'like', value: new RegExp(re[1], re[2])}
      } catch {
        throw new MalformedQuery(`filter: invalid regular expression /${re[1]}/`)
      }
    }
    const v = parseValue(raw)
    return {field: f, op: op === 'not like' ? 'not like' : 'like', value: String(v)}
  }
  return {field: f, op, value: parseValue(raw)}
}

function parseDurationMs(s: string): number {
  const m = /^(\d+)\s*(ms|s|m|h|d|sec|min|hr)$/.exec(s.trim())
  if (!m) throw new MalformedQuery(`bin(${s}): expected a period such as 30s, 5m, 1h`)
  const unit = {ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, hr: 3_600_000, d: 86_400_000}[m[2]]!
  const ms = Number(m[1]) * unit
  if (ms <= 0) throw new MalformedQuery(`bin(${s}): the period must be positive`)
  return ms
}

function parseCommand(text: string): Command {
  const m = /^(\w+)\s*(.*)$/s.exec(text)
  if (!m) throw new MalformedQuery(`expected a command, got "${text}"`)
  const [, name, rest] = m
  switch (name) {
    case 'fields': {
      const list = rest.split(',').map((s) => s.trim())
      for (const x of list) if (/\bas\b|\(/.test(x)) throw new UnsupportedQuery(`fields expression "${x}" (only plain field names are modelled)`)
      return {kind: 'fields', fields: list.map((x) => field(x, 'fields'))}
    }
    case 'filter': {
      if (!rest.trim()) throw new MalformedQuery('filter needs an expression')
      const noRegex = rest.replace(/\/(?:\\.|[^/])*\//g, '//').replace(/(["'])(?:\\.|(?!\1).)*\1/g, '""')
      if (noRegex.includes('(')) throw new UnsupportedQuery('filter with parentheses or functions')
      if (/\s(or|OR)\s/.test(noRegex)) throw new UnsupportedQuery('filter with or (only and is modelled)')
      const conds: Cond[] = []
      // Split on `and` outside strings and regexes.
      let cur = ''
      let quote = ''
      let regex = false
      for (let i = 0; i < rest.length; i++) {
        const c = rest[i]
        if (quote || regex) {
          cur += c
          if (c === '\\') cur += rest[++i] ?? ''
          else if (quote && c === quote) quote = ''
          else if (regex && c === '/') regex = false
          continue
        }
        if (c === '"' || c === "'") quote = c
        else if (c === '/' && /(like|=~)\s*$/.test(cur)) regex = true
        else if (/\s/.test(c) && /^\s(and|AND)\s/.test(rest.slice(i, i + 5))) {
          conds.push(parseCond(cur))
          cur = ''
          i += 4
          continue
        }
        cur += c
      }
      conds.push(parseCond(cur))
      return {kind: 'filter', conds}
    }
    case 'stats': {
      const s = /^(\w+)\(\s*(\*?)\s*\)\s*(?:as\s+(\w+)\s+)?by\s+(.+)$/s.exec(rest.trim())
      if (!s) {
        if (/^(count)\(\s*\*?\s*\)\s*(as\s+\w+)?\s*$/.test(rest.trim())) throw new UnsupportedQuery('stats without by (only stats count(*) by bin(…) or by a field is modelled)')
        throw new UnsupportedQuery(`stats "${rest.trim()}" (only stats count(*) [as name] by bin(period) or by one field is modelled)`)
      }
      if (s[1] !== 'count' || s[2] !== '*') throw new UnsupportedQuery(`stats function ${s[1]}(${s[2]}) (only count(*) is modelled)`)
      const by = s[4].trim()
      if (by.includes(',')) throw new UnsupportedQuery('stats by several keys (one key is modelled)')
      const bin = /^bin\(\s*([^)]*)\)$/.exec(by)
      const as = s[3] ?? 'count(*)'
      return bin ? {kind: 'stats', as, by: {field: '@timestamp', binMs: parseDurationMs(bin[1]), name: by.replace(/\s+/g, '')}} : {kind: 'stats', as, by: {field: field(by, 'stats by'), name: by}}
    }
    case 'sort': {
      const s = /^(\S+)(?:\s+(asc|desc))?$/.exec(rest.trim())
      if (!s) throw new UnsupportedQuery(`sort "${rest.trim()}" (one field, asc or desc, is modelled)`)
      return {kind: 'sort', field: s[1], desc: s[2] === 'desc'}
    }
    case 'limit': {
      if (!/^\d+$/.test(rest.trim())) throw new MalformedQuery('limit needs a positive number')
      const n = Number(rest.trim())
      if (n < 1 || n > 10_000) throw new MalformedQuery('limit must be between 1 and 10000')
      return {kind: 'limit', n}
    }
    default:
      if (KNOWN_COMMANDS.includes(name)) throw new UnsupportedQuery(`the ${name} command`)
      throw new MalformedQuery(`unexpected symbol "${name}": expected a command (fields, filter, stats, sort, limit)`)
  }
}

export function parseQuery(q: string): Command[] {
  if (!q.trim()) throw new MalformedQuery('the query string is empty')
  const commands = splitPipes(q).map((p) => {
    if (!p) throw new MalformedQuery('empty command between pipes')
    return parseCommand(p)
  })
  if (commands.filter((c) => c.kind === 'stats').length > 1) throw new UnsupportedQuery('more than one stats command')
  const stats = commands.find((c) => c.kind === 'stats')
  for (const c of commands) {
    if (c.kind !== 'sort') continue
    const allowed = stats ? [stats.by.name, stats.as] : [...QUERY_FIELDS]
    if (!allowed.includes(c.field)) throw new UnsupportedQuery(`sort by ${c.field} (sortable here: ${allowed.join(', ')})`)
  }
  const tailAt = commands.findIndex((c) => c.kind === 'stats' || c.kind === 'sort' || c.kind === 'limit')
  if (tailAt >= 0 && commands.slice(tailAt + 1).some((c) => c.kind === 'filter' || c.kind === 'fields' || c.kind === 'stats')) throw new UnsupportedQuery('filter, fields or stats after stats, sort or limit')
  return commands
}

/** `2024-01-31 12:00:00.000`, the way Insights prints @timestamp. */
export function insightsTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '')
}

function matches(c: Cond, r: QueryRecord): boolean {
  const v = r[c.field as keyof QueryRecord]
  if (c.op === 'like' || c.op === 'not like') {
    const s = String(v)
    const hit = c.value instanceof RegExp ? c.value.test(s) : s.includes(String(c.value))
    return c.op === 'like' ? hit : !hit
  }
  const eq = typeof c.value === 'number' ? Number(v) === c.value : String(v) === c.value
  return c.op === '=' ? eq : !eq
}

export type Row = Record<string, string>

export interface QueryOutcome {
  rows: Row[]
  fields: string[]
  statistics: {recordsMatched: number; recordsScanned: number; bytesScanned: number}
}

/** Run the parsed query over the records (already restricted to the time range, in time order per group). */
export function runQuery(commands: Command[], records: Iterable<QueryRecord>, defaultLimit: number): QueryOutcome {
  const statsAt = commands.findIndex((c) => c.kind === 'stats')
  // parseQuery keeps fields/filter first, then at most one stats, then sort/limit.
  const headFilters = commands.filter((c): c is Extract<Command, {kind: 'filter'}> => c.kind === 'filter').flatMap((c) => c.conds)
  const tail = commands.filter((c) => c.kind === 'sort' || c.kind === 'limit')
  let fields = [...(commands.filter((c): c is Extract<Command, {kind: 'fields'}> => c.kind === 'fields').at(-1)?.fields ?? ['@timestamp', '@message', '@logStream', '@log'])]
  let scanned = 0
  let bytes = 0
  let matched = 0
  const kept: QueryRecord[] = []
  const stats = statsAt >= 0 ? (commands[statsAt] as Extract<Command, {kind: 'stats'}>) : undefined
  const counts = new Map<string | number, number>()
  for (const r of records) {
    scanned++
    bytes += Buffer.byteLength(r['@message'])
    if (!headFilters.every((c) => matches(c, r))) continue
    matched++
    if (stats) {
      const key = stats.by.binMs ? Math.floor(r['@timestamp'] / stats.by.binMs) * stats.by.binMs : String(r[stats.by.field as keyof QueryRecord])
      counts.set(key, (counts.get(key) ?? 0) + 1)
    } else kept.push(r)
  }
  // Without a sort, rows come in time order across the groups.
  kept.sort((a, b) => a['@timestamp'] - b['@timestamp'])
  let rows: Row[]
  // Sort keys that are not output fields are carried until the sort, then dropped.
  const hidden = stats ? [] : tail.flatMap((c) => (c.kind === 'sort' && !fields.includes(c.field) ? [c.field] : []))
  if (stats) {
    fields = [stats.by.name, stats.as]
    rows = [...counts]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, n]) => ({[stats.by.name]: typeof k === 'number' ? insightsTime(k) : k, [stats.as]: String(n)}))
  } else {
    rows = kept.map((r) => {
      const row: Row = {}
      for (const f of [...fields, ...hidden]) row[f] = f === '@timestamp' || f === '@ingestionTime' ? insightsTime(r[f]) : String(r[f as keyof QueryRecord])
      row['@ptr'] = r['@ptr']
      return row
    })
  }
  let limit = defaultLimit
  for (const c of tail) {
    if (c.kind === 'sort') {
      // Insights times sort as text; counts and other numbers as numbers. Stable: ties keep time order.
      const numeric = rows.every((r) => r[c.field] !== undefined && r[c.field] !== '' && Number.isFinite(Number(r[c.field])))
      rows.sort((a, b) => {
        const x = a[c.field] ?? ''
        const y = b[c.field] ?? ''
        const cmp = numeric ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0
        return c.desc ? -cmp : cmp
      })
    } else if (c.kind === 'limit') {
      rows = rows.slice(0, c.n)
      limit = Math.min(limit, c.n)
    }
  }
  rows = rows.slice(0, limit)
  for (const r of rows) for (const h of hidden) delete r[h]
  return {rows, fields, statistics: {recordsMatched: matched, recordsScanned: scanned, bytesScanned: bytes}}
}
