/**
 * The per-service operation registry: what each emulation models, down to the parameters and
 * the headers that change an operation's meaning. The host refuses, before the service sees it,
 * any request outside it (an operation, a parameter, a conditional or range header) with the
 * protocol's "not implemented" error naming what is not modelled, so the sandbox never answers
 * 200 with a wrong or partial effect. docs/sandbox-coverage.md is generated from these
 * registries (scripts/sandbox-coverage.mjs) and a test keeps the two in step.
 *
 * Adding an operation to a service is one line in its registry (see services/SPEC.md):
 *   ListFunctions: {params: ['Marker', 'MaxItems', 'FunctionVersion', 'MasterRegion']},
 */
import type {SandboxRequest} from './types.js'

export interface OperationSpec {
  /**
   * Parameters the emulation models: URL query parameters (REST), form parameters other than
   * Action/Version (AWS query) or top-level body members (AWS JSON). `Name.*` matches every
   * member of a list or structure (`Filters.*`), `prefix*` any name starting with the prefix.
   */
  params?: readonly string[]
  /** Top-level members of a JSON request body the emulation models (REST services; unchecked when absent). */
  body?: readonly string[]
  /** Range/conditional headers (and, where the catalog guards them, service headers) the emulation models. */
  headers?: readonly string[]
  /** One line for the coverage table: a deviation or a limit worth knowing. */
  note?: string
}

export type Protocol = 'aws-query' | 'aws-json' | 'rest-json' | 'rest-xml' | 'rest'

export interface ServiceCatalog {
  /** Heading of the service in docs/sandbox-coverage.md. */
  title: string
  protocol: Protocol
  /** The public API reference the emulation follows. */
  reference: string
  /** Operation name (as the service's `operation()` names it) → what is modelled. */
  operations: Record<string, OperationSpec>
  /** Real operations people reach for that the sandbox refuses (listed in the coverage table). */
  refused?: readonly string[]
  /** Parameters every operation accepts (REST: auth tokens, output format…). */
  commonParams?: readonly string[]
  /** Headers matching this are refused unless the operation or commonHeaders lists them (S3: x-amz-*). */
  guardedHeaders?: RegExp
  commonHeaders?: readonly string[]
}

/** Headers that change what a request means, refused everywhere unless an operation models them. */
export const SEMANTIC_HEADERS = ['range', 'if-range', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since'] as const

const IGNORED_QUERY_FORM = new Set(['Action', 'Version'])

function matchesName(name: string, patterns: readonly string[] | undefined): boolean {
  if (!patterns) return false
  for (const p of patterns) {
    if (p === name) return true
    if (p.endsWith('.*') && name.startsWith(p.slice(0, -1))) return true
    if (p.endsWith('*') && !p.endsWith('.*') && name.startsWith(p.slice(0, -1))) return true
  }
  return false
}

function jsonBodyKeys(req: SandboxRequest): string[] | undefined {
  if (req.body.length === 0) return []
  try {
    const v = req.json<unknown>()
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : undefined
  } catch {
    return undefined
  }
}

/** The request's parameters in the protocol's sense. */
function paramsOf(catalog: ServiceCatalog, req: SandboxRequest): string[] {
  switch (catalog.protocol) {
    case 'aws-query': {
      const names = new Set<string>([...req.url.searchParams.keys()])
      const ct = String(req.headers['content-type'] ?? '')
      if (ct.includes('application/x-www-form-urlencoded')) for (const k of req.form().keys()) names.add(k)
      return [...names].filter((n) => !IGNORED_QUERY_FORM.has(n))
    }
    case 'aws-json':
      return jsonBodyKeys(req) ?? []
    default:
      return [...new Set(req.url.searchParams.keys())]
  }
}

/**
 * What in this request the service does not model, as words for the error message
 * (`operation ListRoles`, `parameter "IncludeShared" of DescribeDBClusters`, `header Range on
 * GetSecretValue`), or undefined when everything in it is modelled.
 */
export function unmodelled(catalog: ServiceCatalog, operation: string, req: SandboxRequest): string | undefined {
  const spec = Object.hasOwn(catalog.operations, operation) ? catalog.operations[operation] : undefined
  if (!spec) return `operation ${operation}`
  for (const name of paramsOf(catalog, req)) {
    if (!matchesName(name, spec.params) && !matchesName(name, catalog.commonParams)) return `parameter "${name}" of ${operation}`
  }
  if (spec.body && catalog.protocol !== 'aws-json') {
    const keys = jsonBodyKeys(req) ?? []
    for (const k of keys) if (!matchesName(k, spec.body)) return `body member "${k}" of ${operation}`
  }
  for (const h of Object.keys(req.headers)) {
    const lower = h.toLowerCase()
    const semantic = (SEMANTIC_HEADERS as readonly string[]).includes(lower)
    const guarded = catalog.guardedHeaders?.test(lower) === true && !matchesName(lower, catalog.commonHeaders)
    if ((semantic || guarded) && !matchesName(lower, spec.headers)) return `header ${h} on ${operation}`
  }
  return undefined
}

/** The message of the refusal every protocol renders (501 NotImplemented or its service's equivalent). */
export function refusalMessage(service: string, what: string): string {
  return `The sandbox does not model ${what} (${service}); it refuses the request rather than answer it wrongly. See docs/sandbox-coverage.md.`
}
