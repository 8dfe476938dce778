/** Firestore backup and restore through firebase-admin (preferRest) against the sandbox's v1 REST emulation. */
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {runFirestoreBackup, runFirestoreRestore} from '../../src/lib/firebase/firestore-backup.js'
import {LocalBackupStore} from '../../src/lib/firebase/local-store.js'
import {runVerify} from '../../src/lib/firebase/verify.js'
import {FirestoreAdmin} from '../../src/lib/platform/firebase/firestore.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {tmpDir} from '../helpers/tmp.js'

let sb: TestSandbox
const admin = (databaseId: string) => FirestoreAdmin.create({projectId: 'impress-sandbox', databaseId, emulatorHost: new URL(sb.url).host})
const commit = (body: object) =>
  fetch(`${sb.url}/v1/projects/impress-sandbox/databases/(default)/documents:commit`, {method: 'POST', headers: {authorization: 'Bearer owner', 'content-type': 'application/json'}, body: JSON.stringify(body)})

beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.0005})
})
afterAll(async () => sb.stop())

it('backs up every collection and sub-collection at one read time, and restores into another database with equal counts and hashes', async () => {
  const dir = tmpDir('fb-firestore-')
  const store = new LocalBackupStore(dir)
  const source = await admin('(default)')
  const target = await admin('scratch')
  try {
    // Changes after the read time must not appear in the backup.
    const readTime = new Date(Date.now() - 5).toISOString()
    await new Promise((r) => setTimeout(r, 20))
    const name = (p: string) => `projects/impress-sandbox/databases/(default)/documents/${p}`
    expect((await commit({writes: [{update: {name: name('users/late'), fields: {x: {integerValue: '1'}}}}, {update: {name: name('translations/en'), fields: {count: {integerValue: '999'}}}}]})).status).toBe(200)
    const pinned = Object.assign(Object.create(Object.getPrototypeOf(source)), source, {readTime: async () => readTime})
    const b = await runFirestoreBackup({toolVersion: 't', pageSize: 7, chunkBytes: 8 * 1024}, {firestore: pinned, store})
    const m = b.manifest
    expect(m.kind).toBe('firestore')
    expect(m.readTime).toBe(readTime)
    expect(m.keys.users.count).toBe(80) // 40 users + 40 settings sub-documents
    expect(m.keys.projects.count).toBe(12 + 12 * 15 + 12 * 3)
    expect(m.keys.translations.count).toBe(4)
    expect(m.chunks.length).toBeGreaterThan(1)
    const lines = fs.readdirSync(path.join(dir, b.id)).length
    expect(lines).toBeGreaterThan(2)
    expect((await runVerify({id: b.id}, {store})).ok).toBe(true)

    const r = await runFirestoreRestore({id: b.id, batch: 50}, {store, firestore: target, confirm: async () => {}})
    expect(r.match).toBe(true)
    expect(r.documents).toBe(m.totals.count)
    // The late document is not in the backup, the old count is.
    const late = await target.page('users', 'lat', 5)
    expect(late.map((d) => d.id)).not.toContain('late')
    const [en] = await target.page('translations', 'de', 1)
    expect(en.data).toMatchObject({count: 200})
    const [page] = await target.page('projects/p1/pages', undefined, 1)
    expect(page.data).toMatchObject({blob: {$bytes: Buffer.from('p1d0').toString('base64')}, meta: {words: 100, draft: true}, none: null})
    const [p1] = await target.page('projects', 'p0', 1)
    expect(p1.data).toMatchObject({owner: {$ref: 'users/user1'}, location: {$geo: [52.52, 13.41]}})

    // A second restore into the now non-empty target is refused without --overwrite.
    const refused = await runFirestoreRestore({id: b.id}, {store, firestore: target, confirm: async () => {}}).catch((e: unknown) => e)
    expect((refused as {exitCode: number}).exitCode).toBe(4)
    const log = await (await fetch(`${sb.url}/_sandbox/requests?service=firestore`)).text()
    expect(log).toContain('runQuery')
    expect(log).toContain('batchWrite')
  } finally {
    await source.close()
    await target.close()
  }
}, 150_000)

// The "socket hang up" of a resumed backup under faults: a keep-alive connection closed by the
// server as a request went out on it. Reads retry such a reset like a transient gRPC code.
it('a read whose connection the server drops (socket hang up) is retried, listing and paging alike', async () => {
  const source = await admin('(default)')
  const faults = `${sb.url}/_sandbox/faults`
  try {
    for (const operation of ['listCollectionIds', 'runQuery']) {
      const r = await fetch(faults, {method: 'POST', body: JSON.stringify({service: 'firestore', operation, kind: 'drop', times: 2})})
      expect(r.status).toBe(201)
    }
    expect(await source.listCollections()).toEqual(expect.arrayContaining(['users', 'projects', 'translations']))
    expect((await source.page('translations', undefined, 2)).length).toBe(2)
    // A rule is removed once it has fired `times` times: both drops happened, on each operation.
    expect(((await (await fetch(faults)).json()) as {faults: unknown[]}).faults).toEqual([])
  } finally {
    await fetch(faults, {method: 'DELETE'})
    await source.close()
  }
}, 60_000)
