/**
 * Realtime Database over its REST API (https://firebase.google.com/docs/reference/rest/database):
 * GET with shallow / orderBy="$key" queries, multi-path PATCH, DELETE. Retries 429 and 5xx and
 * dropped connections with exponential backoff (Retry-After honoured); a response larger than
 * the client's cap is abandoned and reported as too big, like the database's own too_big
 * answer, so memory stays bounded.
 */
import {OperationError} from '../../errors.js'
import type {JsonValue} from '../../firebase/format.js'
import type {GetOptions, GetResult, RawResult, RtdbPort} from '../../firebase/ports.js'
import {sleep} from '../../time/sleep.js'
import {BodyTooLarge, nodeRequest, readBody} from '../http/node-request.js'

export interface RtdbRestOptions {
  /** Where requests go: the database URL, or the sandbox/emulator URL. */
  baseUrl: string
  /** Sent as ?ns= (emulator and sandbox style) when set. */
  namespace?: string
  databaseURL: string
  projectId?: string
  token: () => Promise<string>
  /** Responses larger than this are abandoned and treated as too big (default 8 MiB). */
  maxResponseBytes?: number
  maxAttempts?: number
  /** Multiplies backoff delays (the sandbox time scale; 1 in the cloud). */
  timeScale?: number
  signal?: AbortSignal
}

const RETRYABLE = new Set([429, 500, 502, 503, 504])

class TooBig extends Error {}
const EMPTY = Buffer.alloc(0)

export class RtdbRest implements RtdbPort {
  readonly source: RtdbPort['source']
  /** Requests sent, retries included. */
  requests = 0
  retries = 0

  constructor(private readonly o: RtdbRestOptions) {
    this.source = {databaseURL: o.databaseURL, ...(o.namespace ? {namespace: o.namespace} : {}), ...(o.projectId ? {projectId: o.projectId} : {})}
  }

  private url(path: string, params: Record<string, string> = {}): string {
    const clean = path.split('/').filter((s) => s.length > 0).map(encodeURIComponent).join('/')
    const u = new URL(`${this.o.baseUrl.replace(/\/$/, '')}/${clean}${clean ? '' : ''}.json`)
    if (this.o.namespace) u.searchParams.set('ns', this.o.namespace)
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v)
    return u.toString()
  }

  async get(path: string, options: GetOptions = {}): Promise<GetResult> {
    const r = await this.getRaw(path, options)
    return r.tooBig ? r : {tooBig: false, value: JSON.parse(r.raw.toString('utf8')) as JsonValue}
  }

  async getRaw(path: string, options: GetOptions = {}): Promise<RawResult> {
    const params: Record<string, string> = {}
    if (options.shallow) params.shallow = 'true'
    if (options.orderByKey) {
      params.orderBy = JSON.stringify('$key')
      if (options.orderByKey.startAt !== undefined) params.startAt = JSON.stringify(options.orderByKey.startAt)
      if (options.orderByKey.limitToFirst !== undefined) params.limitToFirst = String(options.orderByKey.limitToFirst)
    }
    try {
      return {tooBig: false, raw: await this.send('GET', this.url(path, params), undefined, true)}
    } catch (error) {
      if (error instanceof TooBig) return {tooBig: true}
      throw error
    }
  }

  async patch(path: string, updates: Record<string, JsonValue>): Promise<void> {
    await this.send('PATCH', this.url(path, {print: 'silent'}), JSON.stringify(updates), false)
  }

  async remove(path: string): Promise<void> {
    await this.send('DELETE', this.url(path, {print: 'silent'}), undefined, false)
  }

  private async send(method: string, url: string, body: string | undefined, read: boolean): Promise<Buffer> {
    const max = this.o.maxAttempts ?? 8
    const cap = this.o.maxResponseBytes ?? 8 * 1024 * 1024
    const scale = this.o.timeScale ?? 1
    let lastError = ''
    for (let attempt = 1; ; attempt++) {
      if (this.o.signal?.aborted) throw this.o.signal.reason ?? new Error('aborted')
      this.requests++
      let retryAfterMs: number | undefined
      try {
        const res = await nodeRequest(url, {
          method,
          headers: {authorization: `Bearer ${await this.o.token()}`, ...(body === undefined ? {} : {'content-type': 'application/json'})},
          body,
          signal: this.o.signal,
        })
        const status = res.statusCode ?? 0
        if (status >= 200 && status < 300) {
          if (!read) {
            res.resume()
            return EMPTY
          }
          try {
            return await readBody(res, cap)
          } catch (error) {
            throw error instanceof BodyTooLarge ? new TooBig() : error
          }
        }
        const text = (await readBody(res)).toString('utf8')
        let message = text
        try {
          message = (JSON.parse(text) as {error?: string}).error ?? text
        } catch {
          // not JSON
        }
        if (read && (status === 413 || (status === 400 && /exceeds the maximum size/i.test(message)))) throw new TooBig()
        if (!RETRYABLE.has(status)) throw translate(status, message, method, url)
        lastError = `HTTP ${status}: ${message}`
        const ra = Number(res.headers['retry-after'])
        if (Number.isFinite(ra) && ra > 0) retryAfterMs = ra * 1000
      } catch (error) {
        if (error instanceof TooBig || error instanceof OperationError) throw error
        if ((error as Error).name === 'AbortError' || this.o.signal?.aborted) throw error
        lastError = (error as Error).message // dropped connection, reset, DNS
      }
      if (attempt >= max) {
        throw new OperationError(`Realtime Database ${method} failed after ${attempt} attempts: ${lastError}`, {
          code: 'E_RTDB_UNAVAILABLE',
          hint: 'The database is throttling or failing; run the command again later (with --resume to continue).',
        })
      }
      this.retries++
      const backoff = Math.min(30_000, 250 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2)
      await sleep((retryAfterMs ?? backoff) * scale, this.o.signal, null)
    }
  }
}

function translate(status: number, message: string, method: string, url: string): OperationError {
  const where = new URL(url)
  const path = `${where.pathname}${where.searchParams.get('ns') ? ` (ns=${where.searchParams.get('ns')})` : ''}`
  if (status === 401 || status === 403) {
    return new OperationError(`Realtime Database refused ${method} ${path}: ${message}`, {code: 'E_RTDB_AUTH', hint: 'Check firebase.credentials (a service account with access to the database).'})
  }
  if (status === 404) {
    return new OperationError(`Realtime Database not found at ${where.origin}${path}: ${message}`, {code: 'E_RTDB_NOT_FOUND', hint: 'Check firebase.databaseURL or --to-database.'})
  }
  return new OperationError(`Realtime Database ${method} ${path} failed (HTTP ${status}): ${message}`, {code: 'E_RTDB_REQUEST', hint: 'See the message; fix the request or the data and run again.'})
}
