// Bench: `impress report security` runs every claim's check concurrently, each capability read
// once. Prints the whole report's wall time against its slowest single check run alone (each
// port timed on its own, fresh adapters, modules already loaded), target ≤ 1.3x; and the
// CLI's end-to-end time. Each sandbox request gets `latencyMs` of delay (default 20, a cloud
// round trip; as bench/compliance-check.mjs). Usage: npm run build && node bench/report.mjs [rounds] [latencyMs]
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {performance} from 'node:perf_hooks'
import {stringify} from 'yaml'
import {runProcess, startSandboxProcess} from './lib.mjs'

const ROUNDS = Number(process.argv[2] ?? 5)
const LATENCY = Number(process.argv[3] ?? 20)
const d = (p) => import(new URL(`../dist/lib/${p}`, import.meta.url).href)
const [{builtinSandboxConfig}, {loadEnvironment}, {Context}, {Io}, {reportPorts, reportSettings}, {runReport}, {CLAIMS}, {ensureDemoRoster}, {ensureSandboxRolesFile}] = await Promise.all([
  d('config/sandbox-default.js'),
  d('config/load.js'),
  d('context.js'),
  d('ui/output.js'),
  d('report/wiring.js'),
  d('report/run.js'),
  d('report/claims/index.js'),
  d('compliance/demo-roster.js'),
  d('roles/sandbox-roles.js'),
])
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-bench-report-'))
const {url, child} = await startSandboxProcess(path.join(dir, 'sandbox'), 0.001)
try {
  if (LATENCY > 0) await fetch(`${url}/_sandbox/faults`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({service: '*', kind: 'latency', ms: LATENCY})})
  /** CPU time (ms) the sandbox process has used so far (Linux /proc). */
  const sandboxCpu = () => {
    try {
      const f = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ')
      return ((Number(f[11]) + Number(f[12])) * 1000) / 100
    } catch {
      return NaN
    }
  }
  const base = builtinSandboxConfig().environments.sandbox
  const configFile = path.join(dir, 'impress.config.yaml')
  fs.writeFileSync(configFile, stringify({environments: {sandbox: {...base, sandbox: {url}}}}))
  ensureDemoRoster(path.join(dir, 'team.yaml'))
  ensureSandboxRolesFile(path.join(dir, 'roles.yaml'))
  const env = loadEnvironment({configPath: configFile, env: {...process.env, IMPRESS_HOME: path.join(dir, 'home')}})
  const context = () => new Context({env, io: new Io({json: true, verbose: Boolean(process.env.BENCH_VERBOSE)}), signal: new AbortController().signal, version: 'bench'})

  const whole = async () => {
    const ctx = context()
    try {
      const t0 = performance.now()
      const c0 = process.cpuUsage()
      const s0 = sandboxCpu()
      const r = await runReport({settings: reportSettings(ctx), version: 'bench', claims: CLAIMS}, reportPorts(ctx))
      const c = process.cpuUsage(c0)
      return {ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, sandboxCpuMs: sandboxCpu() - s0, report: r}
    } finally {
      ctx.dispose()
    }
  }
  const alone = async (name) => {
    const ctx = context()
    try {
      const t0 = performance.now()
      const c0 = process.cpuUsage()
      await reportPorts(ctx)[name]()
      const c = process.cpuUsage(c0)
      return {ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000}
    } finally {
      ctx.dispose()
    }
  }
  // The sandbox's Auth0 limits requests per 1 s window (as Auth0 does): each measurement starts in a
  // fresh window, or one made right after another is charged the other's requests (a 429 and its wait).
  const settle = () => new Promise((r) => setTimeout(r, 1100))
  const first = await whole() // warm-up: SDK and capability modules loaded once
  const names = first.report.probes.map((p) => p.name)
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const wholes = []
  const cpus = []
  const sandboxCpus = []
  const singles = Object.fromEntries(names.map((n) => [n, []]))
  const singleCpus = Object.fromEntries(names.map((n) => [n, []]))
  for (let i = 0; i < ROUNDS; i++) {
    await settle()
    const w = await whole()
    wholes.push(w.ms)
    cpus.push(w.cpuMs)
    sandboxCpus.push(w.sandboxCpuMs)
    for (const n of names) {
      await settle()
      const a = await alone(n)
      singles[n].push(a.ms)
      singleCpus[n].push(a.cpuMs)
    }
  }
  const slow = Object.entries(singles).map(([n, xs]) => [n, median(xs)]).sort((a, b) => b[1] - a[1])
  const wall = median(wholes)
  console.log(`report security on the demo sandbox: ${first.report.summary.claims} claims over ${names.length} capabilities, median of ${ROUNDS} rounds, ${LATENCY} ms latency per request (ms)`)
  for (const [n, ms] of slow) console.log(`  ${n.padEnd(12)} alone ${ms.toFixed(0).padStart(6)}   CPU ${median(singleCpus[n]).toFixed(0).padStart(4)}`)
  console.log(`  sum of the checks alone ${slow.reduce((s, [, ms]) => s + ms, 0).toFixed(0)}   CPU ${names.reduce((s, n) => s + median(singleCpus[n]), 0).toFixed(0)}`)
  console.log(`whole report ${wall.toFixed(0)} ms; slowest check alone (${slow[0][0]}) ${slow[0][1].toFixed(0)} ms: ${(wall / slow[0][1]).toFixed(2)}x (target ≤ 1.3x)`)
  console.log(`CPU time of the report's own process during the whole report: median ${median(cpus).toFixed(0)} ms; the sandbox process's: ${median(sandboxCpus).toFixed(0)} ms`)
  const cli = []
  for (let i = 0; i < Math.min(3, ROUNDS); i++) {
    const t0 = performance.now()
    const r = await runProcess(process.execPath, [fileURLToPath(new URL('../bin/run.js', import.meta.url)), 'report', 'security', '--json', '--config', configFile], {env: {...process.env, IMPRESS_HOME: path.join(dir, 'home'), CI: 'true'}})
    if (r.code !== 0) throw new Error(`report exited ${r.code}: ${r.err}`)
    cli.push(performance.now() - t0)
  }
  console.log(`CLI end to end (process start, module loading, the report): median ${median(cli).toFixed(0)} ms of ${cli.length}`)
  console.log(`load average: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`)
} finally {
  child.kill()
  fs.rmSync(dir, {recursive: true, force: true})
}
