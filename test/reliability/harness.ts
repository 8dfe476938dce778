/**
 * The reliability campaign's harness (issue 17): faults at every call. For one scenario (a
 * mutating command on the sandbox), run it once without faults and record the sequence of API
 * calls it makes; then, for each call index i and each fault kind, start again from the same
 * state, inject the fault at exactly call i (the sandbox's `after: i` rule), run the command,
 * and classify the outcome:
 *   completed  exit 0 and the platform ends in the same state as the fault-free run
 *   resumed    a clear stop (documented exit code, one `Error:` line with a `Hint:`, no stack
 *              trace), after which the same command (or the scenario's resume command) completes
 *              to the same state
 *   lost       anything else: exit 0 with a different state (a silent wrong answer), a stack
 *              trace, an undocumented exit code, or a rerun that does not reach the state
 * The same harness serves the quick CI slice (test/reliability/faults.test.ts) and the whole
 * campaign (`npm run reliability`, test/reliability/campaign.ts), which writes the figures.
 */
import fs from 'node:fs'
import path from 'node:path'
import {isDeepStrictEqual} from 'node:util'
import {hasStackTrace, runCli, type CliResult} from '../helpers/cli.js'
import type {TestSandbox} from '../helpers/sandbox.js'

export type FaultKind = 'throttle' | 'error' | 'drop' | 'drop-after' | 'slow'
/** drop: the connection dies before the call takes effect; drop-after: the call takes effect, its answer is lost. */
export const FAULT_KINDS: FaultKind[] = ['throttle', 'error', 'drop', 'drop-after', 'slow']

/** Exit codes a command may stop with under a fault (docs: README's exit codes): failed, violations, refused. */
const CLEAN_STOP_CODES = new Set([1, 3, 4])

/** The client socket timeout the harness runs the CLI with, and the latency of a `slow` fault past it. */
export const SOCKET_TIMEOUT_MS = 1500
const SLOW_MS = 2500

export interface Scenario {
  name: string
  /** The command under test (without --json; the harness reads exit codes and stderr). */
  args: string[]
  /** What to run after a clean stop (default: the same command). */
  resumeArgs?: string[]
  /** Bring the platform and the workspace to the scenario's starting point (no faults are active). */
  prepare?(h: HarnessRun): Promise<void>
  /** The platform state that matters for this command, compared with the fault-free run's. */
  fingerprint(h: HarnessRun): Promise<unknown>
  /** Only fault calls to these services (default: every call the command makes). */
  services?: string[]
}

export interface HarnessRun {
  sb: TestSandbox
  cli(args: string[], env?: Record<string, string>): Promise<CliResult>
  /** The sandbox's state summary (GET /_sandbox/platform). */
  platform(): Promise<Record<string, unknown>>
}

export interface Call {
  service: string
  operation: string
}

export type Outcome = 'completed' | 'resumed' | 'lost'

export interface FaultRun {
  scenario: string
  index: number
  call: Call
  kind: FaultKind
  /** How many times in a row the call fails: 1 (transient) or enough to exhaust the client's retries. */
  times: number
  outcome: Outcome
  exitCode: number
  resumeExitCode?: number
  /** Why a run is `lost` (or what the clean stop said). */
  note: string
}

export interface ScenarioReport {
  scenario: string
  calls: Call[]
  runs: FaultRun[]
}

export async function control(sb: TestSandbox, method: string, p: string, body?: unknown): Promise<unknown> {
  const r = await fetch(`${sb.url}${p}`, {method, ...(body === undefined ? {} : {body: JSON.stringify(body)})})
  if (!r.ok) throw new Error(`${method} ${p}: HTTP ${r.status} ${await r.text()}`)
  return r.json()
}

export function makeRun(sb: TestSandbox): HarnessRun {
  const env = {...sb.env, IMPRESS_AWS_SOCKET_TIMEOUT_MS: String(SOCKET_TIMEOUT_MS)}
  return {
    sb,
    cli: (args, extra) => runCli(args, {env: {...env, ...extra}, cwd: sb.cwd, timeout: 120_000}),
    platform: async () => (await control(sb, 'GET', '/_sandbox/platform')) as Record<string, unknown>,
  }
}

/** Start from the seeded platform and an empty local state (no audit log, journals, caches, workspace). */
export async function fresh(h: HarnessRun, scenario: Pick<Scenario, 'prepare'>): Promise<void> {
  await control(h.sb, 'DELETE', '/_sandbox/faults')
  await control(h.sb, 'POST', '/_sandbox/reset')
  for (const entry of fs.readdirSync(h.sb.home)) if (entry !== 'sandbox') fs.rmSync(path.join(h.sb.home, entry), {recursive: true, force: true})
  await scenario.prepare?.(h)
  await control(h.sb, 'DELETE', '/_sandbox/requests')
}

