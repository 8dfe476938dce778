/**
 * The CI slice of the bad-input sweep (issue 17): a few malformed inputs of each kind, from a
 * fixed seed, through bin/run.js. Each must exit 2 (3 for a corrupt backup) with one `Error:` line
 * and a `Hint:`, no stack trace, and write nothing (test/reliability/input.ts says exactly what
 * that means). The whole sweep, hundreds of inputs: `npm run reliability` (docs/RELIABILITY.md).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {INPUT_KINDS, makeWorld, runCase, sampleCases, type InputCase, type InputRun, type InputWorld} from './input.js'

const SEED = Number(process.env.INPUT_SEED ?? 1717)
const RUNS = Number(process.env.INPUT_RUNS ?? 2)

let sb: TestSandbox
let world: InputWorld
beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.001})
  world = await makeWorld(sb)
}, 180_000)
afterAll(async () => {
  await sb?.stop()
})

describe('reliability: bad input (CI slice)', {timeout: 300_000}, () => {
  for (const kind of INPUT_KINDS) {
    it(`${kind}: every malformed input exits ${kind === 'backup' ? '2 or 3' : '2'}, one Error: line and a Hint:, no stack trace, nothing written`, async () => {
      const runs: InputRun[] = []
      for (const c of sampleCases([kind], RUNS, SEED)) runs.push(await runCase(world, c))
      const bad = runs.filter((r) => !r.ok).map((r) => ({label: r.c.label, args: r.c.args.join(' '), exit: r.exitCode, problems: r.problems, error: r.error}))
      expect(bad, JSON.stringify(bad, null, 2)).toEqual([])
      expect(runs).toHaveLength(RUNS)
    })
  }

  it('the inputs the campaign found mishandled, through bin/run.js: each exits 2 or 3 and writes nothing', async () => {
    const found: InputCase[] = [
      // verify passed a manifest whose whole-backup digest was edited (exit 0)
      {kind: 'backup', family: 'manifest-hash', label: 'firestore digest', args: ['firebase', 'verify', '{backup}'], json: false, backup: {source: 'firestore', corrupt: {type: 'manifest-hash', field: 'digest', hex: 'a'.repeat(64)}}, expect: [3]},
      {kind: 'backup', family: 'manifest-hash', label: 'rtdb digest', args: ['firebase', 'restore', '{backup}', '--yes', '--to-database', 'impress-sandbox-scratch'], json: true, backup: {source: 'rtdb', corrupt: {type: 'manifest-hash', field: 'digest', hex: 'b'.repeat(64)}}, expect: [2, 3]},
      // a manifest that is not JSON, or lacks its chunks list: "Unexpected error", exit 1
      {kind: 'backup', family: 'manifest-truncated', label: 'rtdb manifest cut', args: ['firebase', 'verify', '{backup}'], json: false, backup: {source: 'rtdb', corrupt: {type: 'manifest-truncated', fraction: 0.5}}, expect: [3]},
      {kind: 'backup', family: 'manifest-type', label: 'chunks null', args: ['firebase', 'restore', '{backup}', '--yes', '--to-database', 'impress-sandbox-scratch'], json: false, backup: {source: 'rtdb', corrupt: {type: 'manifest-type', field: 'chunks', value: null}}, expect: [3]},
      // a leaver dated 2026-13-45 passed access review (exit 0)
      {kind: 'roster', family: 'semantic', label: 'left 2026-13-45', args: ['access', 'review'], json: false, write: {roster: world.originals.roster.replace(/left: \S+/, 'left: 2026-13-45')}, expect: [2]},
      // times past the Date range: exit 1 (a bug report, NaN sent to CloudWatch)
      {kind: 'time', family: 'overflow', label: 'drill --to-time', args: ['drill', '--dry-run', '--to-time=99999999999999d'], json: false, expect: [2]},
      {kind: 'time', family: 'overflow', label: 'logs --since', args: ['logs', '--since=99999999999999d'], json: true, expect: [2]},
      // env: followed by something that is not a variable name was used as the literal secret
      {kind: 'config', family: 'env-ref-invalid', label: 'env:1ABC', args: ['roles', 'plan'], json: false, write: {config: `environments:\n  sandbox:\n    sandbox: {}\n    auth0: {domain: impress-sandbox.eu.auth0.com, clientId: impress-ops-sandbox, clientSecret: "env:1ABC"}\n`}, expect: [2]},
    ]
    const runs: InputRun[] = []
    for (const c of found) runs.push(await runCase(world, c))
    expect(runs.map((r) => [r.c.label, r.exitCode, r.problems])).toEqual(found.map((c) => [c.label, c.expect.length === 1 ? c.expect[0] : expect.any(Number), []]))
  })
})
