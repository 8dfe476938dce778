/**
 * One way to read a YAML file against a zod schema (impress.config.yaml, team.yaml,
 * roles.yaml): syntax errors, alias errors and schema errors become errors that name the file,
 * the line and the path inside it (e.g. `environments.prod.aurora.retentionDays`); every schema
 * problem is listed (one line each), not only the first.
 */
import {isNode, LineCounter, parseDocument, type Document} from 'yaml'
import type {z} from 'zod'
import {closest} from '../cli/suggest.js'
import type {ImpressError, ImpressErrorOptions} from '../errors.js'

export type YamlPath = (string | number)[]

export interface ParsedYaml<T> {
  data: T
  doc: Document
  /** The line (1-based) of the node at a path, or of its nearest ancestor. */
  lineOf(path: YamlPath): number | undefined
}

export interface YamlFileOptions {
  /** Builds the error (ConfigError for the config, UsageError for input files). */
  error: (message: string, options: ImpressErrorOptions) => ImpressError
  /** What to do about a schema error. */
  schemaHint: string
  /** Value used for an empty document; when absent an empty document is a schema error. */
  empty?: unknown
  /** Extra message for an empty document (default: a schema error on the empty value). */
  emptyMessage?: {message: string; hint: string}
}

export function parseYamlFile<S extends z.ZodType>(text: string, file: string, schema: S, options: YamlFileOptions): ParsedYaml<z.infer<S>> {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true})
  const lineOf = (path: YamlPath): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true)
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line
    }
    return undefined
  }
  if (doc.errors.length > 0) {
    const err = doc.errors[0]
    const line = err.linePos?.[0]?.line ?? lineCounter.linePos(err.pos[0]).line
    throw options.error(`${file}:${line}: invalid YAML: ${firstLine(err.message)}`, {hint: 'Fix the YAML syntax at that line (indentation, quotes, colons).', details: {file, line}})
  }
  let data: unknown
  try {
    data = doc.toJS({maxAliasCount: 100})
  } catch (error) {
    // Unresolved or excessive aliases surface only when the document is converted.
    throw options.error(`${file}: invalid YAML: ${firstLine((error as Error).message)}`, {hint: 'Check the anchors (&name) and aliases (*name) in the file.', details: {file}})
  }
  if (data === null || data === undefined) {
    if (options.emptyMessage) throw options.error(`${file}: ${options.emptyMessage.message}`, {hint: options.emptyMessage.hint, details: {file}})
    data = options.empty ?? data
  }
  const parsed = schema.safeParse(data)
  if (!parsed.success) {
    // Every problem, not the first one (like `terraform validate`): one line each, with its line.
    const problems = parsed.error.issues.map((issue) => {
      const p = issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k)) as YamlPath
      const at = issue.code === 'unrecognized_keys' && issue.keys.length > 0 ? [...p, issue.keys[0]] : p
      const line = lineOf(at)
      const where = at.length > 0 ? at.join('.') : '(top level)'
      return {line, path: where, message: describeIssue(issue, schema)}
    })
    const lineText = (pr: (typeof problems)[number]): string => `${file}${pr.line ? `:${pr.line}` : ''}: ${pr.path}: ${pr.message}`
    const first = problems[0]
    const message = problems.length === 1 ? lineText(first) : [`${file} has ${problems.length} problems:`, ...problems.map((pr) => `  ${lineText(pr)}`)].join('\n')
    throw options.error(message, {hint: options.schemaHint, details: {file, line: first.line, path: first.path, problems}})
  }
  return {data: parsed.data, doc, lineOf}
}

function describeIssue(issue: z.core.$ZodIssue, schema: z.ZodType): string {
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(schema, issue.path)
    return issue.keys
      .map((key) => {
        const match = closest(key, known)
        return `unknown key "${key}" (${match ? `did you mean "${match}"?` : 'check its spelling'})`
      })
      .join('; ')
  }
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return `missing; ${issue.message.replace(/^Invalid input: /, '')}`
  return firstLine(issue.message.replace(/^Invalid input: /, ''))
}

interface ZodDefLike {
  type: string
  shape?: Record<string, z.ZodType>
  innerType?: z.ZodType
  valueType?: z.ZodType
  element?: z.ZodType
  in?: z.ZodType
  options?: z.ZodType[]
}
const defOf = (schema: z.ZodType): ZodDefLike => (schema as unknown as {_zod: {def: ZodDefLike}})._zod.def

/** The keys the schema accepts at a path (for "Did you mean" on an unknown key). */
export function knownKeys(schema: z.ZodType, path: PropertyKey[]): string[] {
  const def = defOf(schema)
  if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type) && def.innerType) return knownKeys(def.innerType, path)
  if (def.type === 'pipe' && def.in) return knownKeys(def.in, path)
  if (def.type === 'union' && def.options) return def.options.flatMap((o) => knownKeys(o, path))
  if (path.length === 0) return def.type === 'object' && def.shape ? Object.keys(def.shape) : []
  const [head, ...rest] = path
  if (def.type === 'object' && def.shape) return def.shape[String(head)] ? knownKeys(def.shape[String(head)], rest) : []
  if (def.type === 'record' && def.valueType) return knownKeys(def.valueType, rest)
  if (def.type === 'array' && def.element) return knownKeys(def.element, rest)
  return []
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim()
}
