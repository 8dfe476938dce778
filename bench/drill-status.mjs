// Drill and status figures on the sandbox (issue "drill, status, notifications").
// - drill: wall time, the longest branch, overhead = wall − longest branch (the branch is the
//   sandbox's simulated restore time plus polling), overlap of the parallel branches.
// - status: wall time against its slowest section.
// Run: npm run build && node bench/drill-status.mjs [timeScale=0.005]
import {execFileSync, spawn} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'

const scale = process.argv[2] ?? '0.005'
const bin = new URL('../bin/run.js', import.meta.url).pathname
const main = new URL('../dist/lib/sandbox/main.js', import.meta.url).pathname
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-drill-'))
const env = {...process.env, IMPRESS_HOME: home, CI: 'true'}
const sandbox = spawn(process.execPath, [main, '--state', path.join(home, 'sandbox'), '--port', '0', '--time-scale', scale], {stdio: ['ignore', 'pipe', 'inherit']})
await new Promise((resolve) => sandbox.stdout.once('data', resolve))

const timed = (args) => {
  const t0 = performance.now()
  let out = ''
  try {
    out = execFileSync(process.execPath, [bin, ...args], {env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']})
  } catch (error) {
    out = error.stdout
  }
  return {ms: performance.now() - t0, json: args[0] === '--version' ? out : JSON.parse(out)}
}
try {
  const version = timed(['--version']).ms
  const d = timed(['drill', '--yes', '--json', '--no-notify'])
  const r = d.json.report
  const branches = {}
  for (const s of r.steps) if (['aurora', 'firebase', 'lambda'].includes(s.branch)) branches[s.branch] = (branches[s.branch] ?? 0) + s.durationMs
  const longest = Math.max(...Object.values(branches))
  const parallelWall = Date.parse(r.verifiedAt ?? r.endedAt) - Date.parse(r.clockStartedAt)
  console.log(`drill (time scale ${scale}): status ${r.status}, process wall ${(d.ms / 1000).toFixed(2)} s`)
  for (const [b, ms] of Object.entries(branches)) console.log(`  branch ${b.padEnd(9)} ${(ms / 1000).toFixed(2)} s`)
  console.log(`  restore+verify phase ${(parallelWall / 1000).toFixed(2)} s = ${(parallelWall / longest).toFixed(2)}x the longest branch (target <= 1.2x)`)
  console.log(`  overhead (process wall - longest branch) ${((d.ms - longest) / 1000).toFixed(2)} s (target < 5 s), of which CLI startup ~${(version / 1000).toFixed(2)} s`)
  const s = timed(['status', '--json'])
  const slowest = Math.max(...s.json.sections.map((x) => x.durationMs))
  console.log(`status: wall ${s.ms.toFixed(0)} ms, slowest section ${slowest} ms (${s.json.sections.map((x) => `${x.name} ${x.durationMs}`).join(', ')})`)
  console.log(`  wall / slowest section = ${(s.ms / slowest).toFixed(2)}x; without CLI startup (${version.toFixed(0)} ms): ${((s.ms - version) / slowest).toFixed(2)}x (target <= 1.5x)`)
} finally {
  sandbox.kill('SIGTERM')
}
