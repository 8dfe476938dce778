/**
 * Reading AWS query-protocol parameters: scalars, lists (`Name.Member.N` or `Name.member.N`)
 * and lists of structures (`Tags.Tag.1.Key`, `Filters.Filter.1.Values.Value.1`).
 */
import {AwsFault} from '../../aws/query.js'

export class Params {
  constructor(private readonly form: URLSearchParams) {}

  str(name: string): string | undefined {
    const v = this.form.get(name)
    return v === null ? undefined : v
  }

  required(name: string): string {
    const v = this.str(name)
    if (v === undefined || v === '') throw new AwsFault(400, 'MissingParameter', `The request must contain the parameter ${name}`)
    return v
  }

  bool(name: string): boolean | undefined {
    const v = this.str(name)
    return v === undefined ? undefined : v === 'true'
  }

  int(name: string): number | undefined {
    const v = this.str(name)
    if (v === undefined) return undefined
    const n = Number.parseInt(v, 10)
    if (!Number.isFinite(n)) throw new AwsFault(400, 'InvalidParameterValue', `Invalid value for ${name}: ${v}`)
    return n
  }

  /** A list of scalars: Name.Member.N / Name.member.N. */
  list(name: string): string[] {
    return scalarList(entriesOf(this.form), name)
  }

  /** A list of structures: Name.Member.N.Field → [{Field: value}] (nested keys kept as dotted paths). */
  structs(name: string): Record<string, string>[] {
    return structList(entriesOf(this.form), name)
  }

  tags(): {Key: string; Value: string}[] {
    return this.structs('Tags').map((t) => ({Key: t.Key ?? '', Value: t.Value ?? ''}))
  }

  /** Filters.Filter.N.Name / Filters.Filter.N.Values.Value.M */
  filters(): {name: string; values: string[]}[] {
    return this.structs('Filters').map((f) => ({name: f.Name ?? '', values: scalarList(Object.entries(f), 'Values')}))
  }
}

function entriesOf(form: URLSearchParams): [string, string][] {
  return [...form.entries()]
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function scalarList(entries: [string, string][], name: string): string[] {
  const re = new RegExp(`^${escape(name)}\\.(?:[A-Za-z]+\\.)?(\\d+)$`)
  return entries
    .map(([k, v]) => [re.exec(k), v] as const)
    .filter(([m]) => m !== null)
    .sort(([a], [b]) => Number(a![1]) - Number(b![1]))
    .map(([, v]) => v)
}

function structList(entries: [string, string][], name: string): Record<string, string>[] {
  const re = new RegExp(`^${escape(name)}\\.(?:[A-Za-z]+\\.)?(\\d+)\\.(.+)$`)
  const items = new Map<number, Record<string, string>>()
  for (const [k, v] of entries) {
    const m = re.exec(k)
    if (!m) continue
    const i = Number(m[1])
    const item = items.get(i) ?? {}
    item[m[2]] = v
    items.set(i, item)
  }
  return [...items.entries()].sort(([a], [b]) => a - b).map(([, v]) => v)
}
