/**
 * End to end (bin/run.js against an in-process sandbox; FirestoreAdminClient, firebase-admin and
 * @google-cloud/storage over HTTP): `firebase backup --managed` killed with SIGKILL while it polls
 * resumes polling the same export on the next run (one export in the sandbox); `backups`,
 * `verify`, `restore` into the scratch database with equal counts, `prune` deleting the export's
 * objects; a missing bucket and a bad gs:// URI are exit 2 in one line.
 */
import fs from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, hasStackTrace, runCli} from '../helpers/cli.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

let sb: TestSandbox
let backupsDir: string
const cli = (args: string[]) => runCli(args, {env: sb.env, cwd: sb.cwd, timeout: 120_000})
const platform = async () => (await (await fetch(`${sb.url}/_sandbox/platform`)).json()) as {firestore: {databases: Record<string, {documents: number}>; operations: {exports: number; imports: number}}; gcs: {buckets: Record<string, {objects: number}>}}
const waitFor = async (what: string, ok: () => boolean) => {
  const deadline = Date.now() + 60_000
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

interface Managed {
  id: string
  resumed: boolean
  operation: string
  exportUri: string
  documents: number
  manifest: {kind: string; keys: Record<string, {count: number}>; managed: {exportUri: string; operation: string; metadata: {operationState: string; progressDocuments: {completedWork: string}}; objects: {name: string; bytes: number; md5: string}[]; counts: {before: Record<string, number>; after: Record<string, number>}}}
}

beforeAll(async () => {
  // 0.03: an export of the seed (~60 s simulated) takes ~2 s, polled from 150 ms.
  sb = await startTestSandbox({timeScale: 0.03})
  backupsDir = path.join(sb.home, 'workspace', 'backups', 'sandbox')
}, 60_000)
afterAll(async () => sb.stop())

describe('impress firebase, Firestore managed export (end to end)', () => {
  it('refuses a missing bucket and a bad gs:// URI with exit 2 in one line', async () => {
    const missing = await cli(['firebase', 'backup', '--managed', '--export-to', 'gs://no-such-bucket-here'])
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toMatch(/The bucket no-such-bucket-here does not exist/)
    expect(missing.stderr.split('\n').filter((l) => /^Error|Error:/.test(l)).length).toBe(1)
    expect(missing.stderr).toMatch(/^Error: .*\nHint: /m)
    const bad = await cli(['firebase', 'backup', '--managed', '--export-to', 's3://impress-backups/x', '--json'])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toMatch(/is not a Cloud Storage location/)
    expect(hasStackTrace(bad.stderr + missing.stderr)).toBe(false)
    expect((await platform()).firestore.operations.exports).toBe(0)
  }, 120_000)

  let first: Managed
  it('resumes polling the same export after SIGKILL: one export in the sandbox, the manifest keeps its record', async () => {
    fs.mkdirSync(backupsDir, {recursive: true})
    const child = execa(process.execPath, [BIN, 'firebase', 'backup', '--managed'], {env: {CI: 'true', ...sb.env}, cwd: sb.cwd, reject: false})
    let id: string | undefined
    const checkpoint = () => JSON.parse(fs.readFileSync(path.join(backupsDir, id!, 'checkpoint.json'), 'utf8'))
    await waitFor('the export operation checkpointed', () => {
      id ??= fs.existsSync(backupsDir) ? fs.readdirSync(backupsDir).find((d) => d.includes('-firestore-managed-')) : undefined
      return Boolean(id && fs.existsSync(path.join(backupsDir, id, 'checkpoint.json')) && checkpoint().managed?.operation)
    })
    child.kill('SIGKILL')
    expect((await child).signal).toBe('SIGKILL')
    const operation = checkpoint().managed.operation as string
    expect(fs.existsSync(path.join(backupsDir, id!, 'manifest.json'))).toBe(false)
    expect((await platform()).firestore.operations.exports).toBe(1)

    const r = await cli(['firebase', 'backup', '--managed', '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    first = JSON.parse(r.stdout)
    expect(first).toMatchObject({id, resumed: true, operation})
    expect((await platform()).firestore.operations.exports).toBe(1)
    expect(first.manifest.kind).toBe('firestore-managed')
    expect(first.manifest.managed.metadata).toMatchObject({operationState: 'SUCCESSFUL', progressDocuments: {completedWork: '312'}})
    expect(first.manifest.managed.counts.before).toEqual({projects: 12, translations: 4, users: 40})
    expect(first.manifest.managed.counts.after).toEqual({projects: 12, translations: 4, users: 40})
    expect(first.exportUri).toBe(`gs://impress-sandbox-firestore-exports/${id}`)
    expect(first.manifest.managed.objects.map((o) => o.name)).toContain(`${id}/all_namespaces/kind_pages/output-0`)
  }, 180_000)

  it('lists, verifies (and catches a deleted object), restores into scratch with equal counts, prunes the export', async () => {
    const second = JSON.parse((await cli(['firebase', 'backup', '--firestore', '--managed', '--json'])).stdout) as Managed
    expect(second.resumed).toBe(false)
    expect((await platform()).firestore.operations.exports).toBe(2)

    const list = JSON.parse((await cli(['firebase', 'backups', '--json'])).stdout) as {backups: {id: string; kind: string; complete: boolean; count: number; bytes: number}[]}
    const listed = list.backups.find((b) => b.id === first.id)!
    expect(listed).toMatchObject({kind: 'firestore-managed', complete: true, count: 56})
    expect(listed.bytes).toBe(first.manifest.managed.objects.reduce((s, o) => s + o.bytes, 0))

    const v = await cli(['firebase', 'verify', first.id, '--json'])
    expect(v.exitCode, v.stderr).toBe(0)
    expect(JSON.parse(v.stdout)).toMatchObject({ok: true, chunks: first.manifest.managed.objects.length, count: 56})

    const restored = await cli(['firebase', 'restore', first.id, '--to-database', 'scratch', '--json'])
    expect(restored.exitCode, restored.stderr).toBe(0)
    const r = JSON.parse(restored.stdout) as {match: boolean; targetWasEmpty: boolean; comparison: {key: string; expected: {count: number}; actual: {count: number}}[]}
    expect(r).toMatchObject({match: true, targetWasEmpty: true})
    expect(r.comparison.map((c) => [c.key, c.actual.count])).toEqual([['projects', 12], ['translations', 4], ['users', 40]])
    expect((await platform()).firestore.databases.scratch.documents).toBe(312)

    const objectsBefore = (await platform()).gcs.buckets['impress-sandbox-firestore-exports'].objects
    const pruned = await cli(['firebase', 'prune', '--keep-last', '1', '--keep-weeks', '0', '--yes', '--json'])
    expect(pruned.exitCode, pruned.stderr).toBe(0)
    expect(JSON.parse(pruned.stdout).deleted).toEqual([first.id])
    expect((await platform()).gcs.buckets['impress-sandbox-firestore-exports'].objects).toBe(objectsBefore - first.manifest.managed.objects.length)
    expect(fs.existsSync(path.join(backupsDir, first.id))).toBe(false)

    // A deleted export object fails verification (exit 3), naming it.
    const victim = second.manifest.managed.objects.find((o) => o.name.includes('kind_users'))!
    const del = await fetch(`${sb.url}/storage/v1/b/impress-sandbox-firestore-exports/o/${encodeURIComponent(victim.name)}`, {method: 'DELETE'})
    expect(del.status).toBe(204)
    const broken = await cli(['firebase', 'verify', second.id])
    expect(broken.exitCode).toBe(3)
    expect(broken.stderr).toContain(`${victim.name}: missing`)
  }, 300_000)
})
