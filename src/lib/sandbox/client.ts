/**
 * Talking to a running sandbox: find it from its state directory, check its health, start it
 * detached when a command needs it, and use its control endpoints.
 */
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {builtFile} from '../built-file.js'
import {OperationError, UsageError} from '../errors.js'
import {SANDBOX_INFO_FILE, SANDBOX_PORT_FILE, type SandboxInfo} from './info.js'
import type {FaultRule, FaultRuleInput} from './faults.js'

export const DEFAULT_SANDBOX_PORT = 4545

export interface SandboxHealth extends SandboxInfo {
  ok: boolean
  services: string[]
}

export function readSandboxInfo(stateDir: string): SandboxInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(stateDir, SANDBOX_INFO_FILE), 'utf8')) as SandboxInfo
  } catch {
    return undefined
  }
}

/**
 * The sandbox's health document, or undefined when it does not answer. Every CLI command in
 * sandbox mode asks this once, so it uses node:http: the first global fetch() of a process
 * loads undici, ≈100 ms of CPU (measured on the deploy path), for one loopback GET.
 */
export function health(url: string, timeoutMs = 1500): Promise<SandboxHealth | undefined> {
  return new Promise((resolve) => {
    const req = http.get(new URL('/_sandbox/health', url), {timeout: timeoutMs}, (res) => {
      const parts: Buffer[] = []
      res.on('data', (c: Buffer) => parts.push(c))
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve(undefined)
        try {
          resolve(JSON.parse(Buffer.concat(parts).toString('utf8')) as SandboxHealth)
        } catch {
          resolve(undefined)
        }
      })
      res.on('error', () => resolve(undefined))
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(undefined))
  })
}

/** The running sandbox for a state directory, or undefined. */
export async function findRunning(stateDir: string): Promise<SandboxHealth | undefined> {
  const info = readSandboxInfo(stateDir)
  if (!info) return undefined
  const h = await health(info.url)
  if (!h || path.resolve(h.stateDir) !== path.resolve(stateDir)) return undefined
  return h
}

/** The port a state directory's sandbox last listened on (recorded by the server at each start). */
export function recordedPort(stateDir: string): number | undefined {
  try {
    const {port} = JSON.parse(fs.readFileSync(path.join(stateDir, SANDBOX_PORT_FILE), 'utf8')) as {port?: unknown}
    return typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65_536 ? port : undefined
  } catch {
    return undefined
  }
}

export interface PortChoice {
  port: number
  /** flag: --port; env: $IMPRESS_SANDBOX_PORT; recorded: the port of the last start; default: DEFAULT_SANDBOX_PORT. */
  source: 'flag' | 'env' | 'recorded' | 'default'
}

/** The port a start asks for: --port, else $IMPRESS_SANDBOX_PORT, else the recorded one, else 4545. */
export function choosePort(stateDir: string, flag?: number, env: NodeJS.ProcessEnv = process.env): PortChoice {
  if (flag !== undefined) return {port: flag, source: 'flag'}
  const fromEnv = env.IMPRESS_SANDBOX_PORT
  if (fromEnv !== undefined && fromEnv !== '') {
    const n = Number(fromEnv)
    if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new UsageError(`IMPRESS_SANDBOX_PORT must be a port number (0-65535), got "${fromEnv}".`, {hint: 'Unset it, or set it to a free port (0: any free port).'})
    return {port: n, source: 'env'}
  }
  const recorded = recordedPort(stateDir)
  return recorded ? {port: recorded, source: 'recorded'} : {port: DEFAULT_SANDBOX_PORT, source: 'default'}
}

/** What to tell the user when the sandbox could not get the port it asked for (a default that was busy is not news). */
export function portMovedWarning(choice: PortChoice, started: {port: number}): string | undefined {
  if (choice.port === 0 || started.port === choice.port || choice.source === 'default') return undefined
  const what = {flag: 'the port given with --port', env: 'the port in IMPRESS_SANDBOX_PORT', recorded: 'the port this sandbox used before'}[choice.source]
  return `Port ${choice.port} (${what}) is taken by another process: the sandbox listens on ${started.port} now, and keeps it for the next restarts. Lines exported from \`impress sandbox env\` before must be exported again.`
}

