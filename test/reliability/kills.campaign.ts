/**
 * Kills at every step, on demand (`npm run reliability`, with the fault campaign): every kill
 * scenario is SIGKILLed right after each of its records of progress, then rerun. Prints one line
 * per kill and writes reports/reliability-kills.json, whose figures docs/RELIABILITY.md quotes.
 * Fails when any kill is lost. `RELIABILITY_SCENARIOS="drill,deploy etl"` restricts it.
 */
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {killCampaign, type KillRun} from './kills.js'
import {KILL_SCENARIOS} from './scenarios.js'

let sb: TestSandbox
const reports: {scenario: string; steps: number; runs: KillRun[]}[] = []
beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.001})
})
afterAll(async () => {
  await sb?.stop()
  const out = path.resolve('reports', 'reliability-kills.json')
  fs.mkdirSync(path.dirname(out), {recursive: true})
  const summary = reports.map((r) => ({scenario: r.scenario, steps: r.steps, kills: r.runs.length, resumed: r.runs.filter((x) => x.outcome === 'resumed').length, lost: r.runs.filter((x) => x.outcome === 'lost').length}))
  fs.writeFileSync(out, JSON.stringify({generatedAt: new Date().toISOString(), summary, reports}, null, 2) + '\n')
  console.log(`\n${summary.map((s) => `${s.scenario.padEnd(18)} steps ${String(s.steps).padStart(3)}  kills ${String(s.kills).padStart(3)}  resumed ${String(s.resumed).padStart(3)}  lost ${s.lost}`).join('\n')}\nwritten to ${out}`)
})

const only = process.env.RELIABILITY_SCENARIOS?.split(',')

describe('reliability campaign: kills at every step', () => {
  for (const scenario of KILL_SCENARIOS.filter((s) => !only || only.includes(s.name))) {
    it(scenario.name, {timeout: 4 * 3600_000}, async () => {
      const report = await killCampaign(sb, scenario, {onRun: (r) => console.log(`${r.scenario} kill after step ${r.step}: ${r.outcome}${r.note ? ` (${r.note})` : ''}`)})
      reports.push(report)
      expect(report.runs.filter((r) => r.outcome === 'lost')).toEqual([])
    })
  }
})
