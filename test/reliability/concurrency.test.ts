/**
 * Concurrency (issue 17): two real `impress` processes on the same target. The second is
 * refused (exit 4, naming the lock holder: user, pid) while the first holds the target, never
 * interleaved; the first completes to the state a lone run reaches (or, for a command that checks
 * its own end state, completes: restore compares counts and hashes, apply plans again for drift). The first is kept busy with
 * sandbox latency on its service so the second arrives mid-operation.
 */
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCli, type CliResult} from '../helpers/cli.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {control, fresh, makeRun, type HarnessRun} from './harness.js'
import {deployScenario, firebaseRestoreScenario, rollbackScenario, rolesApplyScenario} from './scenarios.js'
import type {Scenario} from './harness.js'

let sb: TestSandbox
let h: HarnessRun
beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.001})
  h = makeRun(sb)
})
afterAll(async () => {
  await sb?.stop()
})

function locks(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, {recursive: true, withFileTypes: true}).filter((e) => e.isFile() && e.name.endsWith('.lock')).map((e) => path.join(e.parentPath, e.name))
}

/** Start `first`; once it holds a lock, run `second`; return both results and the lock seen. */
async function race(scenario: Scenario, service: string, selfChecking = false): Promise<{first: CliResult; second: CliResult; lock: {pid: number; owner: string}}> {
  await fresh(h, scenario)
  // a command that checks its own end state (restore compares counts and hashes, apply plans again) needs no lone run
  const expected = selfChecking ? undefined : await (async () => {
    // a lone run's end state, then back to the start
    const lone = await h.cli(scenario.args)
    expect(lone.exitCode, lone.stderr).toBe(0)
    const fp = await scenario.fingerprint(h)
    await fresh(h, scenario)
    return fp
  })()
  // every call of the first is slowed a little (it cannot finish between our seeing its lock and the next rule) ...
  await control(sb, 'POST', '/_sandbox/faults', {service, kind: 'latency', ms: 200})
  const dataDir = path.join(sb.home, 'data')
  // both with the default client timeouts (the harness's short socket timeout would cut the hold short)
  const first = runCli(scenario.args, {env: sb.env, cwd: sb.cwd})
  let lock: {pid: number; owner: string} | undefined
  for (let i = 0; i < 600 && !lock; i++) {
    const [file] = locks(dataDir)
    if (file) lock = JSON.parse(fs.readFileSync(file, 'utf8')) as {pid: number; owner: string}
    else await new Promise((r) => setTimeout(r, 25))
  }
  expect(lock, 'the first process took a lock').toBeDefined()
  // ... and once it holds the target, its next call is held until the second process has finished
  await control(sb, 'POST', '/_sandbox/faults', {service, kind: 'latency', ms: 50_000, times: 1})
  const second = await runCli(scenario.args, {env: sb.env, cwd: sb.cwd})
  await control(sb, 'DELETE', '/_sandbox/faults') // lets the held call go
  const firstDone = await first
  await control(sb, 'DELETE', '/_sandbox/faults')
  expect(firstDone.exitCode, firstDone.stderr).toBe(0)
  // not interleaved: the first ends exactly where a lone run ends
  if (!selfChecking) expect(await scenario.fingerprint(h)).toEqual(expected)
  expect(locks(dataDir), 'the lock is released').toEqual([])
  return {first: firstDone, second, lock: lock!}
}

function expectRefused(second: CliResult, lock: {pid: number; owner: string}, what: RegExp) {
  expect(second.exitCode, second.stderr).toBe(4)
  expect(second.stderr).toMatch(what)
  expect(second.stderr).toContain(`locked by ${lock.owner} (pid ${lock.pid})`)
  expect(second.stderr).toMatch(/^Hint: /m)
}

describe('reliability: two operators on the same target', {timeout: 120_000}, () => {
  it('deploy: the second deploy of the same function is refused (exit 4, holder named)', async () => {
    const {second, lock} = await race(deployScenario, 'lambda')
    expectRefused(second, lock, /impress deploy of impress-etl is already running/)
  })

  it('rollback: refused while another rollback of the function runs (the alias steps back once, not twice)', async () => {
    const {second, lock} = await race(rollbackScenario, 'lambda')
    expectRefused(second, lock, /impress rollback of impress-etl is already running/)
  })

  it('roles apply: refused while another apply runs on the same tenant (changes never interleave)', async () => {
    const {second, lock} = await race(rolesApplyScenario, 'auth0', true)
    expectRefused(second, lock, /impress roles apply on impress-sandbox\.eu\.auth0\.com is already running/)
  })

  it('firebase restore: refused while another restore writes the same database', async () => {
    const {second, lock} = await race(firebaseRestoreScenario, 'rtdb', true)
    expectRefused(second, lock, /impress firebase restore into .*impress-sandbox-scratch.* is already running/)
  })
})
