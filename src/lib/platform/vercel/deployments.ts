/**
 * Vercel REST API adapter for frontend deploys (https://vercel.com/docs/rest-api), over
 * `fetch`: file uploads (`POST /v2/files`, SHA-1 in `x-vercel-digest`), deployments by file
 * sha (`POST /v13/deployments`, whose `missing_files` error names the files Vercel lacks),
 * production deployments (`GET /v6/deployments`, paged by `until`), the project
 * (`GET /v9/projects`), promote and instant rollback. Bearer token; `teamId` on every call.
 * 429 and 5xx are retried (retry-after honoured, scaled in the sandbox). The official
 * `@vercel/sdk` is not used: it is a large generated package for the seven calls needed here.
 */
import {ConfigError, OperationError, UsageError} from '../../errors.js'
import type {VercelCreateResult, VercelDeploymentInfo, VercelFileRef, VercelPort, VercelProjectInfo} from '../../frontend/ports.js'
import {sleep} from '../../time/sleep.js'

export interface VercelOptions {
  token: string
  /** Project id or name. */
  project: string
  teamId?: string
  baseUrl?: string
  pageSize?: number
  timeScale?: number
  maxRetries?: number
}

interface VercelErrorBody {
  error?: {code?: string; message?: string; missing?: string[]}
}

export class VercelApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: VercelErrorBody,
  ) {
    super(message)
  }
}

interface RawDeployment {
  uid?: string
  id?: string
  url: string
  createdAt?: number
  created?: number
  target?: string | null
  meta?: Record<string, string>
  creator?: {uid?: string; username?: string; email?: string}
  readyState?: string
  readySubstate?: string
}

export class VercelDeployments implements VercelPort {
  constructor(private readonly options: VercelOptions) {}

  get describe(): string {
    return `vercel:${this.options.project}${this.options.teamId ? ` (team ${this.options.teamId})` : ''}`
  }

  private url(path: string, query: Record<string, string | number | undefined> = {}): string {
    const u = new URL(`${(this.options.baseUrl ?? 'https://api.vercel.com').replace(/\/+$/, '')}${path}`)
    for (const [k, v] of Object.entries({...query, teamId: this.options.teamId})) if (v !== undefined) u.searchParams.set(k, String(v))
    return u.toString()
  }

  private async call<T>(method: string, path: string, options: {query?: Record<string, string | number | undefined>; json?: unknown; body?: Buffer; headers?: Record<string, string>} = {}): Promise<T> {
    const maxRetries = this.options.maxRetries ?? 3
    for (let attempt = 0; ; attempt++) {
      let res: Response
      try {
        res = await fetch(this.url(path, options.query), {
          method,
          headers: {authorization: `Bearer ${this.options.token}`, ...(options.json === undefined ? {} : {'content-type': 'application/json'}), ...options.headers},
          body: options.json === undefined ? (options.body as Uint8Array<ArrayBuffer> | undefined) : JSON.stringify(options.json),
        })
      } catch (error) {
        if (attempt < maxRetries) {
          await this.wait(attempt, null)
          continue
        }
        throw new OperationError(`Could not reach the Vercel API (${method} ${path}): ${(error as Error).message}.`, {hint: 'Check the network, or frontend.vercel.baseUrl.', cause: error})
      }
      const text = await res.text()
      if (res.ok) return (text ? JSON.parse(text) : {}) as T
      if ((res.status === 429 || res.status >= 500) && res.status !== 501 && attempt < maxRetries) {
        await this.wait(attempt, res.headers.get('retry-after'))
        continue
      }
      let body: VercelErrorBody = {}
      try {
        body = JSON.parse(text) as VercelErrorBody
      } catch {
        // not JSON: the status says enough
      }
      throw new VercelApiError(res.status, body.error?.code ?? String(res.status), body.error?.message ?? res.statusText, body)
    }
  }

  private wait(attempt: number, retryAfter: string | null): Promise<void> {
    const seconds = retryAfter && Number.isFinite(Number(retryAfter)) ? Number(retryAfter) : 2 ** attempt
    return sleep(seconds * 1000 * (this.options.timeScale ?? 1))
  }

