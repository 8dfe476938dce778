/**
 * The reliability campaign's kills at every step (issue 17). For one scenario, run the command
 * with IMPRESS_KILL_AFTER_STEPS=N (src/lib/journal/failpoint.ts): the process SIGKILLs itself
 * right after its Nth durable record of progress (journal save, backup checkpoint, restore
 * progress file), for N = 1, 2, … until a run finishes before its Nth record (the command has
 * N-1 steps). After each kill, rerun the scenario's resume command (no kill) and compare the
 * platform with the kill-free run's: the fingerprint captures duplicates (one more snapshot,
 * version or backup), orphans (a cluster or database left behind) and the original (kept).
 *   resumed  the killed run died, the rerun exits 0 and the platform matches
 *   lost     anything else (the rerun fails or leaves another state)
 */
import {isDeepStrictEqual} from 'node:util'
import type {TestSandbox} from '../helpers/sandbox.js'
import {cleanStop, firstError, fresh, makeRun, type HarnessRun} from './harness.js'

export interface KillScenario {
  name: string
  args: string[]
  /** What an operator reruns after the kill (default: the same command). */
  resumeArgs?: string[]
  prepare?(h: HarnessRun): Promise<void>
  /** The state that must come out the same after kill + rerun as without a kill. */
  fingerprint(h: HarnessRun): Promise<unknown>
}

export interface KillRun {
  scenario: string
  /** Killed right after this many records of progress. */
  step: number
  outcome: 'resumed' | 'lost'
  killedExitCode: number
  rerunExitCode: number
  note: string
}

/** A run killed by its own SIGKILL: execa reports no exit code (-1 from runCli) and nothing after the kill. */
const KILLED = -1
/** Safety stop: no command in the campaign records more steps than this. */
const MAX_STEPS = 60

export async function killCampaign(
  sb: TestSandbox,
  scenario: KillScenario,
  options: {steps?: (n: number) => boolean; maxSteps?: number; onRun?: (r: KillRun) => void} = {},
): Promise<{scenario: string; steps: number; runs: KillRun[]; expected: unknown}> {
  const h = makeRun(sb)
  await fresh(h, scenario)
  const base = await h.cli(scenario.args)
  if (base.exitCode !== 0) throw new Error(`${scenario.name}: the kill-free run exits ${base.exitCode}: ${base.stderr.slice(-600)}`)
  const expected = await scenario.fingerprint(h)
  const runs: KillRun[] = []
  const max = options.maxSteps ?? MAX_STEPS
  let n = 1
  for (; n <= max; n++) {
    if (options.steps && !options.steps(n)) continue
    await fresh(h, scenario)
    const killed = await h.cli(scenario.args, {IMPRESS_KILL_AFTER_STEPS: String(n)})
    if (killed.exitCode === 0) break // it finished before its Nth record: every step has been killed once
    const run: KillRun = {scenario: scenario.name, step: n, outcome: 'lost', killedExitCode: killed.exitCode, rerunExitCode: -1, note: ''}
    if (killed.exitCode !== KILLED) run.note = `not killed: exit ${killed.exitCode}: ${firstError(killed) || killed.stderr.slice(-300)}`
    else {
      // killed after its last record, the work may be whole already: the rerun may then say there is nothing to resume
      const whole = isDeepStrictEqual(await scenario.fingerprint(h), expected)
      const again = await h.cli(scenario.resumeArgs ?? scenario.args)
      run.rerunExitCode = again.exitCode
      const got = again.exitCode === 0 || whole ? await scenario.fingerprint(h) : undefined
      const nothingToDo = whole && again.exitCode !== 0 && !cleanStop({...again, exitCode: again.exitCode === 2 ? 1 : again.exitCode})
      if ((again.exitCode === 0 || nothingToDo) && isDeepStrictEqual(got, expected)) {
        run.outcome = 'resumed'
        if (whole) run.note = again.exitCode === 0 ? 'complete at the kill' : `complete at the kill; the rerun: ${firstError(again)}`
      } else run.note = again.exitCode === 0 ? `the rerun ends in another state: ${JSON.stringify(got)} ≠ ${JSON.stringify(expected)}` : `the rerun exits ${again.exitCode}: ${firstError(again) || again.stderr.slice(-300)}`
    }
    runs.push(run)
    options.onRun?.(run)
  }
  return {scenario: scenario.name, steps: n - 1, runs, expected}
}
