/**
 * Firestore --resume and --overwrite: the cursor walk (a property over random trees, with an
 * in-memory port), a backup interrupted and resumed at the same read time (chunk for chunk equal
 * to an uninterrupted one), the one-hour read-time limit (capability and sandbox, through the
 * real firebase-admin client), and restore --overwrite / --resume against the sandbox.
 */
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runFirestoreBackup, runFirestoreRestore, walkFirestore} from '../../src/lib/firebase/firestore-backup.js'
import type {JsonValue} from '../../src/lib/firebase/format.js'
import {LocalBackupStore} from '../../src/lib/firebase/local-store.js'
import type {FirestorePort} from '../../src/lib/firebase/ports.js'
import {FirestoreAdmin} from '../../src/lib/platform/firebase/firestore.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {tmpDir} from '../helpers/tmp.js'

/** An in-memory Firestore: document paths → data (collection ids and document ids sorted as strings). */
function memoryFirestore(docs: Map<string, JsonValue>, options: {readTime?: string; maxReadAgeMs?: number; onPage?: () => void} = {}): FirestorePort {
  const childCollections = (parent: string | undefined) => {
    const prefix = parent ? `${parent}/` : ''
    const ids = new Set<string>()
    for (const p of docs.keys()) if (p.startsWith(prefix)) ids.add(p.slice(prefix.length).split('/')[0])
    return [...ids]
  }
  return {
    source: {projectId: 'mem', databaseId: '(default)'},
    maxReadAgeMs: options.maxReadAgeMs ?? 3_600_000,
    readTime: async () => options.readTime ?? new Date().toISOString(),
    listCollections: async (doc) => childCollections(doc),
    async page(collectionPath, afterId, limit) {
      options.onPage?.()
      const prefix = `${collectionPath}/`
      const ids = [...docs.keys()].filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/')).map((p) => p.slice(prefix.length)).sort()
      return ids.filter((i) => afterId === undefined || i > afterId).slice(0, limit).map((i) => ({id: i, path: `${prefix}${i}`, data: docs.get(`${prefix}${i}`)!}))
    },
    async write(list) {
      for (const d of list) docs.set(d.path, d.data)
    },
    async listDocumentPaths(collectionPath) {
      const prefix = `${collectionPath}/`
      return [...new Set([...docs.keys()].filter((p) => p.startsWith(prefix)).map((p) => `${prefix}${p.slice(prefix.length).split('/')[0]}`))]
    },
    async remove(paths) {
      for (const p of paths) docs.delete(p)
    },
    async count(collectionPath) {
      const prefix = `${collectionPath}/`
      return [...docs.keys()].filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/')).length
    },
    close: async () => {},
  }
}

const treeArb = fc
  .uniqueArray(
    fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('d1', 'd2', 'd3', 'd10'), fc.option(fc.tuple(fc.constantFrom('s', 't'), fc.constantFrom('x', 'y', 'z')), {nil: undefined})),
    {minLength: 1, maxLength: 30, selector: (t) => JSON.stringify(t)},
  )
  .map((entries) => {
    const docs = new Map<string, JsonValue>()
    for (const [c, d, sub] of entries) {
      docs.set(`${c}/${d}`, {n: `${c}${d}`})
      if (sub) docs.set(`${c}/${d}/${sub[0]}/${sub[1]}`, {n: sub.join('')})
    }
    return docs
  })

describe('the cursor walk', () => {
  it('resumed after any document, emits exactly the rest of the full walk', async () => {
    await fc.assert(
      fc.asyncProperty(treeArb, fc.nat(), fc.integer({min: 1, max: 4}), async (docs, pick, pageSize) => {
        const port = memoryFirestore(docs)
        const full: string[] = []
        await walkFirestore(port, {pageSize}, async (p) => void full.push(p))
        expect(full.length).toBe(docs.size)
        const i = pick % full.length
        const rest: string[] = []
        await walkFirestore(port, {pageSize, cursor: full[i].split('/').filter(Boolean)}, async (p) => void rest.push(p))
        expect(rest).toEqual(full.slice(i + 1))
      }),
      {numRuns: 150},
    )
  })
})

