/**
 * `firebase verify`'s guard, problem by problem, on a small backup in a local store: what makes a
 * backup unusable (missing, incomplete, not a backup, a chunk corrupt, cut, missing or with another
 * line count, a key's content other than the manifest's) is reported as such, never as ok; a backup
 * that does not exist is bad input (E_BACKUP_NOT_FOUND, exit 2). Written to kill the mutants Stryker
 * found surviving in src/lib/firebase/verify.ts (docs/RELIABILITY.md § Mutation testing).
 */
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import {afterEach, describe, expect, it} from 'vitest'
import {UsageError} from '../../src/lib/errors.js'
import {runFirestoreBackup} from '../../src/lib/firebase/firestore-backup.js'
import type {JsonValue, Manifest} from '../../src/lib/firebase/format.js'
import {LocalBackupStore} from '../../src/lib/firebase/local-store.js'
import type {FirestorePort} from '../../src/lib/firebase/ports.js'
import {runVerify} from '../../src/lib/firebase/verify.js'

/** Two root collections (a: 40 documents, b: 3), no sub-collections. */
function flatFirestore(): FirestorePort {
  const docs = new Map<string, JsonValue>()
  for (let i = 0; i < 40; i++) docs.set(`a/d${String(i).padStart(2, '0')}`, {n: i, text: 'x'.repeat(40)})
  for (let i = 0; i < 3; i++) docs.set(`b/e${i}`, {n: i})
  const inCollection = (c: string) => [...docs.keys()].filter((p) => p.startsWith(`${c}/`)).sort()
  return {
    source: {projectId: 'verify-test', databaseId: '(default)'},
    maxReadAgeMs: 3_600_000,
    readTime: async () => new Date().toISOString(),
    listCollections: async (doc) => (doc ? [] : ['a', 'b']),
    async page(collectionPath, afterId, limit) {
      return inCollection(collectionPath).map((p) => ({id: p.split('/')[1], path: p, data: docs.get(p)!})).filter((d) => afterId === undefined || d.id > afterId).slice(0, limit)
    },
    write: async () => {
      throw new Error('not used')
    },
    listDocumentPaths: async (c) => inCollection(c),
    remove: async () => {
      throw new Error('not used')
    },
    count: async (c) => inCollection(c).length,
    close: async () => {},
  }
}

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, {recursive: true, force: true})
})

async function backup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-verify-'))
  dirs.push(dir)
  const store = new LocalBackupStore(dir)
  const b = await runFirestoreBackup({toolVersion: 't', chunkBytes: 1024, pageSize: 10}, {firestore: flatFirestore(), store})
  const manifestFile = path.join(dir, b.id, 'manifest.json')
  const editManifest = (edit: (m: Manifest) => void) => {
    const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest
    edit(m)
    fs.writeFileSync(manifestFile, JSON.stringify(m))
  }
  return {dir, store, id: b.id, manifest: b.manifest, editManifest, chunkFile: (i: number) => path.join(dir, b.id, b.manifest.chunks[i].file)}
}

