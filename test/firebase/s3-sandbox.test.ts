/** The S3 emulation through the real @aws-sdk/client-s3 and lib-storage over HTTP. */
import {randomBytes, createHash} from 'node:crypto'
import {DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, paginateListObjectsV2} from '@aws-sdk/client-s3'
import {Upload} from '@aws-sdk/lib-storage'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {awsTestConfig, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

let sb: TestSandbox
let s3: S3Client

beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.0005})
  s3 = new S3Client({...awsTestConfig(sb.url), forcePathStyle: true})
})
afterAll(async () => {
  s3.destroy()
  await sb.stop()
})

describe('S3 emulation', () => {
  it('takes a multipart upload (lib-storage), streams it back, and reports SSE', async () => {
    const data = randomBytes(11 * 1024 * 1024 + 123)
    const up = new Upload({client: s3, params: {Bucket: 'impress-backups', Key: 'big/object.bin', Body: data, ServerSideEncryption: 'AES256'}, partSize: 5 * 1024 * 1024, queueSize: 2})
    const done = await up.done()
    expect(done.ETag).toMatch(/-3"$/)
    const head = await s3.send(new HeadObjectCommand({Bucket: 'impress-backups', Key: 'big/object.bin'}))
    expect(head.ContentLength).toBe(data.length)
    expect(head.ServerSideEncryption).toBe('AES256')
    const got = await s3.send(new GetObjectCommand({Bucket: 'impress-backups', Key: 'big/object.bin'}))
    const back = Buffer.from(await got.Body!.transformToByteArray())
    expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'))
    const log = await (await fetch(`${sb.url}/_sandbox/requests?service=s3&log=1`)).text()
    expect(log).toContain('CreateMultipartUpload')
    expect(log).toContain('UploadPart')
    expect(log).toContain('CompleteMultipartUpload')
  })

  it('lists with continuation tokens and common prefixes, deletes, and answers NoSuchKey / NoSuchBucket', async () => {
    for (let i = 0; i < 130; i++) await s3.send(new PutObjectCommand({Bucket: 'impress-backups', Key: `many/k${String(i).padStart(3, '0')}`, Body: `v${i}`}))
    const keys: string[] = []
    let pages = 0
    for await (const page of paginateListObjectsV2({client: s3}, {Bucket: 'impress-backups', Prefix: 'many/'})) {
      pages++
      for (const c of page.Contents ?? []) keys.push(c.Key!)
    }
    expect(keys).toHaveLength(130)
    expect(pages).toBeGreaterThan(1)
    expect(keys).toEqual([...keys].sort())
    const top = await s3.send(new ListObjectsV2Command({Bucket: 'impress-backups', Delimiter: '/'}))
    expect((top.CommonPrefixes ?? []).map((p) => p.Prefix).sort()).toEqual(['big/', 'many/'])
    await s3.send(new DeleteObjectCommand({Bucket: 'impress-backups', Key: 'many/k000'}))
    await expect(s3.send(new GetObjectCommand({Bucket: 'impress-backups', Key: 'many/k000'}))).rejects.toMatchObject({name: 'NoSuchKey'})
    await expect(s3.send(new HeadObjectCommand({Bucket: 'impress-backups', Key: 'many/k000'}))).rejects.toMatchObject({$metadata: {httpStatusCode: 404}})
    await expect(s3.send(new PutObjectCommand({Bucket: 'nope', Key: 'x', Body: 'x'}))).rejects.toMatchObject({name: 'NoSuchBucket'})
  })
})
