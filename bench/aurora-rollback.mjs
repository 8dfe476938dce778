// Aurora rollback figures against an in-process sandbox (run `npm run build` first):
//   - requests per rollback (by operation), describe calls per 5 simulated seconds of waiting
//   - tool overhead: wall time minus the simulated durations on the critical path
//   - side by side: the AWS CLI commands (and requests) an operator needs for the same steps,
//     run for real against the sandbox when the AWS CLI is installed (set AWS_CLI=/path/to/aws).
// Usage: node bench/aurora-rollback.mjs [--scale 0.002] [--runs 3] [--no-aws-cli]
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {runProcess} from './lib.mjs'

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1] : def
}
const SCALE = Number(arg('scale', '0.002'))
const RUNS = Number(arg('runs', '3'))
const root = new URL('..', import.meta.url).pathname
const bin = path.join(root, 'bin/run.js')
const {SandboxHost} = await import(path.join(root, 'dist/lib/sandbox/host.js'))
const {DURATIONS} = await import(path.join(root, 'dist/lib/sandbox/services/rds/model.js'))

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'aurora-bench-'))
const cwd = path.join(home, 'work')
fs.mkdirSync(cwd)
const host = new SandboxHost({stateDir: path.join(home, 'sandbox'), port: 0, timeScale: SCALE})
const info = await host.start()
const env = {...process.env, IMPRESS_HOME: home, CI: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'}
const get = async (p) => (await fetch(`${info.url}${p}`)).json()
// Asynchronous: the sandbox runs in this process and must keep answering.
const run = async (cmd, args, options) => {
  const r = await runProcess(cmd, args, options)
  return {status: r.code, stdout: r.out, stderr: r.err}
}

// Critical path of a rollback in simulated ms: snapshot, restore (creating + backing-up; the
// instances are created meanwhile and finish first), two renames.
const simulatedMs = DURATIONS.snapshotCreate + DURATIONS.restoreCreating + DURATIONS.restoreBackingUp + Math.max(0, DURATIONS.instanceCreating + DURATIONS.instanceMonitoring - DURATIONS.restoreCreating - DURATIONS.restoreBackingUp) + 2 * DURATIONS.rename
const simulatedRealMs = simulatedMs * SCALE

const results = []
for (let i = 0; i < RUNS; i++) {
  host.reset()
  fs.rmSync(path.join(home, 'data'), {recursive: true, force: true})
  const time = new Date(Date.now() - 2 * 3_600_000).toISOString()
  const t0 = performance.now()
  const r = await run(process.execPath, [bin, 'aurora', 'rollback', '--to-time', time, '--yes', '--json'], {cwd, env})
  const wall = performance.now() - t0
  if (r.status !== 0) throw new Error(`rollback failed (${r.status}): ${r.stderr}`)
  if (process.env.DEBUG_BENCH) console.error(r.stderr)
  const counts = (await get('/_sandbox/requests?service=rds')).counts.rds
  const total = Object.values(counts).reduce((a, b) => a + b, 0)
  const describes = Object.entries(counts).filter(([op]) => op.startsWith('Describe')).reduce((a, [, n]) => a + n, 0)
  results.push({wall, total, describes, counts})
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const wall = median(results.map((r) => r.wall))
const total = median(results.map((r) => r.total))
const describes = median(results.map((r) => r.describes))
const fiveSecondWindows = simulatedMs / 5000

console.log(`Aurora rollback, sandbox time scale ${SCALE}, median of ${RUNS} runs`)
console.log(`  simulated critical path     ${(simulatedMs / 60_000).toFixed(0)} min (${simulatedRealMs.toFixed(0)} ms real)`)
console.log(`  wall time (bin/run.js)      ${wall.toFixed(0)} ms`)
console.log(`  tool overhead               ${(wall - simulatedRealMs).toFixed(0)} ms  (target < 3000 ms)`)
console.log(`  RDS requests per rollback   ${total}`)
for (const [op, n] of Object.entries(results[0].counts)) console.log(`    ${op.padEnd(32)} ${n}`)
console.log(`  describe calls per 5 simulated s of the rollback: ${(describes / fiveSecondWindows).toFixed(3)} (limit 1 per resource)`)

// The same rollback by hand with the AWS CLI.
const awsCli = process.env.AWS_CLI ?? '/root/.pyenv/shims/aws'
const steps = (src, restored, aside, snap, time) => [
  ['describe source cluster (groups, window)', ['rds', 'describe-db-clusters', '--db-cluster-identifier', src]],
  ['describe source instances (classes, parameter groups, monitoring)', ['rds', 'describe-db-instances', '--filters', `Name=db-cluster-id,Values=${src}`]],
  ['safety snapshot', ['rds', 'create-db-cluster-snapshot', '--db-cluster-identifier', src, '--db-cluster-snapshot-identifier', snap]],
  ['wait for the snapshot', ['rds', 'wait', 'db-cluster-snapshot-available', '--db-cluster-snapshot-identifier', snap]],
  ['restore to the point in time', ['rds', 'restore-db-cluster-to-point-in-time', '--db-cluster-identifier', restored, '--source-db-cluster-identifier', src, '--restore-to-time', time, '--db-cluster-parameter-group-name', 'impress-aurora-mysql8', '--db-subnet-group-name', 'impress-private', '--vpc-security-group-ids', 'sg-0impressdb000001', 'sg-0impressbastion01', '--deletion-protection', '--copy-tags-to-snapshot', '--tags', 'Key=app,Value=impress', 'Key=env,Value=sandbox', 'Key=data,Value=financial']],
  ['create the writer', ['rds', 'create-db-instance', '--db-instance-identifier', `${restored}-writer`, '--db-cluster-identifier', restored, '--db-instance-class', 'db.r6g.large', '--engine', 'aurora-mysql', '--db-parameter-group-name', 'impress-aurora-mysql8-instance', '--monitoring-interval', '60', '--monitoring-role-arn', 'arn:aws:iam::000000000000:role/rds-monitoring-role', '--enable-performance-insights', '--promotion-tier', '0']],
  ['create the reader', ['rds', 'create-db-instance', '--db-instance-identifier', `${restored}-reader-1`, '--db-cluster-identifier', restored, '--db-instance-class', 'db.r6g.large', '--engine', 'aurora-mysql', '--db-parameter-group-name', 'impress-aurora-mysql8-instance', '--monitoring-interval', '60', '--monitoring-role-arn', 'arn:aws:iam::000000000000:role/rds-monitoring-role', '--enable-performance-insights', '--promotion-tier', '1']],
  ['wait for the cluster', ['rds', 'wait', 'db-cluster-available', '--db-cluster-identifier', restored]],
  ['wait for the writer', ['rds', 'wait', 'db-instance-available', '--db-instance-identifier', `${restored}-writer`]],
  ['wait for the reader', ['rds', 'wait', 'db-instance-available', '--db-instance-identifier', `${restored}-reader-1`]],
  ['compare: describe the restored cluster', ['rds', 'describe-db-clusters', '--db-cluster-identifier', restored]],
  ['compare: describe the restored instances', ['rds', 'describe-db-instances', '--filters', `Name=db-cluster-id,Values=${restored}`]],
  ['rename the original aside', ['rds', 'modify-db-cluster', '--db-cluster-identifier', src, '--new-db-cluster-identifier', aside, '--apply-immediately']],
  ['poll until the rename is done (no waiter exists)', ['poll', aside]],
  ['rename the restored cluster', ['rds', 'modify-db-cluster', '--db-cluster-identifier', restored, '--new-db-cluster-identifier', src, '--apply-immediately']],
  ['poll until the rename is done', ['poll', src]],
  ['verify', ['rds', 'describe-db-clusters', '--db-cluster-identifier', src]],
]
const stamp = new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '').replace(/^(\d{8})/, '$1-')
const plan = steps('impress-sandbox', `impress-sandbox-rollback-${stamp}`, `impress-sandbox-before-rollback-${stamp}`, `impress-impress-sandbox-before-rollback-${stamp}`, new Date(Date.now() - 2 * 3_600_000).toISOString())
console.log(`\nThe same rollback by hand with the AWS CLI: ${plan.length} commands (impress: 1 command, plus --yes)`)
if (process.argv.includes('--no-aws-cli') || !fs.existsSync(awsCli)) {
  console.log('  (AWS CLI not run: pass AWS_CLI=/path/to/aws, or drop --no-aws-cli, to measure its requests)')
} else {
  host.reset()
  await fetch(`${info.url}/_sandbox/requests`, {method: 'DELETE'})
  const cliEnv = {...process.env, AWS_ACCESS_KEY_ID: 'sandbox', AWS_SECRET_ACCESS_KEY: 'sandbox', AWS_DEFAULT_REGION: 'eu-west-1', AWS_EC2_METADATA_DISABLED: 'true'}
  const t0 = performance.now()
  for (const [what, args] of plan) {
    if (args[0] === 'poll') {
      // what an operator scripts: describe every 30 s until the new name answers "available"
      for (;;) {
        const r = await run(awsCli, ['rds', 'describe-db-clusters', '--db-cluster-identifier', args[1], '--endpoint-url', info.url, '--query', 'DBClusters[0].Status', '--output', 'text'], {env: cliEnv})
        if (r.status === 0 && r.stdout.trim() === 'available') break
        await new Promise((res) => setTimeout(res, 30_000 * SCALE * 10))
      }
      continue
    }
    const r = await run(awsCli, [...args, '--endpoint-url', info.url], {env: cliEnv})
    if (r.status !== 0) {
      console.log(`  step "${what}" failed: ${r.stderr.trim().split('\n').at(-1)}`)
      break
    }
  }
  const cliWall = performance.now() - t0
  const c = (await get('/_sandbox/requests?service=rds')).counts.rds ?? {}
  const cliTotal = Object.values(c).reduce((a, b) => a + b, 0)
  console.log(`  AWS CLI requests: ${cliTotal} (${Object.entries(c).map(([op, n]) => `${op} ${n}`).join(', ')}); wall ${(cliWall / 1000).toFixed(1)} s (its waiters poll every 30 s of real time)`)
  console.log('  and the operator still has to compare the two configurations by eye and keep notes to resume after a crash.')
}
await host.stop()
fs.rmSync(home, {recursive: true, force: true})
