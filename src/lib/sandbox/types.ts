/**
 * The contract between the sandbox host and the API emulations mounted on it. A service
 * recognises its requests, names the operation (for counting and fault injection), handles
 * it, and renders errors in its own protocol's shape.
 */
import type {IncomingHttpHeaders, ServerResponse} from 'node:http'
import type {ServiceCatalog} from './catalog.js'
import type {Clock} from './clock.js'
import type {StateStore} from './state.js'

export interface SandboxRequest {
  method: string
  url: URL
  path: string
  headers: IncomingHttpHeaders
  body: Buffer
  /** The AWS service named in the SigV4 credential scope, when the request is signed. */
  awsService?: string
  /** The AWS access key id of the SigV4 credential, when signed. */
  awsAccessKey?: string
  text(): string
  json<T = unknown>(): T
  form(): URLSearchParams
}

export type FaultKind = 'throttle' | 'server'

export interface ErrorSpec {
  kind: FaultKind | 'client'
  status: number
  code?: string
  message: string
  retryAfterSeconds?: number
}

export interface SandboxService {
  /** Service name used for counting and faults: 'sts', 'lambda', 'rds', 'auth0', … */
  readonly name: string
  matches(req: SandboxRequest): boolean
  operation(req: SandboxRequest): string
  handle(req: SandboxRequest, res: ServerResponse): Promise<void> | void
  renderError(req: SandboxRequest, res: ServerResponse, error: ErrorSpec): void
  /** Seed the demo platform (first start and reset). */
  seed?(): void
  /** A short summary of the service's state, for GET /_sandbox/platform. */
  describe?(): unknown
  /** Start side servers (e.g. an SMTP sink); returns extra endpoints published in the health document. */
  start?(): Promise<Record<string, string>>
  stop?(): Promise<void>
  /**
   * What the service models (catalog.ts): the host refuses any other operation, parameter or
   * range/conditional header with a 501 NotImplemented in the service's error shape.
   */
  readonly catalog?: ServiceCatalog
  /** The operation names the service's handler table answers (checked against the catalog by a test). */
  handlerNames?(): string[]
}

export interface ServiceContext {
  state: StateStore
  clock: Clock
  /** Public base URL of the sandbox, e.g. http://127.0.0.1:4545 */
  baseUrl(): string
}

export type ServiceFactory = (ctx: ServiceContext) => SandboxService