describe('Firestore backup --resume (in memory)', () => {
  const bigTree = () => {
    const docs = new Map<string, JsonValue>()
    for (let i = 0; i < 400; i++) {
      const id = `u${String(i).padStart(4, '0')}`
      docs.set(`users/${id}`, {name: `user ${i}`, pad: 'x'.repeat(200)})
      if (i % 7 === 0) docs.set(`users/${id}/notes/n1`, {text: `note ${i}`, pad: 'y'.repeat(100)})
    }
    for (const l of ['de', 'en']) docs.set(`translations/${l}`, {count: 1})
    return docs
  }

  it('interrupted and resumed, gives the uninterrupted backup chunk for chunk at the same read time', async () => {
    const readTime = new Date(Date.now() - 60_000).toISOString()
    const docs = bigTree()
    const full = await runFirestoreBackup({toolVersion: 't', chunkBytes: 8 * 1024, pageSize: 25}, {firestore: memoryFirestore(docs, {readTime}), store: new LocalBackupStore(tmpDir('fs-full-'))})
    expect(full.manifest.chunks.length).toBeGreaterThan(5)

    const dir = tmpDir('fs-resume-')
    const store = new LocalBackupStore(dir)
    const abort = new AbortController()
    let pages = 0
    const interrupted = await runFirestoreBackup(
      {toolVersion: 't', chunkBytes: 8 * 1024, pageSize: 25, signal: abort.signal},
      {firestore: memoryFirestore(docs, {readTime, onPage: () => ++pages === 9 && abort.abort()}), store},
    ).catch((e: unknown) => e)
    expect((interrupted as {exitCode: number}).exitCode).toBe(130)
    const [id] = await store.list()
    const cp = JSON.parse(fs.readFileSync(path.join(dir, id, 'checkpoint.json'), 'utf8'))
    expect(cp.readTime).toBe(readTime)
    expect(cp.chunks.length).toBeGreaterThan(0)
    expect(cp.chunks.length).toBeLessThan(full.manifest.chunks.length)
    // A stray chunk written after the checkpoint (as after kill -9) is dropped, not kept.
    fs.writeFileSync(path.join(dir, id, `chunk-${String(cp.chunks.length + 1).padStart(5, '0')}.ndjson.gz`), 'garbage')

    // The resumed run asks no new read time: it reads at the checkpoint's.
    const port = memoryFirestore(docs, {readTime: new Date().toISOString()})
    const r = await runFirestoreBackup({toolVersion: 't', chunkBytes: 8 * 1024, pageSize: 25, resume: true}, {firestore: port, store})
    expect(r.resumed).toBe(true)
    expect(r.id).toBe(id)
    expect(r.manifest.readTime).toBe(readTime)
    expect(r.manifest.chunks).toEqual(full.manifest.chunks)
    expect(r.manifest.keys).toEqual(full.manifest.keys)
    expect(r.manifest.digest).toBe(full.manifest.digest)

    // Nothing left to resume.
    const again = await runFirestoreBackup({toolVersion: 't', resume: true}, {firestore: port, store}).catch((e: unknown) => e)
    expect(again).toMatchObject({exitCode: 4, code: 'E_NOTHING_TO_RESUME'})
  })

  it('refuses to resume at a read time Firestore no longer keeps (exit 4), without reading', async () => {
    const dir = tmpDir('fs-expired-')
    const store = new LocalBackupStore(dir)
    const abort = new AbortController()
    const docs = bigTree()
    const readTime = new Date(Date.now() - 10_000).toISOString()
    await expect(runFirestoreBackup({toolVersion: 't', chunkBytes: 8 * 1024, pageSize: 25, signal: abort.signal}, {firestore: memoryFirestore(docs, {readTime, onPage: () => abort.abort()}), store})).rejects.toMatchObject({exitCode: 130, code: 'E_INTERRUPTED'})
    let pages = 0
    const later = () => new Date(Date.parse(readTime) + 61 * 60_000)
    const refused = await runFirestoreBackup({toolVersion: 't', resume: true, now: later}, {firestore: memoryFirestore(docs, {onPage: () => pages++}), store}).catch((e: unknown) => e)
    expect(refused).toMatchObject({exitCode: 4, code: 'E_READ_TIME_EXPIRED'})
    expect((refused as Error).message).toMatch(/61 minutes ago.*60 minutes/)
    expect(pages).toBe(0)
    // Within the hour it resumes.
    const ok = await runFirestoreBackup({toolVersion: 't', resume: true, now: () => new Date(Date.parse(readTime) + 59 * 60_000)}, {firestore: memoryFirestore(docs), store})
    expect(ok.documents).toBe(docs.size)
  })
})

