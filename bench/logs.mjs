// impress logs over the five demo modules against an in-process sandbox (run `npm run build` first).
// For each size: every module alone, then all five merged (`logs --since 24h --json`, the same
// command and code path, only the module list differs): wall, events/s, peak RSS and CPU of the CLI,
// CPU of the sandbox, FilterLogEvents calls and throttles; the ratio all ÷ slowest single module.
//
// Two settings of the sandbox, printed side by side:
//   local  — no latency, no quota: pure CPU of client + sandbox on this machine (they share its cores,
//            so five modules cost five times the CPU of one and the ratio measures CPU, not concurrency).
//   model  — the real service's shape: pages of up to 10,000 events / 1 MB (FilterLogEvents,
//            API reference), the account's FilterLogEvents quota of 5 calls a second (AWS re:Post
//            knowledge center "cloudwatch-logs-throttling"; throttled calls answer ThrottlingException),
//            and a latency per call (--latency, ms; AWS documents none: a sweep shows what each means).
// Usage: node bench/logs.mjs [--events 100000] [--latency 0,300,1000] [--tps 5] [--page 10000]
//        node bench/logs.mjs --rss 10000,100000,500000     (peak RSS of all five, total events, local)
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1] : def
}
const list = (s) => s.split(',').filter(Boolean).map(Number)
const rssTotals = list(arg('rss', ''))
const sizes = list(arg('events', '10000'))
const latencies = list(arg('latency', '0,300,1000'))
const TPS = Number(arg('tps', '5'))
const PAGE = Number(arg('page', '10000'))
const root = new URL('..', import.meta.url).pathname
const bin = path.join(root, 'bin/run.js')
const {SandboxHost} = await import(path.join(root, 'dist/lib/sandbox/host.js'))
const MODULES = ['etl', 'request', 'compute', 'message', 'pdf']

/** Run the CLI under /usr/bin/time: count stdout lines as they stream (nothing kept); peak RSS, CPU of both sides. */
function measure(args, env, cwd) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const cpu0 = process.cpuUsage()
    const p = spawn('/usr/bin/time', ['-f', 'RSS_KB=%M CPU=%U+%S', process.execPath, bin, ...args], {env, cwd, stdio: ['ignore', 'pipe', 'pipe']})
    let lines = 0
    let err = ''
    p.stdout.on('data', (d) => {
      for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) lines++
    })
    p.stderr.on('data', (d) => (err += d))
    p.on('error', reject)
    p.on('close', (code) => {
      const wallMs = performance.now() - t0
      const sb = process.cpuUsage(cpu0)
      const rss = Number(/RSS_KB=(\d+)/.exec(err)?.[1] ?? NaN)
      const cpu = /CPU=([\d.]+)\+([\d.]+)/.exec(err)
      if (code !== 0) return reject(new Error(`impress ${args.join(' ')} exited ${code}: ${err.slice(-500)}`))
      resolve({lines, wallMs, rssMb: rss / 1024, cliCpuS: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN, sandboxCpuS: (sb.user + sb.system) / 1e6})
    })
  })
}

/** A fresh sandbox with `perDay` events a day per module; `latency` ms per logs call and the quota when modelled. */
async function withSandbox(perDay, latency, fn) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'logs-bench-'))
  const cwd = path.join(home, 'work')
  fs.mkdirSync(cwd)
  process.env.IMPRESS_SANDBOX_LOG_EVENTS_PER_DAY = String(perDay)
  process.env.IMPRESS_SANDBOX_LOGS_PAGE_EVENTS = String(PAGE)
  process.env.IMPRESS_SANDBOX_LOGS_FILTER_TPS = latency > 0 ? String(TPS) : '0'
  const host = new SandboxHost({stateDir: path.join(home, 'sandbox'), port: 0, timeScale: 0.01})
  const {url} = await host.start()
  const control = (p, init) => fetch(`${url}/_sandbox/${p}`, init).then((r) => r.json())
  if (latency > 0) await control('faults', {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({service: 'logs', kind: 'latency', ms: latency})})
  const env = {...process.env, IMPRESS_HOME: home, CI: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'}
  const run = async (args) => {
    await control('requests', {method: 'DELETE'})
    const r = await measure(args, env, cwd)
    const {log = []} = await control('requests?log=1&service=logs')
    const calls = log.filter((x) => x.operation === 'FilterLogEvents')
    return {...r, calls: calls.length, throttled: calls.filter((x) => x.status === 400 || x.status === 429).length}
  }
  try {
    await measure(['logs', 'pdf', '--since', '5m', '--json'], env, cwd) // warm caches (config, SDK load)
    return await fn(run)
  } finally {
    await host.stop()
    fs.rmSync(home, {recursive: true, force: true})
  }
}

