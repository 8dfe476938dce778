// Managed Firestore export figures (issue 18): client-side requests of
// `impress firebase backup --managed` (Firestore + Cloud Storage, from the sandbox request counter)
// and the client's peak RSS, per database size. Targets: requests O(number of collections), not
// O(documents); peak RSS flat and below 150 MB as the database grows (10k → 1M documents).
// Run (after npm run build): SIZES=10000,100000 COLLECTIONS=4 node bench/firebase-managed.mjs
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {runProcess} from './lib.mjs'

const SIZES = (process.env.SIZES ?? '10000,100000').split(',').map(Number)
const COLLECTIONS = Number(process.env.COLLECTIONS ?? 4)
const bin = new URL('../bin/run.js', import.meta.url).pathname
const {SandboxHost} = await import(new URL('../dist/lib/sandbox/host.js', import.meta.url).href)

async function measure(docs) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-bench-managed-'))
  const home = path.join(root, 'home')
  const cwd = path.join(root, 'work')
  fs.mkdirSync(cwd, {recursive: true})
  const host = new SandboxHost({stateDir: path.join(home, 'sandbox'), port: 0, timeScale: 0.001})
  const {url} = await host.start()
  try {
    const env = {...process.env, IMPRESS_HOME: home, CI: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'}
    const prefix = 'projects/impress-sandbox/databases/(default)/documents'
    const t0 = performance.now()
    for (let i = 0; i < docs; i += 500) {
      const writes = []
      for (let j = i; j < Math.min(docs, i + 500); j++) {
        writes.push({update: {name: `${prefix}/bench${j % COLLECTIONS}/d${String(j).padStart(7, '0')}`, fields: {n: {integerValue: String(j)}, title: {stringValue: `Document ${j} `.repeat(8)}}}})
      }
      const r = await fetch(`${url}/v1/${prefix}:batchWrite`, {method: 'POST', headers: {authorization: 'Bearer owner', 'content-type': 'application/json'}, body: JSON.stringify({writes})})
      if (!r.ok) throw new Error(`seed failed: ${r.status}`)
    }
    const seeded = (performance.now() - t0) / 1000
    await fetch(`${url}/_sandbox/requests`, {method: 'DELETE'})
    const t1 = performance.now()
    const r = await runProcess('/usr/bin/time', ['-f', '__RSS_KB=%M', process.execPath, bin, 'firebase', 'backup', '--managed', '--json', '--to', path.join(root, 'backups')], {env, cwd})
    const seconds = (performance.now() - t1) / 1000
    if (r.code !== 0) throw new Error(`backup --managed failed (${r.code}): ${r.err.slice(-2000)}`)
    const out = JSON.parse(r.out)
    const counts = (await (await fetch(`${url}/_sandbox/requests`)).json()).counts
    const client = {firestore: counts.firestore ?? {}, gcs: counts.gcs ?? {}}
    const total = Object.values(client).flatMap((o) => Object.values(o)).reduce((a, b) => a + b, 0)
    return {docs, exported: Number(out.manifest.managed.metadata.progressDocuments?.completedWork ?? 0), collections: Object.keys(out.manifest.keys).length, requests: total, byOperation: client, polls: out.polls, rssMb: Number(/__RSS_KB=(\d+)/.exec(r.err)?.[1] ?? 0) / 1024, seconds, seeded}
  } finally {
    await host.stop()
    fs.rmSync(root, {recursive: true, force: true})
  }
}

for (const n of SIZES) {
  const m = await measure(n)
  console.log(`${String(m.docs).padStart(8)} documents in ${m.collections} collections (seeded in ${m.seeded.toFixed(1)} s): managed backup ${m.seconds.toFixed(1)} s, ${m.requests} client requests (${m.polls} polls), peak RSS ${m.rssMb.toFixed(0)} MB, export reports ${m.exported} documents`)
  console.log(`           requests by operation: ${JSON.stringify(m.byOperation)}`)
}
