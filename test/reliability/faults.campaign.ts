/**
 * The whole fault campaign, on demand (`npm run reliability`; not part of `npm test`): every
 * scenario, a fault at every call, every kind, transient (1 hit) and outlasting the retries
 * (6 hits). Prints one line per run and the tally, and writes reports/reliability-faults.json,
 * whose figures docs/RELIABILITY.md quotes. Fails when any run is lost.
 */
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {faultCampaign, tally, type FaultKind, type ScenarioReport} from './harness.js'
import {ALL_SCENARIOS as SCENARIOS} from './scenarios.js'

let sb: TestSandbox
const reports: ScenarioReport[] = []
beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.001})
})
afterAll(async () => {
  await sb?.stop()
  const out = path.resolve('reports', 'reliability-faults.json')
  fs.mkdirSync(path.dirname(out), {recursive: true})
  const summary = reports.map((r) => ({scenario: r.scenario, calls: r.calls.length, ...tally(r.runs)}))
  fs.writeFileSync(out, JSON.stringify({generatedAt: new Date().toISOString(), summary, reports}, null, 2) + '\n')
  console.log(`\n${summary.map((s) => `${s.scenario.padEnd(16)} calls ${String(s.calls).padStart(3)}  runs ${String(s.runs).padStart(4)}  completed ${String(s.completed).padStart(4)}  resumed ${String(s.resumed).padStart(4)}  lost ${s.lost}`).join('\n')}\nwritten to ${out}`)
})

const only = process.env.RELIABILITY_SCENARIOS?.split(',')
// RELIABILITY_FAULTS="drop-after:1,error:6": only these kind×persistence pairs (long scenarios: the two most telling)
const pairs = process.env.RELIABILITY_FAULTS?.split(',').map((p) => p.split(':')).map(([k, t]) => [k, Number(t)] as [FaultKind, number])

describe('reliability campaign: faults at every call', () => {
  for (const scenario of SCENARIOS.filter((s) => !only || only.includes(s.name))) {
    it(scenario.name, {timeout: 4 * 3600_000}, async () => {
      const report = await faultCampaign(sb, scenario, {pairs, onRun: (r) => console.log(`${r.scenario} #${r.index} ${r.call.service}.${r.call.operation} ${r.kind}×${r.times}: ${r.outcome}${r.note ? ` (${r.note})` : ''}`)})
      reports.push(report)
      expect(report.runs.filter((r) => r.outcome === 'lost')).toEqual([])
    })
  }
})
