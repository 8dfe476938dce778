/**
 * The CI slice of the bad-input sweep (issue 17): a few malformed inputs of each kind, from a
 * fixed seed, through bin/run.js. Each must exit 2 (3 for a corrupt backup) with one `Error:` line
 * and a `Hint:`, no stack trace, and write nothing (test/reliability/input.ts says exactly what
 * that means). The whole sweep, hundreds of inputs: `npm run reliability` (docs/RELIABILITY.md).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {INPUT_KINDS, makeWorld, runCase, sampleCases, type InputRun, type InputWorld} from './input.js'

const SEED = Number(process.env.INPUT_SEED ?? 1717)
const RUNS = Number(process.env.INPUT_RUNS ?? 3)

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
})
