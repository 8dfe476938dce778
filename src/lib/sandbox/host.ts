/**
 * The sandbox host: one HTTP server on loopback on which every API emulation is mounted.
 * It reads each request, finds the service, counts the operation, applies injected faults,
 * and lets the service answer. Control endpoints live under /_sandbox/.
 */
import fs from 'node:fs'
import http, {type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import path from 'node:path'
import {parseSigV4} from './aws/sigv4.js'
import {refusalMessage, unmodelled} from './catalog.js'
import {Clock, DEFAULT_TIME_SCALE} from './clock.js'
import {FaultTable, faultRuleInput, type FaultRule} from './faults.js'
import {RequestLog} from './requests.js'
import {serviceFactories} from './services/index.js'
import {StateStore} from './state.js'
import {SANDBOX_INFO_FILE, type SandboxInfo} from './info.js'
import {sendJson} from './respond.js'
import {sleep} from '../time/sleep.js'
import type {SandboxRequest, SandboxService} from './types.js'

export {SANDBOX_INFO_FILE, type SandboxInfo} from './info.js'
export {sendJson} from './respond.js'


export interface HostOptions {
  stateDir: string
  port?: number
  host?: string
  timeScale?: number
  version?: string
  /** Write <stateDir>/sandbox.json so other processes find this sandbox (default true). */
  publish?: boolean
}

const MAX_BODY = 300 * 1024 * 1024

export class SandboxHost {
  readonly clock: Clock
  readonly state: StateStore
  readonly faults = new FaultTable()
  readonly requests = new RequestLog()
  readonly services: SandboxService[]
  private server: http.Server | undefined
  private url = ''
  private info: SandboxInfo | undefined
  private readonly sockets = new Set<import('node:net').Socket>()
  /** Requests held by a latency fault: clearing the faults lets them go at once. */
  private readonly delayed = new Set<AbortController>()

  constructor(readonly options: HostOptions) {
    this.clock = new Clock(options.timeScale ?? DEFAULT_TIME_SCALE)
    fs.mkdirSync(options.stateDir, {recursive: true})
    this.state = new StateStore(path.join(options.stateDir, 'state'))
    const ctx = {state: this.state, clock: this.clock, baseUrl: () => this.url}
    this.services = serviceFactories.map((f) => f(ctx))
  }

  get baseUrl(): string {
    return this.url
  }

  async start(): Promise<SandboxInfo> {
    for (const s of this.services) s.seed?.()
    this.state.flush()
    const server = http.createServer((req, res) => {
      this.dispatch(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, {'content-type': 'text/plain'})
          res.end(`sandbox internal error: ${(error as Error).message}`)
        } else {
          res.destroy()
        }
      })
    })
    server.keepAliveTimeout = 5000
    server.on('connection', (s) => {
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
    await listen(server, this.options.port ?? 0, this.options.host ?? '127.0.0.1')
    this.server = server
    const port = (server.address() as AddressInfo).port
    this.url = `http://127.0.0.1:${port}`
    const endpoints: Record<string, string> = {}
    for (const s of this.services) if (s.start) Object.assign(endpoints, await s.start())
    this.info = {
      pid: process.pid,
      url: this.url,
      port,
      stateDir: path.resolve(this.options.stateDir),
      startedAt: new Date().toISOString(),
      timeScale: this.clock.scale,
      version: this.options.version ?? '0.0.0',
      endpoints,
    }
    if (this.options.publish !== false) {
      const file = path.join(this.options.stateDir, SANDBOX_INFO_FILE)
      fs.writeFileSync(`${file}.tmp`, JSON.stringify(this.info, null, 2))
      fs.renameSync(`${file}.tmp`, file)
    }
    return this.info
  }

  async stop(): Promise<void> {
    this.state.flush()
    if (this.options.publish !== false) {
      const file = path.join(this.options.stateDir, SANDBOX_INFO_FILE)
      try {
        const current = JSON.parse(fs.readFileSync(file, 'utf8')) as SandboxInfo
        if (current.pid === process.pid && current.port === this.info?.port) fs.rmSync(file, {force: true})
      } catch {
        // already gone
      }
    }
    const server = this.server
    this.server = undefined
    if (!server) return
    for (const s of this.services) await s.stop?.()
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      for (const s of this.sockets) s.destroy()
    })
  }

  /** Wipe the state and seed the demo platform again. */
  reset(): void {
    this.state.wipe()
    for (const s of this.services) s.seed?.()
    this.state.flush()
    this.requests.reset()
    this.faults.clear()
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req)
    const url = new URL(req.url ?? '/', this.url || 'http://127.0.0.1')
    const sreq = makeRequest(req, url, body)

    if (url.pathname.startsWith('/_sandbox/')) {
      this.control(sreq, res)
      return
    }

    const service = this.services.find((s) => s.matches(sreq))
    if (!service) {
      this.requests.record({service: 'unknown', operation: `${sreq.method} ${url.pathname}`, method: sreq.method, path: url.pathname, status: 404})
      sendJson(res, 404, {message: `No sandbox service handles ${sreq.method} ${url.pathname}`})
      return
    }
    let operation: string
    try {
      operation = service.operation(sreq)
    } catch {
      operation = 'Unknown'
    }
    const record = this.requests.record({service: service.name, operation, method: sreq.method, path: url.pathname})
    const fired = this.faults.match(service.name, operation)
    let dropAfter = false
    for (const rule of fired) {
      if (rule.kind === 'latency') {
        const held = new AbortController()
        this.delayed.add(held)
        await sleep(rule.ms ?? 1000, held.signal, null).finally(() => this.delayed.delete(held))
        continue
      }
      record.fault = rule.kind
      if (rule.kind === 'drop-after') {
        dropAfter = true
        continue
      }
      if (!this.applyFailure(rule, service, sreq, res)) return
      record.status = res.statusCode
      return
    }
    const refused = service.catalog ? unmodelled(service.catalog, operation, sreq) : undefined
    if (refused) {
      // Never a 200 with a wrong or partial effect: what is not modelled is refused, named.
      service.renderError(sreq, res, {kind: 'client', status: 501, code: 'NotImplemented', message: refusalMessage(service.name, refused)})
      record.status = 501
      return
    }
    if (dropAfter) {
      // The effect happens, the answer is lost: the client sees a dropped connection after the service applied the call.
      try {
        await service.handle(sreq, muted(res))
        record.status = res.statusCode
      } finally {
        res.socket?.destroy()
      }
      return
    }
    await service.handle(sreq, res)
    record.status = res.statusCode
  }

  /** Returns false when the connection was dropped. */
  private applyFailure(rule: FaultRule, service: SandboxService, req: SandboxRequest, res: ServerResponse): boolean {
    switch (rule.kind) {
      case 'drop': {
        res.socket?.destroy()
        return false
      }
      case 'throttle': {
        service.renderError(req, res, {kind: 'throttle', status: 429, message: 'Rate exceeded (injected by the sandbox)', retryAfterSeconds: rule.retryAfter ?? 1})
        return true
      }
      default: {
        const status = rule.status ?? 500
        service.renderError(req, res, {kind: 'server', status, message: `Injected server error ${status}`})
        return true
      }
    }
  }

  private control(req: SandboxRequest, res: ServerResponse): void {
    const p = req.url.pathname
    const m = req.method
    try {
      if (p === '/_sandbox/health' && m === 'GET') {
        sendJson(res, 200, {ok: true, ...this.info, services: this.services.map((s) => s.name)})
      } else if (p === '/_sandbox/requests' && m === 'GET') {
        const withLog = req.url.searchParams.get('log') === '1' || req.url.searchParams.get('log') === 'true'
        sendJson(res, 200, this.requests.snapshot(withLog, req.url.searchParams.get('service') ?? undefined))
      } else if (p === '/_sandbox/requests' && m === 'DELETE') {
        this.requests.reset()
        sendJson(res, 200, {ok: true})
      } else if (p === '/_sandbox/faults' && m === 'GET') {
        sendJson(res, 200, {faults: this.faults.list()})
      } else if (p === '/_sandbox/faults' && m === 'POST') {
        const parsed = faultRuleInput.safeParse(req.json())
        if (!parsed.success) {
          const issue = parsed.error.issues[0]
          sendJson(res, 400, {message: `${issue.path.join('.') || 'body'}: ${issue.message}`})
          return
        }
        if (parsed.data.service !== '*' && !this.services.some((s) => s.name === parsed.data.service)) {
          sendJson(res, 400, {message: `unknown service "${parsed.data.service}"; known: ${this.services.map((s) => s.name).join(', ')}`})
          return
        }
        sendJson(res, 201, {fault: this.faults.add(parsed.data)})
      } else if (p === '/_sandbox/faults' && m === 'DELETE') {
        const removed = this.faults.clear({service: req.url.searchParams.get('service') ?? undefined, id: req.url.searchParams.get('id') ?? undefined})
        // clearing every fault also ends the delays in progress (a test holds a request, then lets it go)
        if (!req.url.searchParams.has('service') && !req.url.searchParams.has('id')) for (const held of this.delayed) held.abort()
        sendJson(res, 200, {removed})
      } else if (p === '/_sandbox/reset' && m === 'POST') {
        this.reset()
        sendJson(res, 200, {ok: true})
      } else if (p === '/_sandbox/platform' && m === 'GET') {
        sendJson(res, 200, Object.fromEntries(this.services.map((s) => [s.name, s.describe?.() ?? {}])))
      } else if (p === '/_sandbox/shutdown' && m === 'POST') {
        sendJson(res, 200, {ok: true})
        setImmediate(() => {
          this.stop().finally(() => this.onShutdown?.())
        })
      } else {
        sendJson(res, 404, {message: `unknown control endpoint ${m} ${p}`})
      }
    } catch (error) {
      sendJson(res, 400, {message: (error as Error).message})
    }
  }

  /** Called after a shutdown requested over HTTP (the process entry exits). */
  onShutdown?: () => void
}

