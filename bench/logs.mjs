// impress logs over the five demo modules against an in-process sandbox (run `npm run build` first):
//   events per second, peak RSS of the CLI process (flat as the event count grows), and the wall
//   time of all five modules merged against the slowest single module (the streams are fetched
//   concurrently, so the merge should cost little more than the slowest).
// Usage: node bench/logs.mjs [--events 10000] [--events 100000]   (events per module in the last 24 h)
//        node bench/logs.mjs --sweep 10000,50000,100000            (peak RSS across sizes)
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1] : def
}
const sizes = (arg('sweep', '') || arg('events', '10000')).split(',').map(Number)
const root = new URL('..', import.meta.url).pathname
const bin = path.join(root, 'bin/run.js')
const {SandboxHost} = await import(path.join(root, 'dist/lib/sandbox/host.js'))
const MODULES = ['etl', 'request', 'compute', 'message', 'pdf']

/** Run the CLI under /usr/bin/time: count stdout lines as they stream (nothing kept), peak RSS in KiB. */
function measure(args, env, cwd) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const p = spawn('/usr/bin/time', ['-f', 'RSS_KB=%M', process.execPath, bin, ...args], {env, cwd, stdio: ['ignore', 'pipe', 'pipe']})
    let lines = 0
    let err = ''
    p.stdout.on('data', (d) => {
      for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) lines++
    })
    p.stderr.on('data', (d) => (err += d))
    p.on('error', reject)
    p.on('close', (code) => {
      const rss = Number(/RSS_KB=(\d+)/.exec(err)?.[1] ?? NaN)
      if (code !== 0) return reject(new Error(`impress ${args.join(' ')} exited ${code}: ${err.slice(-500)}`))
      resolve({lines, wallMs: performance.now() - t0, rssMb: rss / 1024})
    })
  })
}

const rows = []
for (const perDay of sizes) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'logs-bench-'))
  const cwd = path.join(home, 'work')
  fs.mkdirSync(cwd)
  process.env.IMPRESS_SANDBOX_LOG_EVENTS_PER_DAY = String(perDay)
  const host = new SandboxHost({stateDir: path.join(home, 'sandbox'), port: 0, timeScale: 0.01})
  await host.start()
  const env = {...process.env, IMPRESS_HOME: home, CI: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'}
  try {
    await measure(['logs', 'pdf', '--since', '5m', '--json'], env, cwd) // warm caches (config, SDK load)
    const singles = []
    for (const m of MODULES) singles.push({m, ...(await measure(['logs', m, '--since', '24h', '--json'], env, cwd))})
    const all = await measure(['logs', '--since', '24h', '--json'], env, cwd)
    const slowest = singles.reduce((a, b) => (b.wallMs > a.wallMs ? b : a))
    const row = {perModule: perDay, events: all.lines, wallS: +(all.wallMs / 1000).toFixed(2), eventsPerS: Math.round(all.lines / (all.wallMs / 1000)), peakRssMb: +all.rssMb.toFixed(1), slowestSingle: `${slowest.m} ${(slowest.wallMs / 1000).toFixed(2)} s`, ratio: +(all.wallMs / slowest.wallMs).toFixed(2)}
    rows.push(row)
    console.log(JSON.stringify(row))
  } finally {
    await host.stop()
    fs.rmSync(home, {recursive: true, force: true})
  }
}
console.log('\n| events/module (24 h) | events printed | wall | events/s | peak RSS | slowest single module | all ÷ slowest |')
console.log('|---|---|---|---|---|---|---|')
for (const r of rows) console.log(`| ${r.perModule.toLocaleString('en')} | ${r.events.toLocaleString('en')} | ${r.wallS} s | ${r.eventsPerS.toLocaleString('en')} | ${r.peakRssMb} MB | ${r.slowestSingle} | ${r.ratio} |`)
