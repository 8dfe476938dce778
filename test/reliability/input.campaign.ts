/**
 * The whole bad-input sweep, on demand (`npm run reliability`, or this file alone:
 * `npx vitest run --config vitest.reliability.config.ts test/reliability/input.campaign.ts`):
 * INPUT_RUNS (default 60) malformed inputs of each kind from INPUT_SEED (default 2026), each
 * through bin/run.js against one sandbox. Prints one line per run and the tally, and writes
 * reports/reliability-input.json, whose figures docs/RELIABILITY.md quotes. Fails when any run
 * breaks the property (test/reliability/input.ts).
 */
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {INPUT_KINDS, makeWorld, runCase, sampleCases, tallyInput, type InputKind, type InputRun, type InputWorld} from './input.js'

const SEED = Number(process.env.INPUT_SEED ?? 2026)
const RUNS = Number(process.env.INPUT_RUNS ?? 60)
const kinds = (process.env.INPUT_KINDS?.split(',') as InputKind[] | undefined) ?? INPUT_KINDS

let sb: TestSandbox
let world: InputWorld
const runs: InputRun[] = []
beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.001})
  world = await makeWorld(sb)
}, 300_000)
afterAll(async () => {
  await sb?.stop()
  const out = path.resolve('reports', 'reliability-input.json')
  fs.mkdirSync(path.dirname(out), {recursive: true})
  const summary = tallyInput(runs)
  const families: Record<string, number> = {}
  for (const r of runs) families[`${r.c.kind} ${r.c.family}`] = (families[`${r.c.kind} ${r.c.family}`] ?? 0) + 1
  fs.writeFileSync(out, JSON.stringify({generatedAt: new Date().toISOString(), seed: SEED, runsPerKind: RUNS, summary, families, runs: runs.map((r) => ({kind: r.c.kind, family: r.c.family, label: r.c.label, args: r.c.args, exitCode: r.exitCode, ok: r.ok, problems: r.problems, error: r.error, ms: r.ms}))}, null, 2) + '\n')
  console.log(`\n${Object.entries(summary).map(([k, s]) => `${k.padEnd(8)} runs ${String(s.runs).padStart(4)}  ok ${String(s.ok).padStart(4)}  failed ${s.failed}  exits ${JSON.stringify(s.exits)}`).join('\n')}\nwritten to ${out}`)
})

describe('reliability campaign: bad input', () => {
  for (const kind of kinds) {
    it(kind, {timeout: 4 * 3600_000}, async () => {
      const mine: InputRun[] = []
      for (const c of sampleCases([kind], RUNS, SEED)) {
        const r = await runCase(world, c)
        mine.push(r)
        runs.push(r)
        console.log(`${kind} ${r.ok ? 'ok' : 'FAILED'} exit ${r.exitCode} ${r.ms} ms: ${r.c.label} [${r.c.args.slice(0, 3).join(' ')}${r.c.json ? ' … --json' : ''}]${r.ok ? '' : ` ${r.problems.join('; ')}: ${r.error}`}`)
      }
      expect(mine.filter((r) => !r.ok).map((r) => `${r.c.label}: ${r.problems.join('; ')}`)).toEqual([])
    })
  }
})
