// Start-up figures, side by side in one run (issue 18), after `npm run build`:
//   impress --version / --help / a command's --help           vs `node -e 0`        target <= 2.0x
//   impress deploy --all with nothing changed (sandbox)         vs impress --version  target <= 2.0x
//   the same check by hand: `aws lambda get-alias` x 5 modules  impress must take < 1/5 of it
//   shell completion (plugin-autocomplete's bash function, one Tab)  vs `node -e 0`  target < 2.0x
// With BASELINE=<dir of another checkout, built> the same commands of that build run in the same
// rounds (an A/B against the build before the bundle: `git worktree add /tmp/base <commit> &&
// (cd /tmp/base && npm ci)`). Commands are interleaved (one of each per round), so load drifts
// hit all alike; medians of RUNS rounds (AWS CLI: RUNS_AWS rounds, it takes seconds).
// Run: npm run bench:startup   (RUNS=11 RUNS_AWS=3 BASELINE=/tmp/base)
import {execFileSync, spawn} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'

const RUNS = Number(process.env.RUNS ?? 11)
const RUNS_AWS = Number(process.env.RUNS_AWS ?? 3)
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const baseline = process.env.BASELINE ? path.resolve(process.env.BASELINE) : undefined
const bin = (dir) => path.join(dir, 'bin/run.js')
const node = process.execPath

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-bench-startup-'))
const home = path.join(tmp, 'home')
const env = {...process.env, CI: 'true', IMPRESS_HOME: home, XDG_CACHE_HOME: path.join(tmp, 'cache'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'}
const run = (cmd, args, extraEnv = {}) => execFileSync(cmd, args, {stdio: ['ignore', 'pipe', 'pipe'], env: {...env, ...extraEnv}, cwd: tmp})

// The sandbox as its own process (this process blocks while it times the others).
const sandbox = spawn(node, [path.join(root, 'dist/lib/sandbox/main.js'), '--state', path.join(home, 'sandbox'), '--port', '0', '--time-scale', '0.01'], {stdio: ['ignore', 'pipe', 'inherit']})
const url = await new Promise((resolve, reject) => {
  let out = ''
  sandbox.stdout.on('data', (d) => {
    out += d
    const m = /ready at (http:\/\/\S+)/.exec(out)
    if (m) resolve(m[1])
  })
  sandbox.on('exit', (code) => reject(new Error(`sandbox exited (${code})`)))
})
const stop = () => {
  sandbox.kill()
  fs.rmSync(tmp, {recursive: true, force: true})
}

try {
  // Warm-up: the demo workspace is written and deployed once; completion scripts generated.
  run(node, [bin(root), 'deploy', '--all'])
  if (baseline) run(node, [bin(baseline), 'deploy', '--all'])
  run(node, [bin(root), 'autocomplete', 'create'])
  const bashSetup = path.join(tmp, 'cache/impress/autocomplete/bash_setup')
  const completion = path.join(tmp, 'complete.sh')
  // One Tab in a fresh bash: load the completion function and ask it for `impress aurora <Tab>`.
  fs.writeFileSync(completion, `source ${bashSetup}\nCOMP_WORDS=(impress aurora ""); COMP_CWORD=2; _impress_autocomplete; echo "\${COMPREPLY[@]}"\n`)
  const answer = run('bash', [completion]).toString().trim()
  if (!/\bstatus\b/.test(answer) || !/\brollback\b/.test(answer)) throw new Error(`completion answered "${answer}"`)
  const modules = ['etl', 'request', 'compute', 'message', 'pdf']
  const awsScript = path.join(tmp, 'get-aliases.sh')
  fs.writeFileSync(awsScript, modules.map((m) => `aws lambda get-alias --function-name impress-${m} --name live --endpoint-url ${url} --region eu-west-1 >/dev/null`).join(' && ') + '\n')
  const awsEnv = {AWS_ACCESS_KEY_ID: 'sandbox', AWS_SECRET_ACCESS_KEY: 'sandbox', AWS_EC2_METADATA_DISABLED: 'true'}
  const hasAws = (() => {
    try {
      run('aws', ['--version'])
      run('sh', [awsScript], awsEnv)
      return true
    } catch {
      return false
    }
  })()

  const cases = [
    ['node -e 0', node, ['-e', '0']],
    ['impress --version', node, [bin(root), '--version']],
    ['impress --help', node, [bin(root), '--help']],
    ['impress sandbox start --help', node, [bin(root), 'sandbox', 'start', '--help']],
    ['impress deploy --all (unchanged)', node, [bin(root), 'deploy', '--all']],
    ['bash completion (one Tab)', 'bash', [completion]],
    ...(baseline
      ? [
          ['baseline --version', node, [bin(baseline), '--version']],
          ['baseline --help', node, [bin(baseline), '--help']],
          ['baseline deploy --all (unchanged)', node, [bin(baseline), 'deploy', '--all']],
        ]
      : []),
    ...(hasAws ? [['aws lambda get-alias x5', 'sh', [awsScript], awsEnv, RUNS_AWS]] : []),
  ]
  // CPU time (user + sys) of each run too, through GNU time when installed: on a loaded machine wall
  // time mostly measures the scheduler (and the deploy waits on the sandbox process, which competes too).
  const gnuTime = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined
  const cpuFile = path.join(tmp, 'cpu')
  const times = cases.map(() => [])
  const cpus = cases.map(() => [])
  for (let round = 0; round < RUNS + 1; round++) {
    for (const [i, [, cmd, args, extra, runs]] of cases.entries()) {
      if (round > (runs ?? RUNS)) continue
      const t0 = performance.now()
      if (gnuTime) run(gnuTime, ['-f', '%U %S', '-o', cpuFile, cmd, ...args], extra)
      else run(cmd, args, extra)
      const wall = performance.now() - t0
      if (round === 0) continue // one warm-up round
      times[i].push(wall)
      if (gnuTime) cpus[i].push(fs.readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).reduce((a, b) => a + Number(b) * 1000, 0))
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const m = Object.fromEntries(cases.map(([name], i) => [name, median(times[i])]))
  const c = Object.fromEntries(cases.map(([name], i) => [name, gnuTime ? median(cpus[i]) : NaN]))
  const base = m['node -e 0']
  const version = m['impress --version']
  console.log(`start-up, medians of ${RUNS} interleaved rounds (AWS CLI: ${RUNS_AWS}), ms; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)
  console.log(`${'case'.padEnd(36)} ${'wall ms'.padStart(8)}  ${'ratio'.padStart(15)}   ${'CPU ms'.padStart(7)}  CPU ratio`)
  for (const [name] of cases) console.log(`${name.padEnd(36)} ${m[name].toFixed(1).padStart(8)}  ${(m[name] / base).toFixed(2)}x node -e 0   ${c[name].toFixed(0).padStart(7)}  ${(c[name] / c['node -e 0']).toFixed(2)}x`)
  const checks = [
    ['--version <= 2.0x node -e 0', version / base, 2.0],
    ['--help <= 2.0x node -e 0', m['impress --help'] / base, 2.0],
    ['deploy --all unchanged <= 2.0x --version', m['impress deploy --all (unchanged)'] / version, 2.0],
    ['completion < 2.0x node -e 0', m['bash completion (one Tab)'] / base, 2.0],
    ...(hasAws ? [['deploy --all < 1/5 of aws get-alias x5', m['impress deploy --all (unchanged)'] / m['aws lambda get-alias x5'], 0.2]] : []),
  ]
  if (baseline) {
    console.log(`A/B: --version ${(m['baseline --version'] / version).toFixed(2)}x faster, --help ${(m['baseline --help'] / m['impress --help']).toFixed(2)}x, deploy ${(m['baseline deploy --all (unchanged)'] / m['impress deploy --all (unchanged)']).toFixed(2)}x`)
  }
  if (!hasAws) console.log('aws CLI: not installed or failed against the sandbox (skipped)')
  for (const [what, ratio, limit] of checks) console.log(`${ratio <= limit ? 'OK  ' : 'OVER'} ${what}: ${ratio.toFixed(2)}`)
  if (gnuTime) {
    const cv = c['impress --version']
    console.log(`by CPU time: --version ${(cv / c['node -e 0']).toFixed(2)}x node -e 0, --help ${(c['impress --help'] / c['node -e 0']).toFixed(2)}x, deploy ${(c['impress deploy --all (unchanged)'] / cv).toFixed(2)}x --version${baseline ? ` (baseline deploy ${(c['baseline deploy --all (unchanged)'] / c['baseline --version']).toFixed(2)}x its --version; A/B deploy CPU ${(c['baseline deploy --all (unchanged)'] / c['impress deploy --all (unchanged)']).toFixed(2)}x less)` : ''}`)
  }
} finally {
  stop()
}