async function calls(h: HarnessRun, services?: string[]): Promise<Call[]> {
  const r = (await control(h.sb, 'GET', '/_sandbox/requests?log=1')) as {log: Call[]}
  return r.log.filter((c) => !services || services.includes(c.service)).map((c) => ({service: c.service, operation: c.operation}))
}

function faultRule(kind: FaultKind, after: number, times: number, services?: string[]) {
  const base = {service: services?.length === 1 ? services[0] : '*', after, times}
  if (kind === 'throttle') return {...base, kind: 'throttle', retryAfter: 0}
  if (kind === 'error') return {...base, kind: 'error', status: 503}
  if (kind === 'drop' || kind === 'drop-after') return {...base, kind}
  return {...base, kind: 'latency', ms: SLOW_MS}
}

/** A clean stop: a documented exit code, an `Error:` line and a `Hint:`, no stack trace. */
export function cleanStop(r: CliResult): string | undefined {
  if (!CLEAN_STOP_CODES.has(r.exitCode)) return `exit ${r.exitCode} is not a documented stop (1, 3 or 4)`
  if (hasStackTrace(r.stderr)) return 'a stack trace on stderr'
  if (!/^Error: /m.test(r.stderr)) return 'no `Error:` line'
  if (!/^Hint: /m.test(r.stderr)) return 'no `Hint:` line'
  return undefined
}

export const firstError = (r: CliResult) => r.stderr.split('\n').find((l) => l.startsWith('Error: '))?.slice(7, 160) ?? ''

/**
 * The fault-free run (its calls and end state), then one run per call index × kind.
 * `times`: 1 for a transient fault (the client's retries should absorb it), or more to outlast them.
 * `pick` limits the (index, kind) pairs (the CI slice rotates kinds over the indices).
 */
export async function faultCampaign(
  sb: TestSandbox,
  scenario: Scenario,
  options: {kinds?: FaultKind[]; times?: number[]; pairs?: [FaultKind, number][]; pick?: (index: number, kind: FaultKind, calls: Call[]) => boolean; onRun?: (r: FaultRun) => void} = {},
): Promise<ScenarioReport & {expected: unknown}> {
  const h = makeRun(sb)
  await fresh(h, scenario)
  const base = await h.cli(scenario.args)
  if (base.exitCode !== 0) throw new Error(`${scenario.name}: the fault-free run exits ${base.exitCode}: ${base.stderr.slice(-600)}`)
  const sequence = await calls(h, scenario.services)
  const expected = await scenario.fingerprint(h)
  const runs: FaultRun[] = []
  for (let index = 0; index < sequence.length; index++) {
    for (const kind of options.kinds ?? FAULT_KINDS) {
      if (options.pick && !options.pick(index, kind, sequence)) continue
      for (const times of options.times ?? [1, 6]) {
        if (options.pairs && !options.pairs.some(([k, t]) => k === kind && t === times)) continue
        await fresh(h, scenario)
        await control(sb, 'POST', '/_sandbox/faults', faultRule(kind, index, times, scenario.services))
        const r = await h.cli(scenario.args)
        await control(sb, 'DELETE', '/_sandbox/faults')
        const run: FaultRun = {scenario: scenario.name, index, call: sequence[index], kind, times, outcome: 'lost', exitCode: r.exitCode, note: ''}
        if (r.exitCode === 0) {
          const got = await scenario.fingerprint(h)
          if (isDeepStrictEqual(got, expected)) run.outcome = 'completed'
          else run.note = `exit 0 but the state differs: ${JSON.stringify(got)} ≠ ${JSON.stringify(expected)}`
        } else {
          const unclean = cleanStop(r)
          if (unclean) run.note = `${unclean}: ${firstError(r) || r.stderr.slice(-300)}`
          else {
            const again = await h.cli(scenario.resumeArgs ?? scenario.args)
            run.resumeExitCode = again.exitCode
            const got = again.exitCode === 0 ? await scenario.fingerprint(h) : undefined
            if (again.exitCode === 0 && isDeepStrictEqual(got, expected)) {
              run.outcome = 'resumed'
              run.note = firstError(r)
            } else run.note = `stopped (${firstError(r)}) but the rerun ${again.exitCode === 0 ? `ends in another state: ${JSON.stringify(got)}` : `exits ${again.exitCode}: ${firstError(again)}`}`
          }
        }
        runs.push(run)
        options.onRun?.(run)
      }
    }
  }
  return {scenario: scenario.name, calls: sequence, runs, expected}
}

/** Counts per outcome, for the figures. */
export function tally(runs: FaultRun[]): Record<Outcome, number> & {runs: number} {
  const t = {runs: runs.length, completed: 0, resumed: 0, lost: 0}
  for (const r of runs) t[r.outcome]++
  return t
}