/**
 * The response with its output swallowed: the handler writes its answer (status, headers, body,
 * piped streams) into nothing, so the caller can destroy the connection once the effect is done.
 */
function muted(res: ServerResponse): ServerResponse {
  const mute = res as unknown as Record<string, unknown>
  mute.writeHead = (status: number) => {
    res.statusCode = status
    return res
  }
  mute.setHeader = () => res
  mute.flushHeaders = () => undefined
  mute.write = () => true
  mute.end = (...args: unknown[]) => {
    const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined
    cb?.()
    return res
  }
  return res
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      resolve()
    })
  })
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) {
        reject(new Error('request body too large'))
        req.destroy()
        return
      }
      chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function makeRequest(req: IncomingMessage, url: URL, body: Buffer): SandboxRequest {
  const sig = parseSigV4(req.headers, url)
  let textCache: string | undefined
  let formCache: URLSearchParams | undefined
  const text = () => (textCache ??= body.toString('utf8'))
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    url,
    path: url.pathname,
    headers: req.headers,
    body,
    awsService: sig?.service,
    awsAccessKey: sig?.accessKey,
    text,
    json<T>() {
      const t = text()
      return (t.length === 0 ? {} : JSON.parse(t)) as T
    },
    form() {
      return (formCache ??= new URLSearchParams(text()))
    },
  }
}
