// The audit log's cost per mutating command. Run after `npm run build`: node bench/audit-append.mjs
// 1. In process, on a log of LINES entries: one signed append (tail check + HMAC + head), the
//    tail check alone, and a full verification (what `audit verify` and a due anchor pay).
// 2. End to end against an in-process sandbox: wall time of a mutating command that does almost
//    nothing (`sandbox reset --dry-run`: tail check, key read, signed append) against
//    `audit log` (loads the same environment, no audit), interleaved; and the requests the audit
//    itself makes per mutating command.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {runProcess} from './lib.mjs'

const dist = new URL('../dist/lib/', import.meta.url)
const {appendAudit, checkAuditTail, verifyAudit} = await import(new URL('audit/log.js', dist).href)
const {AuditKeyring} = await import(new URL('audit/sign.js', dist).href)
const {SandboxHost} = await import(new URL('sandbox/host.js', dist).href)

const LINES = Number(process.env.LINES ?? 10_000)
const RUNS = Number(process.env.RUNS ?? 9)
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const store = {read: async (_id, v) => ({value: 'bench-key-0123456789abcdef0123', versionId: v ?? 'v1'})}
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-bench-'))
try {
  const log = path.join(root, 'audit.jsonl')
  const keyring = new AuditKeyring('bench', store)
  const entry = (i) => ({time: new Date().toISOString(), actor: {user: 'ops@host', cloud: 'arn:aws:iam::000000000000:user/ops'}, command: 'deploy', args: ['--all', `--n=${i}`], env: 'prod', result: 'ok', exitCode: 0, durationMs: 1234, details: {modules: ['etl', 'pdf']}})
  for (let i = 0; i < LINES; i++) await appendAudit(log, entry(i), {keyring})
  const size = fs.statSync(log).size
  const appendMs = []
  const tailMs = []
  for (let i = 0; i < 50; i++) {
    let t = performance.now()
    await checkAuditTail(log, keyring)
    tailMs.push(performance.now() - t)
    t = performance.now()
    await appendAudit(log, entry(i), {keyring})
    appendMs.push(performance.now() - t)
  }
  const keys = new Map([['v1', await keyring.current()]])
  const verifyMs = []
  for (let i = 0; i < 3; i++) {
    const t = performance.now()
    const v = verifyAudit(log, keys)
    verifyMs.push(performance.now() - t)
    if (!v.ok) throw new Error(`bench log does not verify: ${JSON.stringify(v.break)}`)
  }
  console.log(`audit log of ${LINES + 50} lines (${(size / 1e6).toFixed(1)} MB), key in memory`)
  console.log(`  tail check (before each mutating command)   ${median(tailMs).toFixed(2)} ms`)
  console.log(`  signed append (tail check under lock + HMAC) ${median(appendMs).toFixed(2)} ms`)
  console.log(`  full verification (audit verify, due anchor)  ${median(verifyMs).toFixed(0)} ms`)

  const home = path.join(root, 'home')
  const host = new SandboxHost({stateDir: path.join(home, 'sandbox'), port: 0, timeScale: 0.001})
  await host.start()
  try {
    const env = {...process.env, IMPRESS_HOME: home, CI: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'}
    const bin = new URL('../bin/run.js', import.meta.url).pathname
    const run = async (args) => {
      const t = performance.now()
      const r = await runProcess(process.execPath, [bin, ...args], {env, cwd: root})
      if (r.code !== 0) throw new Error(`${args.join(' ')}: exit ${r.code}: ${r.err}`)
      return performance.now() - t
    }
    await run(['sandbox', 'reset', '--dry-run'])
    await run(['audit', 'log'])
    const mutating = []
    const plain = []
    host.requests.reset()
    for (let i = 0; i < RUNS; i++) {
      mutating.push(await run(['sandbox', 'reset', '--dry-run']))
      plain.push(await run(['audit', 'log']))
    }
    const counts = host.requests.snapshot(false).counts
    console.log(`end to end, median of ${RUNS} interleaved runs (machine load: ${os.loadavg()[0].toFixed(1)})`)
    console.log(`  impress audit log                ${median(plain).toFixed(0)} ms`)
    console.log(`  impress sandbox reset --dry-run  ${median(mutating).toFixed(0)} ms  (+${(median(mutating) - median(plain)).toFixed(0)} ms: tail check, key read, signed append, the dry run itself)`)
    console.log(`  requests of ${RUNS} mutating commands: ${JSON.stringify(counts)}`)
  } finally {
    await host.stop()
  }
} finally {
  fs.rmSync(root, {recursive: true, force: true})
}