describe('firebase verify', () => {
  it('an intact backup is ok, with its chunk, line and document counts, and reports each chunk it checks', async () => {
    const {dir, store, id, manifest} = await backup()
    expect(manifest.chunks.length).toBeGreaterThan(2)
    const seen: string[] = []
    const v = await runVerify({id}, {store: new LocalBackupStore(`${dir}/`), progress: (p) => void seen.push(`${p.phase} ${p.message}`)})
    expect(v).toMatchObject({id, location: `${dir}/${id}`, complete: true, ok: true, problems: [], chunks: manifest.chunks.length, lines: manifest.totals.lines, count: 43})
    expect(v.lines).toBe(manifest.chunks.reduce((n, c) => n + c.lines, 0))
    expect(seen).toEqual(manifest.chunks.map((c) => `verify verifying ${c.file}`))
    expect((await runVerify({id}, {store})).location).toBe(`${dir}/${id}`)
  })

  it('a backup id that does not exist is a usage error (exit 2) that suggests the close one', async () => {
    const {store, id} = await backup()
    const wrong = `${id.slice(0, -1)}${id.endsWith('x') ? 'y' : 'x'}`
    const e = await runVerify({id: wrong}, {store}).catch((error: unknown) => error)
    expect(e).toBeInstanceOf(UsageError)
    expect(e).toMatchObject({exitCode: 2, code: 'E_BACKUP_NOT_FOUND', details: {id: wrong}})
    expect((e as Error).message).toContain(`Backup ${wrong} not found in`)
    expect((e as Error).message).toContain(id)
    expect((e as UsageError).hint).toBe('List the backups with `impress firebase backups` (or pass --in STORE for another store).')
  })

  it('a directory without manifest is "not a backup"; with a checkpoint it is incomplete and says how to resume', async () => {
    const {dir, store, id} = await backup()
    fs.rmSync(path.join(dir, id, 'manifest.json'))
    // A completed backup keeps its checkpoint: without the manifest it reads as incomplete.
    const cp = JSON.parse(fs.readFileSync(path.join(dir, id, 'checkpoint.json'), 'utf8')) as {chunks: unknown[]}
    expect(cp.chunks.length).toBeGreaterThan(0)
    const incomplete = await runVerify({id}, {store})
    expect(incomplete).toMatchObject({complete: false, ok: false, chunks: 0, count: 0})
    expect(incomplete.problems).toEqual([{problem: `incomplete: no manifest.json (${cp.chunks.length} chunk(s) checkpointed; resume it with \`firebase backup --resume\`)`}])
    fs.rmSync(path.join(dir, id, 'checkpoint.json'))
    const bare = await runVerify({id}, {store})
    expect(bare).toEqual({id, location: `${dir}/${id}`, complete: false, ok: false, chunks: 0, lines: 0, count: 0, problems: [{problem: 'not a backup: no manifest.json'}]})
  })

  it('a flipped byte is a SHA-256 mismatch of that chunk, a missing chunk is "missing", and the other chunks are still checked', async () => {
    const {store, id, manifest, chunkFile} = await backup()
    const bytes = fs.readFileSync(chunkFile(1))
    bytes[bytes.length - 5] ^= 0xff
    fs.writeFileSync(chunkFile(1), bytes)
    fs.rmSync(chunkFile(2))
    const v = await runVerify({id}, {store})
    expect(v.ok).toBe(false)
    expect(v.complete).toBe(true)
    expect(v.problems).toHaveLength(2)
    expect(v.problems[0].chunk).toBe(manifest.chunks[1].file)
    expect(v.problems[0].problem).toMatch(new RegExp(`^(SHA-256 mismatch \\(manifest ${manifest.chunks[1].sha256.slice(0, 12)}…, file [0-9a-f]{12}…\\)|unreadable: .+)$`))
    expect(v.problems[1]).toEqual({chunk: manifest.chunks[2].file, problem: 'missing'})
  })

  it('a chunk with the same lines and size but other bytes is a SHA-256 mismatch (the hash is of the stored bytes)', async () => {
    const {store, id, manifest, chunkFile} = await backup()
    const again = fs.readFileSync(chunkFile(0))
    again[4] ^= 0x01 // the gzip header's MTIME: the content decompresses the same
    expect(zlib.gunzipSync(again)).toEqual(zlib.gunzipSync(fs.readFileSync(chunkFile(0))))
    expect(createHash('sha256').update(again).digest('hex')).not.toBe(manifest.chunks[0].sha256)
    fs.writeFileSync(chunkFile(0), again)
    const v = await runVerify({id}, {store})
    expect(v.ok).toBe(false)
    expect(v.problems).toEqual([{chunk: manifest.chunks[0].file, problem: `SHA-256 mismatch (manifest ${manifest.chunks[0].sha256.slice(0, 12)}…, file ${createHash('sha256').update(again).digest('hex').slice(0, 12)}…)`}])
  })

  it('a chunk whose size or line count differs from the manifest is named with both figures', async () => {
    const {store, id, manifest, editManifest} = await backup()
    const [c0, c1] = manifest.chunks
    editManifest((m) => {
      m.chunks[0].bytes += 1
      m.chunks[1].lines += 2
    })
    const v = await runVerify({id}, {store})
    expect(v.ok).toBe(false)
    expect(v.problems).toEqual([
      {chunk: c0.file, problem: `size mismatch (manifest ${c0.bytes + 1}, file ${c0.bytes})`},
      {chunk: c1.file, problem: `line count mismatch (manifest ${c1.lines + 2}, file ${c1.lines})`},
    ])
  })

  it('a key whose count or digest differs from the manifest, or that only one side has, is a content problem', async () => {
    const {store, id, manifest, editManifest} = await backup()
    expect(Object.keys(manifest.keys).sort()).toEqual(['a', 'b'])
    editManifest((m) => {
      m.keys.a.count += 1
    })
    expect((await runVerify({id}, {store})).problems).toEqual([{key: 'a', problem: `content of "a" differs from the manifest (count ${manifest.keys.a.count + 1} vs ${manifest.keys.a.count})`}])
    editManifest((m) => {
      m.keys.a = manifest.keys.a
      m.keys.b.digest = manifest.keys.a.digest
    })
    expect((await runVerify({id}, {store})).problems).toEqual([{key: 'b', problem: `content of "b" differs from the manifest (count ${manifest.keys.b.count} vs ${manifest.keys.b.count})`}])
    editManifest((m) => {
      m.keys.b = manifest.keys.b
      m.keys.zz = {...manifest.keys.b}
    })
    const extra = await runVerify({id}, {store})
    expect(extra.ok).toBe(false)
    expect(extra.problems).toEqual([{key: 'zz', problem: `content of "zz" differs from the manifest (count ${manifest.keys.b.count} vs 0)`}])
    editManifest((m) => {
      delete m.keys.zz
      delete m.keys.b
    })
    expect((await runVerify({id}, {store})).problems).toEqual([{key: 'b', problem: `content of "b" differs from the manifest (count 0 vs ${manifest.keys.b.count})`}])
    editManifest((m) => {
      m.keys.b = manifest.keys.b
    })
    expect((await runVerify({id}, {store})).ok).toBe(true)
  })

  it('a managed export without a Cloud Storage client is not ok, and says why', async () => {
    const {store, id, editManifest} = await backup()
    editManifest((m) => {
      m.kind = 'firestore-managed'
      m.totals.count = 7
      m.managed = {exportUri: 'gs://bkt/exp/1', operation: 'op', metadata: {}, objects: [], counts: {before: {a: 7}, after: {a: 7}}}
    })
    const v = await runVerify({id}, {store})
    expect(v).toMatchObject({complete: true, ok: false, chunks: 0, lines: 0, count: 7, problems: [{problem: 'a managed export is verified in its bucket; no Cloud Storage client given'}]})
  })

  it('a managed export is checked in its bucket: each object of the manifest present with its size and MD5, reported with its progress', async () => {
    const {store, id, editManifest} = await backup()
    const objects = [{name: 'exp/1/all.overall_export_metadata', bytes: 10, md5: 'AAA='}, {name: 'exp/1/output-0', bytes: 20, md5: 'BBB='}]
    editManifest((m) => {
      m.kind = 'firestore-managed'
      m.totals.count = 7
      m.managed = {exportUri: 'gs://bkt/exp/1', operation: 'op', metadata: {}, objects, counts: {before: {a: 7}, after: {a: 7}}}
    })
    let listed = objects
    const asked: string[] = []
    const port = {bucketExists: async () => true, list: async (bucket: string, prefix: string) => (asked.push(`${bucket} ${prefix}`), listed), remove: async () => {}}
    const seen: string[] = []
    const ok = await runVerify({id}, {store, objects: async () => port, progress: (p) => void seen.push(p.message)})
    expect(ok).toMatchObject({complete: true, ok: true, chunks: 2, lines: 0, count: 7, problems: []})
    expect(asked).toEqual(['bkt exp/1/'])
    expect(seen).toEqual(["checking the export's 2 object(s) in gs://bkt/exp/1"])
    listed = [objects[0]]
    const missing = await runVerify({id}, {store, objects: async () => port})
    expect(missing).toMatchObject({ok: false, chunks: 2, problems: [{chunk: 'exp/1/output-0', problem: 'missing'}]})
    port.list = async () => {
      throw new Error('denied')
    }
    const unlisted = await runVerify({id}, {store, objects: async () => port})
    expect(unlisted.ok).toBe(false)
    expect(unlisted.problems).toEqual([{problem: 'cannot list gs://bkt/exp/1: denied'}])
  })
})
