/**
 * The sandbox's Firestore admin operations and Cloud Storage JSON API through the real clients
 * over HTTP: @google-cloud/firestore's FirestoreAdminClient (REST fallback) for exportDocuments /
 * importDocuments / operations, firebase-admin for count() (runAggregationQuery), and
 * @google-cloud/storage for buckets, objects (list pages, media/multipart/resumable uploads,
 * downloads checked against x-goog-hash, delete). Unmodelled requests are refused 501.
 */
import {createRequire} from 'node:module'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {FirestoreAdmin} from '../../src/lib/platform/firebase/firestore.js'
import {FirestoreManagedExport, GcsObjectStore} from '../../src/lib/platform/firebase/managed-export.js'
import {SANDBOX_EXPORT_BUCKET} from '../../src/lib/sandbox/services/gcs/store.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

const require = createRequire(import.meta.url)
const {Storage} = require('@google-cloud/storage') as typeof import('@google-cloud/storage')

let sb: TestSandbox
let storage: import('@google-cloud/storage').Storage
const PROJECT = 'impress-sandbox'

beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.002})
  storage = new Storage({projectId: PROJECT, apiEndpoint: sb.url})
})
afterAll(async () => sb.stop())

const requests = async (service: string): Promise<Record<string, number>> => {
  const r = (await (await fetch(`${sb.url}/_sandbox/requests`)).json()) as {counts: Record<string, Record<string, number>>}
  return r.counts[service] ?? {}
}

describe('Cloud Storage JSON API (@google-cloud/storage)', () => {
  it('uploads (media, multipart, resumable), lists in pages with prefixes, downloads with hashes checked, deletes', async () => {
    const bucket = storage.bucket(SANDBOX_EXPORT_BUCKET)
    expect((await bucket.exists())[0]).toBe(true)
    expect((await storage.bucket('no-such-bucket-here').exists())[0]).toBe(false)
    await bucket.file('t/small.json').save('{"a":1}', {resumable: false, contentType: 'application/json'})
    const big = Buffer.alloc(300_000, 7)
    await bucket.file('t/big.bin').save(big, {resumable: true, chunkSize: 256 * 1024})
    const [meta] = await bucket.file('t/big.bin').getMetadata()
    expect(Number(meta.size)).toBe(300_000)
    expect(meta.md5Hash).toBe(require('node:crypto').createHash('md5').update(big).digest('base64'))
    const [down] = await bucket.file('t/big.bin').download({validation: 'crc32c'})
    expect(down.equals(big)).toBe(true)
    const [small] = await bucket.file('t/small.json').download()
    expect(small.toString()).toBe('{"a":1}')
    // 130 objects: two pages of at most 100 (the sandbox cap), all listed.
    await Promise.all(Array.from({length: 130}, (_, i) => bucket.file(`p/obj-${String(i).padStart(3, '0')}`).save(`x${i}`, {resumable: false})))
    const [files] = await bucket.getFiles({prefix: 'p/'})
    expect(files.length).toBe(130)
    expect((await requests('gcs'))['objects.list']).toBeGreaterThanOrEqual(2)
    const [, , api] = await bucket.getFiles({prefix: 't/', delimiter: '/', autoPaginate: false})
    expect((api as {items?: {name: string}[]}).items?.map((i) => i.name)).toEqual(['t/big.bin', 't/small.json'])
    const [, , top] = await bucket.getFiles({delimiter: '/', autoPaginate: false})
    expect((top as {prefixes?: string[]}).prefixes).toEqual(['p/', 't/'])
    await bucket.file('t/small.json').delete()
    expect((await bucket.file('t/small.json').exists())[0]).toBe(false)
    await expect(bucket.file('t/small.json').delete()).rejects.toMatchObject({code: 404})
  })

  it('refuses what it does not model with 501 (objects.copy, a Range download)', async () => {
    const bucket = storage.bucket(SANDBOX_EXPORT_BUCKET)
    await bucket.file('r/a').save('abcdef', {resumable: false})
    await expect(bucket.file('r/a').copy('r/b')).rejects.toMatchObject({code: 501})
    const r = await fetch(`${sb.url}/storage/v1/b/${SANDBOX_EXPORT_BUCKET}/o/r%2Fa?alt=media`, {headers: {range: 'bytes=0-1'}})
    expect(r.status).toBe(501)
    expect(((await r.json()) as {error: {message: string}}).error.message).toMatch(/does not model header range/)
  })
})