  /** Vercel errors → impress errors: auth and unknown project are configuration problems (exit 2). */
  private translate(error: unknown, what: string): never {
    if (!(error instanceof VercelApiError)) throw error
    if (error.status === 401 || (error.status === 403 && error.code === 'forbidden'))
      throw new ConfigError(`Vercel refused the token while trying to ${what} (${error.status} ${error.code}: ${error.message}).`, {code: 'E_VERCEL_AUTH', hint: 'Check frontend.token (env:NAME): a Vercel access token with access to the project, and frontend.vercel.teamId when the project belongs to a team.'})
    if (error.status === 404 && /project/i.test(error.message)) throw new ConfigError(`Vercel has no project ${this.options.project}${this.options.teamId ? ` in team ${this.options.teamId}` : ''}.`, {code: 'E_VERCEL_PROJECT', hint: 'Check frontend.vercel.project (id or name) and frontend.vercel.teamId.'})
    if (error.status === 404) throw new UsageError(`Vercel: ${error.message} (while trying to ${what}).`, {hint: 'Pick a deployment listed by `impress frontend versions`.'})
    throw new OperationError(`Vercel answered ${error.status} ${error.code} while trying to ${what}: ${error.message}`, {hint: 'See https://vercel.com/docs/rest-api/errors; run again with --verbose for the request.'})
  }

  async project(): Promise<VercelProjectInfo> {
    try {
      const p = await this.call<{id: string; name: string; targets?: {production?: {id: string}}}>('GET', `/v9/projects/${encodeURIComponent(this.options.project)}`)
      return {id: p.id, name: p.name, productionId: p.targets?.production?.id ?? null}
    } catch (error) {
      this.translate(error, 'read the project')
    }
  }

  async productionDeployments(projectId: string, limit: number): Promise<VercelDeploymentInfo[]> {
    const out: VercelDeploymentInfo[] = []
    let until: number | undefined
    try {
      while (out.length < limit) {
        const page = await this.call<{deployments: RawDeployment[]; pagination?: {next?: number | null}}>('GET', '/v6/deployments', {query: {projectId, target: 'production', limit: Math.min(this.options.pageSize ?? 100, limit - out.length), until}})
        out.push(...page.deployments.map(toInfo))
        const next = page.pagination?.next
        if (!next || page.deployments.length === 0) break
        until = next
      }
    } catch (error) {
      this.translate(error, 'list the production deployments')
    }
    return out
  }

  async deployment(id: string): Promise<VercelDeploymentInfo> {
    try {
      return toInfo(await this.call<RawDeployment>('GET', `/v13/deployments/${encodeURIComponent(id)}`))
    } catch (error) {
      this.translate(error, `read deployment ${id}`)
    }
  }

  async uploadFile(sha: string, content: Buffer): Promise<void> {
    try {
      await this.call('POST', '/v2/files', {body: content, headers: {'content-type': 'application/octet-stream', 'x-vercel-digest': sha, 'x-now-size': String(content.length)}})
    } catch (error) {
      this.translate(error, 'upload a file')
    }
  }

  async createDeployment(input: {name: string; projectId: string; files: VercelFileRef[]; meta: Record<string, string>}): Promise<VercelCreateResult> {
    try {
      const d = await this.call<RawDeployment>('POST', '/v13/deployments', {query: {skipAutoDetectionConfirmation: 1}, json: {name: input.name, project: input.projectId, target: 'production', files: input.files, meta: input.meta, projectSettings: {framework: null}}})
      return {ok: true, deployment: toInfo(d)}
    } catch (error) {
      if (error instanceof VercelApiError && error.code === 'missing_files' && Array.isArray(error.body.error?.missing)) return {ok: false, missing: error.body.error.missing}
      this.translate(error, 'create the deployment')
    }
  }

  async promote(projectId: string, deploymentId: string): Promise<void> {
    try {
      await this.call('POST', `/v10/projects/${encodeURIComponent(projectId)}/promote/${encodeURIComponent(deploymentId)}`)
    } catch (error) {
      this.translate(error, 'promote the deployment')
    }
  }

  async rollback(projectId: string, deploymentId: string, description: string): Promise<void> {
    try {
      await this.call('POST', `/v1/projects/${encodeURIComponent(projectId)}/rollback/${encodeURIComponent(deploymentId)}`, {query: {description}})
    } catch (error) {
      this.translate(error, 'roll back')
    }
  }
}

function toInfo(d: RawDeployment): VercelDeploymentInfo {
  return {id: d.uid ?? d.id ?? '', url: d.url, createdAt: d.createdAt ?? d.created ?? 0, target: d.target ?? null, meta: d.meta ?? {}, creator: d.creator?.username ?? d.creator?.email ?? d.creator?.uid ?? 'unknown'}
}
