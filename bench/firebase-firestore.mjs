// Firestore backup and restore figures: documents/s, requests per document, peak RSS of
// `impress firebase backup --firestore`, `impress firebase restore … --to-database scratch`, and a
// `restore --overwrite` over that target with 1 % extra documents.
// Target (issue 6): 100,000 documents, peak RSS <= 300 MB.
// Run (after npm run build): DOCS=100000 node bench/firebase-firestore.mjs   (default 10,000)
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {runProcess} from './lib.mjs'

const DOCS = Number(process.env.DOCS ?? 10_000)
const bin = new URL('../bin/run.js', import.meta.url).pathname
const {SandboxHost} = await import(new URL('../dist/lib/sandbox/host.js', import.meta.url).href)
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-bench-fs-'))
const home = path.join(root, 'home')
const cwd = path.join(root, 'work')
fs.mkdirSync(cwd, {recursive: true})
const host = new SandboxHost({stateDir: path.join(home, 'sandbox'), port: 0, timeScale: 0.001})
const {url} = await host.start()
const env = {...process.env, IMPRESS_HOME: home, CI: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'}
const prefix = 'projects/impress-sandbox/databases/(default)/documents'

const run = (cmd, args) => runProcess(cmd, args, {env, cwd})
async function requests() {
  const r = await (await fetch(`${url}/_sandbox/requests?service=firestore`)).json()
  return r.total ?? Object.values(r.byOperation ?? r.operations ?? {}).reduce((a, b) => a + (typeof b === 'number' ? b : 0), 0)
}
async function timed(args) {
  await fetch(`${url}/_sandbox/requests`, {method: 'DELETE'})
  const t0 = performance.now()
  const r = await run('/usr/bin/time', ['-f', '__RSS_KB=%M', process.execPath, bin, ...args])
  const seconds = (performance.now() - t0) / 1000
  if (r.code !== 0) throw new Error(`impress ${args.join(' ')} failed (${r.code}): ${r.err.slice(-2000)}`)
  return {seconds, rssMb: Number(/__RSS_KB=(\d+)/.exec(r.err)?.[1] ?? 0) / 1024, json: JSON.parse(r.out), requests: await requests()}
}

// Generate: bench/d<i> documents with a few fields, 500 per batchWrite.
const t0 = performance.now()
for (let i = 0; i < DOCS; i += 500) {
  const writes = []
  for (let j = i; j < Math.min(DOCS, i + 500); j++) {
    writes.push({update: {name: `${prefix}/bench/d${String(j).padStart(7, '0')}`, fields: {n: {integerValue: String(j)}, title: {stringValue: `Document ${j} `.repeat(8)}, ok: {booleanValue: j % 2 === 0}, at: {timestampValue: new Date(1_763_856_000_000 + j).toISOString()}}}})
  }
  const r = await fetch(`${url}/v1/${prefix}:batchWrite`, {method: 'POST', headers: {authorization: 'Bearer owner', 'content-type': 'application/json'}, body: JSON.stringify({writes})})
  if (!r.ok) throw new Error(`seed failed: ${r.status}`)
}
console.log(`generated ${DOCS} documents in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
// The backup reads at (now - 1 s): let the generated documents fall before that read time.
await new Promise((r) => setTimeout(r, 2000))

const backup = await timed(['firebase', 'backup', '--firestore', '--json', '--to', path.join(root, 'backups')])
const docs = backup.json.documents
const restore = await timed(['firebase', 'restore', path.join(root, 'backups', backup.json.id), '--to-database', 'scratch', '--json'])
// --overwrite into the now restored target, with 1% extra documents to delete: the cost of the
// extra walk (listDocuments + one listCollectionIds per document) and the deletes.
const extra = Math.max(1, Math.floor(DOCS / 100))
for (let i = 0; i < extra; i += 500) {
  const writes = []
  for (let j = i; j < Math.min(extra, i + 500); j++) writes.push({update: {name: `${prefix.replace('(default)', 'scratch')}/bench/x${String(j).padStart(7, '0')}`, fields: {n: {integerValue: String(j)}}}})
  const r = await fetch(`${url}/v1/${prefix.replace('(default)', 'scratch')}:batchWrite`, {method: 'POST', headers: {authorization: 'Bearer owner', 'content-type': 'application/json'}, body: JSON.stringify({writes})})
  if (!r.ok) throw new Error(`extra documents failed: ${r.status}`)
}
const overwrite = await timed(['firebase', 'restore', path.join(root, 'backups', backup.json.id), '--to-database', 'scratch', '--overwrite', '--yes', '--json'])
const line = (name, r) => `${name.padEnd(18)} ${r.seconds.toFixed(2).padStart(7)} s  ${(docs / r.seconds).toFixed(0).padStart(6)} docs/s  ${(r.requests / docs).toFixed(3)} requests/doc  peak RSS ${r.rssMb.toFixed(0)} MB`
console.log(`${docs} documents (${DOCS} generated + the seed)`)
console.log(line('impress backup', backup))
console.log(`${line('impress restore', restore)}  match=${restore.json.match}`)
console.log(`${line('restore --overwrite', overwrite)}  match=${overwrite.json.match} deleted=${overwrite.json.deleted}/${extra}`)
console.log(backup.rssMb <= 300 && restore.rssMb <= 300 && overwrite.rssMb <= 300 && restore.json.match && overwrite.json.match ? 'OK: within the RSS target at this size' : 'OVER TARGET at this size')
await host.stop()
fs.rmSync(root, {recursive: true, force: true})