describe('Firestore exportDocuments / importDocuments / operations (FirestoreAdminClient over REST)', () => {
  it('exports into the bucket over a few polls, counts with count(), imports into scratch with equal counts', async () => {
    const admin = FirestoreManagedExport.create({projectId: PROJECT, databaseId: '(default)', sandboxUrl: sb.url})
    const fs = await FirestoreAdmin.create({projectId: PROJECT, databaseId: '(default)', emulatorHost: new URL(sb.url).host})
    try {
      expect(await fs.count('users')).toBe(40)
      expect(await fs.count('projects/p0/pages')).toBe(15)
      const started = await admin.startExport(`gs://${SANDBOX_EXPORT_BUCKET}/exports/e1`)
      expect(started.name).toMatch(/^projects\/impress-sandbox\/databases\/\(default\)\/operations\/.+/)
      expect(started.done).toBe(false)
      expect(started.metadata.operationState).toMatch(/INITIALIZING|PROCESSING/)
      let op = started
      let polls = 0
      while (!op.done) {
        await new Promise((r) => setTimeout(r, 5))
        op = await admin.getOperation(started.name, 'export')
        polls++
      }
      expect(polls).toBeGreaterThan(1)
      expect(op.error).toBeUndefined()
      expect(op.metadata.operationState).toBe('SUCCESSFUL')
      expect(op.metadata.progressDocuments).toMatchObject({completedWork: '312', estimatedWork: '312'})
      expect(op.outputUriPrefix).toBe(`gs://${SANDBOX_EXPORT_BUCKET}/exports/e1`)
      const objects = await GcsObjectStore.create({projectId: PROJECT, sandboxUrl: sb.url}).list(SANDBOX_EXPORT_BUCKET, 'exports/e1/')
      expect(objects.map((o) => o.name)).toContain('exports/e1/e1.overall_export_metadata')
      expect(objects.map((o) => o.name)).toContain('exports/e1/all_namespaces/kind_users/output-0')
      expect(objects.every((o) => o.bytes > 0 && o.md5.length === 24)).toBe(true)

      const scratchAdmin = FirestoreManagedExport.create({projectId: PROJECT, databaseId: 'scratch', sandboxUrl: sb.url})
      const scratch = await FirestoreAdmin.create({projectId: PROJECT, databaseId: 'scratch', emulatorHost: new URL(sb.url).host})
      try {
        let imp = await scratchAdmin.startImport(`gs://${SANDBOX_EXPORT_BUCKET}/exports/e1`)
        expect(imp.metadata.inputUriPrefix).toBe(`gs://${SANDBOX_EXPORT_BUCKET}/exports/e1`)
        while (!imp.done) imp = await scratchAdmin.getOperation(imp.name, 'import')
        expect(imp.error).toBeUndefined()
        for (const c of ['users', 'projects', 'translations', 'projects/p3/pages', 'users/user7/settings']) expect(await scratch.count(c)).toBe(await fs.count(c))
      } finally {
        await scratch.close()
        await scratchAdmin.close()
      }
    } finally {
      await fs.close()
      await admin.close()
    }
  })

  it('answers a missing bucket NOT_FOUND, a bad URI INVALID_ARGUMENT, an unknown operation NOT_FOUND, snapshotTime 501', async () => {
    const admin = FirestoreManagedExport.create({projectId: PROJECT, databaseId: '(default)', sandboxUrl: sb.url})
    try {
      await expect(admin.startExport('gs://no-such-bucket-here/x')).rejects.toMatchObject({code: 5})
      await expect(admin.startExport('s3://nope')).rejects.toMatchObject({code: 3})
      await expect(admin.getOperation('projects/impress-sandbox/databases/(default)/operations/nope', 'export')).rejects.toMatchObject({code: 5})
      await expect(admin.startImport(`gs://${SANDBOX_EXPORT_BUCKET}/not-an-export`)).rejects.toMatchObject({code: 5})
    } finally {
      await admin.close()
    }
    const r = await fetch(`${sb.url}/v1/projects/${PROJECT}/databases/(default):exportDocuments`, {method: 'POST', headers: {authorization: 'Bearer owner', 'content-type': 'application/json'}, body: JSON.stringify({outputUriPrefix: `gs://${SANDBOX_EXPORT_BUCKET}/s`, snapshotTime: '2026-01-01T00:00:00Z'})})
    expect(r.status).toBe(501)
    expect(((await r.json()) as {error: {status: string}}).error.status).toBe('UNIMPLEMENTED')
  })
})