const fmt = (x) => `${x.lines} lines, ${(x.wallMs / 1000).toFixed(2)} s wall, CLI CPU ${x.cliCpuS.toFixed(2)} s, sandbox CPU ${x.sandboxCpuS.toFixed(2)} s, RSS ${x.rssMb.toFixed(0)} MB, ${x.calls} calls (${x.throttled} throttled)`
const rows = []
for (const perDay of sizes) {
  for (const latency of latencies) {
    const mode = latency > 0 ? `model ${latency} ms, ${TPS} TPS` : 'local'
    const row = await withSandbox(perDay, latency, async (run) => {
      const singles = []
      for (const m of MODULES) singles.push({m, ...(await run(['logs', m, '--since', '24h', '--json']))})
      const all = await run(['logs', '--since', '24h', '--json'])
      for (const x of [...singles, {m: 'all five', ...all}]) console.error(`  [${perDay}/module, ${mode}] ${x.m}: ${fmt(x)}`)
      const slowest = singles.reduce((a, b) => (b.wallMs > a.wallMs ? b : a))
      return {perModule: perDay, mode, events: all.lines, wallS: +(all.wallMs / 1000).toFixed(2), eventsPerS: Math.round(all.lines / (all.wallMs / 1000)), peakRssMb: +all.rssMb.toFixed(1), cliCpuS: +all.cliCpuS.toFixed(2), sandboxCpuS: +all.sandboxCpuS.toFixed(2), calls: all.calls, throttled: all.throttled, slowestSingle: `${slowest.m} ${(slowest.wallMs / 1000).toFixed(2)} s`, ratio: +(all.wallMs / slowest.wallMs).toFixed(2)}
    })
    rows.push(row)
    console.log(JSON.stringify(row))
  }
}
if (rows.length > 0) {
  console.log('\n| events/module (24 h) | sandbox | events printed | wall | events/s | CLI CPU | sandbox CPU | calls (throttled) | peak RSS | slowest single module | all ÷ slowest |')
  console.log('|---|---|---|---|---|---|---|---|---|---|---|')
  for (const r of rows) console.log(`| ${r.perModule.toLocaleString('en')} | ${r.mode} | ${r.events.toLocaleString('en')} | ${r.wallS} s | ${r.eventsPerS.toLocaleString('en')} | ${r.cliCpuS} s | ${r.sandboxCpuS} s | ${r.calls} (${r.throttled}) | ${r.peakRssMb} MB | ${r.slowestSingle} | ${r.ratio} |`)
}

// Peak RSS of all five modules merged as the total grows (local: the most events per second, the most pressure).
const rss = []
for (const total of rssTotals) {
  const r = await withSandbox(Math.round(total / MODULES.length), 0, (run) => run(['logs', '--since', '24h', '--json']))
  rss.push({total, ...r})
  console.error(`  [RSS ${total} total] ${fmt(r)}`)
}
if (rss.length > 0) {
  console.log('\n| events in total (5 modules, 24 h) | events printed | wall | peak RSS of the CLI |')
  console.log('|---|---|---|---|')
  for (const r of rss) console.log(`| ${r.total.toLocaleString('en')} | ${r.lines.toLocaleString('en')} | ${(r.wallMs / 1000).toFixed(2)} s | ${r.rssMb.toFixed(1)} MB |`)
}