describe('against the sandbox (firebase-admin over HTTP)', () => {
  let sb: TestSandbox
  const admin = (databaseId: string) => FirestoreAdmin.create({projectId: 'impress-sandbox', databaseId, emulatorHost: new URL(sb.url).host})
  beforeAll(async () => {
    sb = await startTestSandbox({timeScale: 0.0005})
  })
  afterAll(async () => sb.stop())

  it('answers a read older than the version retention with FAILED_PRECONDITION, which the adapter turns into E_READ_TIME_EXPIRED', async () => {
    const fsdb = await admin('(default)')
    try {
      const old = new Date(Date.now() - 2 * 3_600_000).toISOString()
      const e = await fsdb.page('users', undefined, 5, old).catch((error: unknown) => error)
      expect(e).toMatchObject({exitCode: 4, code: 'E_READ_TIME_EXPIRED'})
      expect((e as Error).message).toMatch(/too old/)
      const recent = await fsdb.page('users', undefined, 5, new Date(Date.now() - 1000).toISOString())
      expect(recent).toHaveLength(5)
    } finally {
      await fsdb.close()
    }
  })

  it('restore --overwrite leaves the restored collections exactly as in the backup, other collections untouched; --resume continues an interrupted one', async () => {
    const dir = tmpDir('fs-overwrite-')
    const store = new LocalBackupStore(dir)
    const source = await admin('(default)')
    const target = await admin('scratch')
    try {
      const b = await runFirestoreBackup({toolVersion: 't', chunkBytes: 8 * 1024}, {firestore: source, store})
      // The target: one backup document changed, extra documents in a restored collection, in a
      // sub-collection of a backup document, under a missing parent, and a collection of its own.
      await target.write([
        {path: 'users/user1', data: {name: 'changed'}},
        {path: 'users/intruder', data: {x: 1}},
        {path: 'users/intruder/settings/ui', data: {x: 2}},
        {path: 'users/user2/extra/e1', data: {x: 3}},
        {path: 'projects/ghost/pages/g1', data: {x: 4}},
        {path: 'audit/a1', data: {keep: true}},
      ])
      const refused = await runFirestoreRestore({id: b.id}, {store, firestore: target, confirm: async () => {}}).catch((e: unknown) => e)
      expect(refused).toMatchObject({exitCode: 4, code: 'E_TARGET_NOT_EMPTY'})

      const plan = await runFirestoreRestore({id: b.id, overwrite: true, dryRun: true}, {store, firestore: target, confirm: async () => {}})
      // 5: the missing parent projects/ghost is listed too (listDocuments with showMissing).
      expect(plan).toMatchObject({dryRun: true, extra: 5, deleted: 0, untouched: ['audit'], collections: ['projects', 'translations', 'users']})
      expect(await target.listDocumentPaths('users')).toContain('users/intruder')

      const stateDir = path.join(dir, 'state')
      const abort = new AbortController()
      let writes = 0
      const stopping: FirestorePort = Object.assign(Object.create(Object.getPrototypeOf(target)), target, {
        write: async (docs: {path: string; data: JsonValue}[]) => {
          await target.write(docs)
          if (++writes === 2) abort.abort()
        },
      })
      const asked: string[] = []
      const stopped = await runFirestoreRestore({id: b.id, overwrite: true, batch: 40, stateDir, signal: abort.signal}, {store, firestore: stopping, confirm: async (a) => void asked.push(a)}).catch((e: unknown) => e)
      expect(stopped).toMatchObject({exitCode: 130})
      expect(asked[0]).toMatch(/delete the 5 documents.*audit untouched/)
      expect(fs.readdirSync(stateDir)).toHaveLength(1)

      const r = await runFirestoreRestore({id: b.id, resume: true, batch: 40, stateDir}, {store, firestore: target, confirm: async () => {}})
      expect(r.resumed).toBe(true)
      expect(r.match).toBe(true)
      expect(r.documents).toBe(b.documents - 80)
      for (const c of r.comparison) expect(c.actual).toEqual({count: b.manifest.keys[c.key].count, digest: b.manifest.keys[c.key].digest})
      expect(r.comparison.map((c) => c.key)).toEqual(['projects', 'translations', 'users'])
      expect(r.untouched).toEqual(['audit'])
      expect(await target.listDocumentPaths('users')).not.toContain('users/intruder')
      expect(await target.listCollections('users/user2')).toEqual(['settings'])
      expect(await target.listDocumentPaths('projects')).not.toContain('projects/ghost')
      expect((await target.page('audit', undefined, 5)).map((d) => d.id)).toEqual(['a1'])
      const [u1] = await target.page('users', 'user0', 1)
      expect(u1.data).toMatchObject({name: 'User 1'})
      expect(fs.readdirSync(stateDir)).toHaveLength(0)
    } finally {
      await source.close()
      await target.close()
    }
  }, 120_000)
})
