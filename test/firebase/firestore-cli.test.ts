/**
 * End to end (bin/run.js against an in-process sandbox, firebase-admin over HTTP): a Firestore
 * backup killed with SIGKILL then --resume'd under injected 5xx/429 faults equals an uninterrupted
 * one chunk for chunk; an interrupted restore continues with --resume; --overwrite makes the
 * restored collections exactly the backup's and leaves other collections alone.
 */
import fs from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, hasStackTrace, runCli} from '../helpers/cli.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

let sb: TestSandbox
let backupsDir: string
const cli = (args: string[]) => runCli(args, {env: sb.env, cwd: sb.cwd, timeout: 180_000})
const json = (s: string) => JSON.parse(s)
const DOCS = 'projects/impress-sandbox/databases'
const api = async (method: string, p: string, body?: unknown) => {
  const r = await fetch(`${sb.url}/v1/${DOCS}/${p}`, {method, headers: {authorization: 'Bearer owner', 'content-type': 'application/json'}, body: body === undefined ? undefined : JSON.stringify(body)})
  expect(r.status, await r.clone().text()).toBe(200)
  return r.json()
}
const write = (db: string, docs: Record<string, Record<string, unknown>>) =>
  api('POST', `${db}/documents:commit`, {writes: Object.entries(docs).map(([p, fields]) => ({update: {name: `${DOCS}/${db}/documents/${p}`, fields}}))})
const ids = async (db: string, collection: string): Promise<string[]> =>
  ((await api('GET', `${db}/documents/${collection}?pageSize=300`)).documents ?? []).map((d: {name: string}) => d.name.split('/').pop())
const exists = async (db: string, doc: string): Promise<boolean> => {
  const [r] = await api('POST', `${db}/documents:batchGet`, {documents: [`${DOCS}/${db}/documents/${doc}`]})
  return 'found' in r
}
const injected = new Map<string, number | undefined>()
const fault = async (rule: {kind: string; times?: number} & Record<string, unknown>) => {
  const r = await fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', body: JSON.stringify({service: 'firestore', ...rule})})
  if (rule.kind !== 'latency') injected.set((await r.json()).fault.id, rule.times)
}
/** Failures injected so far by the rules added since the last clear (a rule with `times` disappears once spent). */
const faultHits = async (): Promise<number> => {
  const live = new Map(((await (await fetch(`${sb.url}/_sandbox/faults`)).json()).faults as {id: string; hits: number}[]).map((f) => [f.id, f.hits]))
  return [...injected].reduce((s, [id, times]) => s + (live.get(id) ?? times ?? 0), 0)
}
const clearFaults = async () => {
  injected.clear()
  await fetch(`${sb.url}/_sandbox/faults`, {method: 'DELETE'})
}
const documents = async (db: string): Promise<number> => (await (await fetch(`${sb.url}/_sandbox/platform`)).json()).firestore.databases[db].documents
const waitFor = async (what: string, ok: () => boolean) => {
  const deadline = Date.now() + 60_000
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

interface Backup {
  id: string
  resumed: boolean
  documents: number
  manifest: {readTime: string; digest: string; chunks: {file: string; sha256: string; lines: number}[]; keys: Record<string, {count: number; digest: string}>}
}

beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.0005})
  backupsDir = path.join(sb.home, 'workspace', 'backups', 'sandbox')
  // ~2.8 MB of texts (1,200 documents, every tenth with a revisions sub-collection): three 1 MB chunks.
  for (let start = 0; start < 1200; start += 400) {
    const docs: Record<string, Record<string, unknown>> = {}
    for (let i = start; i < start + 400; i++) {
      const id = `t${String(i).padStart(5, '0')}`
      docs[`texts/${id}`] = {body: {stringValue: `text ${i} `.repeat(260)}, n: {integerValue: String(i)}}
      if (i % 10 === 0) docs[`texts/${id}/revisions/r1`] = {by: {stringValue: `user${i % 40}`}}
    }
    await write('(default)', docs)
  }
}, 120_000)
afterAll(async () => sb.stop())

