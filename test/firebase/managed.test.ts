/**
 * The managed backup's logic on in-memory ports: an interrupted poll leaves a checkpoint whose
 * operation the next run polls (one export started in all), a failed operation is an error,
 * verification names objects that are missing or changed, and bad URIs are usage errors.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {LocalBackupStore} from '../../src/lib/firebase/local-store.js'
import {parseExportUri, runManagedBackup, verifyManagedExport} from '../../src/lib/firebase/managed.js'
import type {ExportObject, FirestorePort, ManagedExportPort, ManagedOperation, ObjectStorePort} from '../../src/lib/firebase/ports.js'

const dirs: string[] = []
afterAll(() => dirs.forEach((d) => fs.rmSync(d, {recursive: true, force: true})))
const tempStore = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-managed-'))
  dirs.push(d)
  return new LocalBackupStore(d)
}

function fakes(options: {pollsToFinish: number; fail?: boolean}) {
  const started: string[] = []
  const polls = new Map<string, number>()
  const bucket = new Map<string, ExportObject>()
  const source = {projectId: 'p', databaseId: '(default)'}
  const firestore = {listCollections: async () => ['b', 'a'], count: async (c: string) => (c === 'a' ? 3 : 5)} as unknown as FirestorePort
  const op = (name: string, done: boolean): ManagedOperation => ({name, done, metadata: {operationState: done ? 'SUCCESSFUL' : 'PROCESSING'}, ...(done && options.fail ? {error: {code: 9, message: 'bucket gone'}} : {})})
  const admin: ManagedExportPort = {
    source,
    async startExport(uri) {
      started.push(uri)
      return op(`projects/p/databases/(default)/operations/${started.length}`, false)
    },
    async startImport() {
      throw new Error('not used')
    },
    async getOperation(name) {
      const n = (polls.get(name) ?? 0) + 1
      polls.set(name, n)
      const done = n >= options.pollsToFinish
      if (done && !options.fail) {
        const prefix = started[Number(name.split('/').pop()) - 1].replace('gs://bkt/', '')
        bucket.set(`${prefix}/meta`, {name: `${prefix}/meta`, bytes: 10, md5: 'AAAAAAAAAAAAAAAAAAAAAA=='})
        bucket.set(`${prefix}/out-a`, {name: `${prefix}/out-a`, bytes: 300, md5: 'BBBBBBBBBBBBBBBBBBBBBB=='})
      }
      return op(name, done)
    },
    close: async () => undefined,
  }
  const objects: ObjectStorePort = {
    bucketExists: async (b) => b === 'bkt',
    list: async (_b, prefix) => [...bucket.values()].filter((o) => o.name.startsWith(prefix)),
    remove: async (_b, names) => names.forEach((n) => bucket.delete(n)),
  }
  return {firestore, admin, objects, started, bucket}
}

describe('managed Firestore backup (in-memory ports)', () => {
  it('an interrupted poll is resumed by the next run on the same operation: one export started', async () => {
    const f = fakes({pollsToFinish: 4})
    const store = tempStore()
    const controller = new AbortController()
    let waits = 0
    const sleep = async () => {
      if (++waits === 2) controller.abort()
    }
    await expect(runManagedBackup({bucketUri: 'gs://bkt/exports', toolVersion: 't', signal: controller.signal}, {...f, store, sleep})).rejects.toMatchObject({exitCode: 130})
    expect(f.started).toHaveLength(1)
    const [id] = await store.list()
    expect(JSON.parse((await store.read(id, 'checkpoint.json'))!.toString()).managed).toMatchObject({operation: 'projects/p/databases/(default)/operations/1', countsBefore: {a: 3, b: 5}})

    const r = await runManagedBackup({bucketUri: 'gs://bkt/exports', toolVersion: 't'}, {...f, store, sleep: async () => undefined})
    expect(f.started).toEqual([`gs://bkt/exports/${id}`])
    expect(r).toMatchObject({id, resumed: true, documents: 8, exportUri: `gs://bkt/exports/${id}`})
    expect(r.manifest.managed!.objects.map((o) => o.name)).toEqual([`exports/${id}/meta`, `exports/${id}/out-a`])
    expect(r.manifest.totals.bytes).toBe(310)
    expect(r.manifest.keys).toEqual({a: {count: 3, lines: 0, digest: ''}, b: {count: 5, lines: 0, digest: ''}})

    // Complete now: the next run starts a new export.
    await runManagedBackup({bucketUri: 'gs://bkt/exports', toolVersion: 't', now: () => new Date(Date.now() + 5000)}, {...f, store, sleep: async () => undefined})
    expect(f.started).toHaveLength(2)

    // Verification: a changed object and a missing one are named.
    f.bucket.set(`exports/${id}/out-a`, {name: `exports/${id}/out-a`, bytes: 300, md5: 'CCCCCCCCCCCCCCCCCCCCCC=='})
    f.bucket.delete(`exports/${id}/meta`)
    expect(await verifyManagedExport(r.manifest, f.objects)).toEqual([
      {object: `exports/${id}/meta`, problem: 'missing'},
      {object: `exports/${id}/out-a`, problem: 'MD5 mismatch (manifest BBBBBBBBBBBBBBBBBBBBBB==, bucket CCCCCCCCCCCCCCCCCCCCCC==)'},
    ])
  })

  it('a failed export is an operation error; a missing bucket and a bad URI are usage errors (exit 2)', async () => {
    const f = fakes({pollsToFinish: 2, fail: true})
    const store = tempStore()
    await expect(runManagedBackup({bucketUri: 'gs://bkt', toolVersion: 't'}, {...f, store, sleep: async () => undefined})).rejects.toMatchObject({exitCode: 1, message: expect.stringMatching(/failed: bucket gone/)})
    await expect(runManagedBackup({bucketUri: 'gs://other', toolVersion: 't'}, {...f, store})).rejects.toMatchObject({exitCode: 2, code: 'E_BUCKET_NOT_FOUND'})
    for (const bad of ['s3://bkt', 'gs://', 'gs://UPPER', 'bkt/x']) expect(() => parseExportUri(bad)).toThrow(expect.objectContaining({exitCode: 2, code: 'E_BAD_EXPORT_URI'}))
    expect(parseExportUri('gs://bkt/a/b/')).toEqual({bucket: 'bkt', prefix: 'a/b'})
  })
})
