/**
 * What a client writes reads back identical, through every read path, on the real SDK clients:
 * S3 (@aws-sdk/client-s3 + lib-storage: PutObject and multipart; GetObject whole and ranged,
 * HeadObject, ListObjectsV2, CopyObject), the Realtime Database REST API (PUT/PATCH; GET whole,
 * shallow and $key pages) and Firestore (firebase-admin: set/merge; get, getAll, queries).
 */
import {createHash} from 'node:crypto'
import {CopyObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client} from '@aws-sdk/client-s3'
import {Upload} from '@aws-sdk/lib-storage'
import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {awsTestConfig, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

let sb: TestSandbox
let s3: S3Client
beforeAll(async () => {
  sb = await startTestSandbox()
  s3 = new S3Client({...awsTestConfig(sb.url), forcePathStyle: true})
})
afterAll(async () => {
  s3.destroy()
  await sb.stop()
})

const BUCKET = 'impress-backups'
const MiB = 1024 * 1024
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const bytesOf = async (r: {Body?: {transformToByteArray(): Promise<Uint8Array>}}) => Buffer.from(await r.Body!.transformToByteArray())

/** Deterministic bytes of a size (large sizes without a large generator). */
function blob(size: number, seed: number, text: boolean): Buffer {
  const b = Buffer.alloc(size)
  let x = seed >>> 0 || 1
  for (let i = 0; i < size; i++) {
    x = (x * 1_103_515_245 + 12_345) >>> 0
    b[i] = text ? 32 + ((x >>> 16) % 95) : x >>> 24
  }
  return b
}

// Keys: any Unicode text, slashes included, as S3 allows (the SDK encodes them in the path).
const keyArb = fc.string({unit: fc.constantFrom('a', 'Z', '0', '/', ' ', '+', '%', '~', 'é', '中', '😀', '=', '&', '?', '#'), minLength: 1, maxLength: 24}).filter((k) => !k.startsWith('/') && !k.includes('//'))

describe('S3 round trip (property)', () => {
  it('PutObject → GetObject, ranged GetObject, HeadObject, ListObjectsV2 and CopyObject give back the same bytes and metadata', async () => {
    await fc.assert(
      fc.asyncProperty(keyArb, fc.nat(70_000), fc.boolean(), fc.nat(), fc.dictionary(fc.constantFrom('owner', 'purpose', 'x'), fc.string({unit: fc.constantFrom('a', 'b', '1', '-'), maxLength: 8})), async (key, size, text, seed, meta) => {
        const data = blob(size, seed, text)
        const k = `prop/${key}`
        await s3.send(new PutObjectCommand({Bucket: BUCKET, Key: k, Body: data, ContentType: text ? 'text/plain' : 'application/octet-stream', Metadata: meta}))
        expect(sha(await bytesOf(await s3.send(new GetObjectCommand({Bucket: BUCKET, Key: k}))))).toBe(sha(data))
        const head = await s3.send(new HeadObjectCommand({Bucket: BUCKET, Key: k}))
        expect({len: head.ContentLength, meta: head.Metadata, type: head.ContentType}).toEqual({len: size, meta, type: text ? 'text/plain' : 'application/octet-stream'})
        if (size > 0) {
          const start = seed % size
          const end = Math.min(size - 1, start + (seed % 4096))
          const part = await s3.send(new GetObjectCommand({Bucket: BUCKET, Key: k, Range: `bytes=${start}-${end}`}))
          expect(part.ContentRange).toBe(`bytes ${start}-${end}/${size}`)
          expect((await bytesOf(part)).equals(data.subarray(start, end + 1))).toBe(true)
        }
        const listed = await s3.send(new ListObjectsV2Command({Bucket: BUCKET, Prefix: k}))
        expect(listed.Contents?.find((c) => c.Key === k)?.Size).toBe(size)
        await s3.send(new CopyObjectCommand({Bucket: BUCKET, Key: `${k}.copy`, CopySource: encodeURIComponent(`${BUCKET}/${k}`)}))
        const copy = await s3.send(new GetObjectCommand({Bucket: BUCKET, Key: `${k}.copy`}))
        expect(copy.Metadata).toEqual(meta)
        expect(sha(await bytesOf(copy))).toBe(sha(data))
      }),
      {numRuns: 25},
    )
  })

  it('sizes around the multipart and ranged-download thresholds (0 B to 11 MiB) read back identical, whole and in 4 MiB ranges', async () => {
    for (const [i, size] of [0, 1, 5 * MiB - 1, 5 * MiB, 5 * MiB + 1, 11 * MiB + 3].entries()) {
      const data = blob(size, i + 7, i % 2 === 0)
      const key = `prop/threshold-${size}`
      // lib-storage switches to a multipart upload past one part (5 MiB here)
      await new Upload({client: s3, params: {Bucket: BUCKET, Key: key, Body: data}, partSize: 5 * MiB, queueSize: 2}).done()
      expect(sha(await bytesOf(await s3.send(new GetObjectCommand({Bucket: BUCKET, Key: key}))))).toBe(sha(data))
      const parts: Buffer[] = []
      for (let at = 0; at < size; at += 4 * MiB) parts.push(await bytesOf(await s3.send(new GetObjectCommand({Bucket: BUCKET, Key: key, Range: `bytes=${at}-${Math.min(size, at + 4 * MiB) - 1}`}))))
      expect(sha(Buffer.concat(parts))).toBe(sha(data))
      expect((await s3.send(new HeadObjectCommand({Bucket: BUCKET, Key: key}))).ContentLength).toBe(size)
    }
  })
})

// RTDB keys: no . $ # [ ] / or control characters; values: nested objects of strings, numbers, booleans.
const rtdbKey = fc.string({unit: fc.constantFrom('a', 'b', 'Z', '0', '9', '-', '_', ' ', 'é', '中'), minLength: 1, maxLength: 6}).filter((k) => k.trim() === k)
const rtdbLeaf = fc.oneof(fc.string({maxLength: 12}), fc.integer(), fc.double({noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9}).filter((d) => !Object.is(d, -0)), fc.boolean())
const rtdbTree = fc.letrec((tie) => ({
  node: fc.dictionary(rtdbKey, fc.oneof({depthSize: 'small'}, rtdbLeaf, tie('node')), {minKeys: 1, maxKeys: 5}),
})).node

describe('Realtime Database round trip (property)', () => {
  const url = (path: string, q = '') => `${sb.url}/${path}.json?ns=impress-sandbox-scratch&auth=owner${q}`

  it('PUT (and multi-path PATCH) of nested JSON reads back identical: whole, shallow, and in orderBy="$key" pages', async () => {
    await fc.assert(
      fc.asyncProperty(rtdbTree, fc.integer({min: 1, max: 3}), async (tree, pageSize) => {
        const put = await fetch(url('prop/t'), {method: 'PUT', body: JSON.stringify(tree)})
        expect(put.status).toBe(200)
        expect(await (await fetch(url('prop/t'))).json()).toEqual(tree)
        const shallow = (await (await fetch(url('prop/t', '&shallow=true'))).json()) as Record<string, unknown>
        expect(Object.keys(shallow).sort()).toEqual(Object.keys(tree).sort())
        const paged: Record<string, unknown> = {}
        let start: string | undefined
        for (;;) {
          const q = `&orderBy=${encodeURIComponent('"$key"')}&limitToFirst=${pageSize + (start ? 1 : 0)}${start ? `&startAt=${encodeURIComponent(JSON.stringify(start))}` : ''}`
          const page = (await (await fetch(url('prop/t', q))).json()) as Record<string, unknown> | null
          const keys = Object.keys(page ?? {}).filter((k) => k !== start)
          for (const k of keys) paged[k] = page![k]
          if (keys.length < pageSize) break
          start = keys.at(-1)
        }
        expect(paged).toEqual(tree)
        await fetch(url('prop/t'), {method: 'DELETE'})
        const patch = Object.fromEntries(Object.entries(tree).map(([k, v]) => [`p/${k}`, v]))
        expect((await fetch(url('prop/m'), {method: 'PATCH', body: JSON.stringify(patch)})).status).toBe(200)
        expect(await (await fetch(url('prop/m/p'))).json()).toEqual(tree)
        await fetch(url('prop/m'), {method: 'DELETE'})
      }),
      {numRuns: 30},
    )
  })
})

describe('Firestore round trip (property)', () => {
  // Firestore values: maps, arrays (not of arrays), strings, integers, doubles, booleans, nulls.
  const fsLeaf = fc.oneof(fc.string({maxLength: 10}), fc.integer(), fc.double({noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6}).filter((d) => !Number.isInteger(d)), fc.boolean(), fc.constant(null))
  const fieldName = fc.string({unit: fc.constantFrom('a', 'b', 'c', 'x', '1', '_'), minLength: 1, maxLength: 4}).filter((k) => !/^__.*__$/.test(k))
  const fsMap = fc.letrec((tie) => ({
    map: fc.dictionary(fieldName, fc.oneof({depthSize: 'small'}, fsLeaf, fc.array(fsLeaf, {maxLength: 4}), tie('map')), {maxKeys: 4}),
  })).map

  it('set() then get(), getAll() and a collection query give back the document; set({merge}) changes only the fields it names', async () => {
    process.env.FIRESTORE_EMULATOR_HOST = new URL(sb.url).host
    const {initializeApp, deleteApp} = await import('firebase-admin/app')
    const {getFirestore} = await import('firebase-admin/firestore')
    const app = initializeApp({projectId: 'impress-sandbox'}, `roundtrip-${process.pid}`)
    const db = getFirestore(app, 'scratch')
    db.settings({preferRest: true, authClient: {universeDomain: 'googleapis.com', getRequestHeaders: async () => ({})}} as never)
    try {
      let n = 0
      await fc.assert(
        fc.asyncProperty(fsMap, fsMap, async (doc, patch) => {
          const ref = db.collection(`prop${n++}`).doc('d')
          await ref.set(doc)
          expect((await ref.get()).data()).toEqual(doc)
          const [viaGetAll] = await db.getAll(ref)
          expect(viaGetAll.data()).toEqual(doc)
          const viaQuery = await ref.parent.get()
          expect(viaQuery.docs.map((d) => d.data())).toEqual([doc])
          await ref.set(patch, {merge: true})
          expect((await ref.get()).data()).toEqual(mergeDeep(doc, patch))
        }),
        {numRuns: 25},
      )
    } finally {
      await deleteApp(app)
    }
  })
})

/** Firestore's set(…, {merge: true}): maps merge field by field, anything else replaces. */
function mergeDeep(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {...base}
  for (const [k, v] of Object.entries(patch)) {
    const b = out[k]
    const isMap = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)
    out[k] = isMap(v) && isMap(b) ? mergeDeep(b, v) : isMap(v) ? mergeDeep({}, v) : v
  }
  return out
}