export interface StartOptions {
  stateDir: string
  port?: number
  timeScale?: number
  version?: string
  /** Wait this long for the ready signal. */
  timeoutMs?: number
}

/** The sandbox server's entry file: dist/bundle/lib/sandbox/main.js when this code runs from the bundle, dist/lib/sandbox/main.js from the one-to-one build. */
const sandboxMain = (): string => builtFile(import.meta.url, 'lib/sandbox/main.js') ?? fileURLToPath(new URL('./main.js', import.meta.url))

/** Start the sandbox as a detached background process; resolves once it answers. */
export async function startDetached(options: StartOptions): Promise<SandboxHealth> {
  fs.mkdirSync(options.stateDir, {recursive: true})
  const logPath = path.join(options.stateDir, 'sandbox.log')
  const log = fs.openSync(logPath, 'a')
  const stale = readSandboxInfo(options.stateDir)
  const args = [sandboxMain(), '--state', options.stateDir, '--port', String(options.port ?? choosePort(options.stateDir).port)]
  if (options.timeScale !== undefined) args.push('--time-scale', String(options.timeScale))
  if (options.version) args.push('--version', options.version)
  // Imported here: every command that talks to the sandbox loads this file, few start it (child_process costs ≈ 3 ms to load).
  const {spawn} = await import('node:child_process')
  const child = spawn(process.execPath, args, {detached: true, stdio: ['ignore', log, log], env: process.env})
  child.unref()
  fs.closeSync(log)
  let exited: number | null = null
  child.once('exit', (code) => {
    exited = code ?? 1
  })
  const deadline = Date.now() + (options.timeoutMs ?? 15_000)
  while (Date.now() < deadline) {
    if (exited !== null) break
    const info = readSandboxInfo(options.stateDir)
    if (info && info.pid === child.pid && (!stale || info.startedAt !== stale.startedAt)) {
      const h = await health(info.url)
      if (h) return h
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  const tail = fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8').trim().split('\n').slice(-3).join(' | ') : ''
  throw new OperationError(`The sandbox did not start${tail ? `: ${tail}` : ''}.`, {hint: `See ${logPath}; check that the port is free or pass --port 0.`})
}

export async function stopSandbox(stateDir: string, timeoutMs = 10_000): Promise<SandboxInfo | undefined> {
  const running = await findRunning(stateDir)
  if (!running) return undefined
  await control(running.url, 'POST', '/_sandbox/shutdown')
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!(await health(running.url, 300))) return running
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new OperationError(`The sandbox (pid ${running.pid}) did not stop within ${timeoutMs / 1000}s.`, {hint: `Stop it by hand: kill ${running.pid}`})
}

export async function control<T = unknown>(url: string, method: string, pathname: string, body?: unknown): Promise<T> {
  let res: Response
  try {
    res = await fetch(new URL(pathname, url), {
      method,
      headers: body === undefined ? {} : {'content-type': 'application/json'},
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    })
  } catch (error) {
    throw new OperationError(`Cannot reach the sandbox at ${url}.`, {hint: 'Start it with `impress sandbox start`.', cause: error})
  }
  const data = (await res.json().catch(() => ({}))) as T & {message?: string}
  if (!res.ok) throw new UsageError(`The sandbox refused ${method} ${pathname}: ${data.message ?? res.status}`, {hint: 'See `impress sandbox fault --help`.'})
  return data
}

export const sandboxControl = {
  requests: (url: string, log = false) => control<{total: number; counts: Record<string, Record<string, number>>; log?: unknown[]}>(url, 'GET', `/_sandbox/requests${log ? '?log=1' : ''}`),
  resetRequests: (url: string) => control(url, 'DELETE', '/_sandbox/requests'),
  addFault: (url: string, rule: FaultRuleInput) => control<{fault: FaultRule}>(url, 'POST', '/_sandbox/faults', rule),
  listFaults: (url: string) => control<{faults: FaultRule[]}>(url, 'GET', '/_sandbox/faults'),
  clearFaults: (url: string, service?: string) => control<{removed: number}>(url, 'DELETE', `/_sandbox/faults${service ? `?service=${encodeURIComponent(service)}` : ''}`),
  reset: (url: string) => control(url, 'POST', '/_sandbox/reset'),
}