describe('impress firebase, Firestore --resume and --overwrite (end to end)', () => {
  let full: Backup

  it('continues a Firestore backup killed with SIGKILL at the same read time, under 5xx/429 faults, to the same chunks as an uninterrupted one', async () => {
    const b = await cli(['firebase', 'backup', '--firestore', '--json', '--chunk-mb', '1'])
    expect(b.exitCode, b.stderr).toBe(0)
    full = json(b.stdout)
    expect(full.documents).toBe(312 + 1320)
    expect(full.manifest.chunks.length).toBeGreaterThanOrEqual(3)

    const nothing = await cli(['firebase', 'backup', '--firestore', '--resume'])
    expect(nothing.exitCode).toBe(4)
    expect(nothing.stderr).toMatch(/No unfinished Firestore backup/)

    // Slow the walk down (one listCollectionIds per document), kill it after its first chunk.
    await fault({operation: 'listCollectionIds', kind: 'latency', ms: 8})
    const before = new Set(fs.readdirSync(backupsDir))
    const child = execa(process.execPath, [BIN, 'firebase', 'backup', '--firestore', '--chunk-mb', '1'], {env: {CI: 'true', ...sb.env}, cwd: sb.cwd, reject: false})
    let id: string | undefined
    const checkpoint = () => JSON.parse(fs.readFileSync(path.join(backupsDir, id!, 'checkpoint.json'), 'utf8'))
    await waitFor('a checkpointed chunk', () => {
      id ??= fs.readdirSync(backupsDir).find((d) => !before.has(d))
      return Boolean(id && fs.existsSync(path.join(backupsDir, id, 'checkpoint.json')) && checkpoint().chunks.length >= 1)
    })
    child.kill('SIGKILL')
    expect((await child).signal).toBe('SIGKILL')
    const cp = checkpoint()
    expect(cp.readTime).toBeDefined()
    expect(cp.chunks.length).toBeLessThan(full.manifest.chunks.length)
    expect(fs.existsSync(path.join(backupsDir, id!, 'manifest.json'))).toBe(false)
    expect((await cli(['firebase', 'verify', id!])).exitCode).toBe(3)
    await clearFaults()

    // Changes after the killed run's read time must not show up in the resumed backup.
    await write('(default)', {'texts/t99999': {late: {booleanValue: true}}, 'texts/t00001': {body: {stringValue: 'changed'}}})
    // (No 429 on runQuery: in a read-only transaction firebase-admin backs off 60 s after RESOURCE_EXHAUSTED.)
    // (Bounded with `times`: each runQuery failure costs a transaction backoff of about a second.)
    await fault({operation: 'runQuery', kind: 'error', status: 503, probability: 0.2, times: 4})
    await fault({operation: 'listCollectionIds', kind: 'throttle', probability: 0.05, retryAfter: 0, times: 10})
    await fault({operation: 'listCollectionIds', kind: 'error', status: 503, probability: 0.05, times: 10})
    const resumed = await cli(['firebase', 'backup', '--firestore', '--resume', '--json', '--chunk-mb', '1'])
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    expect(await faultHits()).toBeGreaterThan(0)
    await clearFaults()
    const r: Backup = json(resumed.stdout)
    expect(r.id).toBe(id)
    expect(r.resumed).toBe(true)
    expect(r.manifest.readTime).toBe(cp.readTime)
    expect(resumed.stderr).toMatch(/resuming .* at read time/)
    // Equivalence: the same documents in the same order, hence the same chunk files (SHA-256), counts and digests.
    expect(r.manifest.chunks).toEqual(full.manifest.chunks)
    expect(r.manifest.keys).toEqual(full.manifest.keys)
    expect(r.manifest.digest).toBe(full.manifest.digest)
    expect((await cli(['firebase', 'verify', id!])).exitCode).toBe(0)
    // Undo the late changes for the restore tests.
    await api('POST', '(default)/documents:commit', {writes: [{delete: `${DOCS}/(default)/documents/texts/t99999`}]})
  }, 300_000)

  it('refuses to resume once the read time is older than Firestore keeps versions (exit 4, clear hint)', async () => {
    const before = new Set(fs.readdirSync(backupsDir))
    await fault({operation: 'listCollectionIds', kind: 'latency', ms: 8})
    const child = execa(process.execPath, [BIN, 'firebase', 'backup', '--firestore', '--chunk-mb', '1'], {env: {CI: 'true', ...sb.env}, cwd: sb.cwd, reject: false})
    let id: string | undefined
    await waitFor('a checkpoint', () => {
      id ??= fs.readdirSync(backupsDir).find((d) => !before.has(d) && fs.existsSync(path.join(backupsDir, d, 'checkpoint.json')))
      return Boolean(id)
    })
    child.kill('SIGKILL')
    await child
    await clearFaults()
    const file = path.join(backupsDir, id!, 'checkpoint.json')
    const cp = JSON.parse(fs.readFileSync(file, 'utf8'))
    fs.writeFileSync(file, JSON.stringify({...cp, readTime: new Date(Date.now() - 2 * 3_600_000).toISOString()}))
    await fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})
    const r = await cli(['firebase', 'backup', '--firestore', '--resume'])
    expect(r.exitCode).toBe(4)
    expect(r.stderr).toMatch(/cannot be resumed at the same point in time/)
    expect(r.stderr).toMatch(/without --resume/)
    expect(hasStackTrace(r.stderr)).toBe(false)
    const log = await (await fetch(`${sb.url}/_sandbox/requests?service=firestore&log=1`)).text()
    expect(log).not.toMatch(/runQuery/)
    fs.rmSync(path.join(backupsDir, id!), {recursive: true})
  }, 300_000)

  it('continues a restore killed with SIGKILL (--resume), under 5xx/429 faults, to equal counts and hashes', async () => {
    await fault({operation: 'batchWrite', kind: 'latency', ms: 25})
    const progressDir = path.join(sb.home, 'data', 'sandbox', 'firebase')
    const progressFile = path.join(progressDir, `restore-${full.id}-firestore-impress-sandbox_scratch.json`)
    const child = execa(process.execPath, [BIN, 'firebase', 'restore', full.id, '--to-database', 'scratch'], {env: {CI: 'true', ...sb.env}, cwd: sb.cwd, reject: false})
    await waitFor('a committed batch', () => fs.existsSync(progressFile) && JSON.parse(fs.readFileSync(progressFile, 'utf8')).chunk >= 0)
    child.kill('SIGKILL')
    expect((await child).signal).toBe('SIGKILL')
    await clearFaults()
    const partial = await documents('scratch')
    expect(partial).toBeGreaterThan(0)
    expect(partial).toBeLessThan(full.documents)

    // Without --resume the half-restored target is refused.
    const refused = await cli(['firebase', 'restore', full.id, '--to-database', 'scratch'])
    expect(refused.exitCode).toBe(4)
    expect(refused.stderr).toMatch(/already has collections/)

    await fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})
    await fault({operation: 'batchWrite', kind: 'error', status: 503, probability: 0.2})
    await fault({operation: 'batchWrite', kind: 'throttle', probability: 0.1, retryAfter: 0})
    const r = await cli(['firebase', 'restore', full.id, '--to-database', 'scratch', '--resume', '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(await faultHits()).toBeGreaterThan(0)
    await clearFaults()
    const restored = json(r.stdout)
    expect(restored).toMatchObject({resumed: true, match: true})
    expect(restored.documents).toBeLessThan(full.documents)
    for (const c of restored.comparison) expect(c.actual).toEqual({count: full.manifest.keys[c.key].count, digest: full.manifest.keys[c.key].digest})
    expect(await documents('scratch')).toBe(full.documents)
    expect(fs.existsSync(progressFile)).toBe(false)
  }, 300_000)

  it('--overwrite: the restored collections end exactly as in the backup (extra documents deleted), other collections untouched', async () => {
    await write('scratch', {
      'texts/t00002': {body: {stringValue: 'edited in the target'}},
      'texts/zz-extra': {x: {integerValue: '1'}},
      'texts/zz-extra/revisions/r9': {x: {integerValue: '2'}},
      'texts/t00003/drafts/d1': {x: {integerValue: '3'}},
      'audit/a1': {keep: {booleanValue: true}},
    })
    const refused = await cli(['firebase', 'restore', full.id, '--to-database', 'scratch'])
    expect(refused.exitCode).toBe(4)
    expect(refused.stderr).toMatch(/--overwrite/)

    const plan = await cli(['firebase', 'restore', full.id, '--to-database', 'scratch', '--overwrite', '--dry-run', '--json'])
    expect(plan.exitCode, plan.stderr).toBe(0)
    expect(json(plan.stdout)).toMatchObject({dryRun: true, extra: 3, untouched: ['audit']})
    const noYes = await cli(['firebase', 'restore', full.id, '--to-database', 'scratch', '--overwrite'])
    expect(noYes.exitCode).toBe(4)
    expect(await exists('scratch', 'texts/zz-extra')).toBe(true)

    const r = await cli(['firebase', 'restore', full.id, '--to-database', 'scratch', '--overwrite', '--yes'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/counts and hashes match/)
    expect(r.stdout).toMatch(/texts\s+1320\s+1320\s+match/)
    expect(r.stderr).toMatch(/3 document\(s\) not in the backup deleted; collections not in the backup untouched: audit/)
    expect(await exists('scratch', 'texts/zz-extra')).toBe(false)
    expect(await exists('scratch', 'texts/t00002')).toBe(true)
    expect(await ids('scratch', 'texts/zz-extra/revisions')).toEqual([])
    expect(await ids('scratch', 'texts/t00003/drafts')).toEqual([])
    expect(await ids('scratch', 'audit')).toEqual(['a1'])
    expect(await documents('scratch')).toBe(full.documents + 1)
  }, 300_000)
})
