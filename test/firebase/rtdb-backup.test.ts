/** Backup, verify and restore driven through the REST adapter against the sandbox over HTTP. */
import fs from 'node:fs'
import path from 'node:path'
import {S3Client, HeadObjectCommand} from '@aws-sdk/client-s3'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {runRtdbBackup} from '../../src/lib/firebase/backup.js'
import {ImpressError} from '../../src/lib/errors.js'
import {listBackups} from '../../src/lib/firebase/list.js'
import {LocalBackupStore} from '../../src/lib/firebase/local-store.js'
import {runRtdbRestore} from '../../src/lib/firebase/restore.js'
import {runVerify} from '../../src/lib/firebase/verify.js'
import {S3BackupStore} from '../../src/lib/platform/aws/s3.js'
import {RtdbRest} from '../../src/lib/platform/firebase/rtdb-rest.js'
import {awsTestConfig, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {tmpDir} from '../helpers/tmp.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const body = async (r: Response | Promise<Response>): Promise<any> => (await r).json()

let sb: TestSandbox
let dir: string

const rtdb = (ns: string, maxResponseBytes?: number) =>
  new RtdbRest({baseUrl: sb.url, namespace: ns, databaseURL: `https://${ns}.firebaseio.com`, token: async () => 'owner', timeScale: 0.0005, maxResponseBytes})
const setLimit = (ns: string, maxResponseBytes: number) =>
  fetch(`${sb.url}/.settings/sandbox.json?ns=${ns}&access_token=owner`, {method: 'PUT', body: JSON.stringify({maxResponseBytes})})
const requests = async () => (await (body(fetch(`${sb.url}/_sandbox/requests`)))) as {byOperation?: Record<string, number>; total?: number}
const confirm = async () => {}

beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.0005})
})
afterAll(async () => sb.stop())
beforeEach(async () => {
  dir = tmpDir('fb-backup-')
  await fetch(`${sb.url}/_sandbox/reset`, {method: 'POST'})
})

describe('RTDB backup and restore over REST', () => {
  it('backs up the demo database, verifies it, restores it into another namespace with equal counts and hashes', async () => {
    const store = new LocalBackupStore(dir)
    const b = await runRtdbBackup({toolVersion: '1.2.3', chunkBytes: 512 * 1024}, {rtdb: rtdb('impress-sandbox'), store})
    const m = b.manifest
    expect(m.keys.presence.count).toBe(50_000)
    expect(m.keys.events.count).toBe(50_000)
    expect(m.keys.translations.count).toBe(6 * 200)
    expect(m.chunks.length).toBeGreaterThan(1)
    expect(m.tool.version).toBe('1.2.3')
    expect(m.source).toMatchObject({databaseURL: 'https://impress-sandbox.firebaseio.com', namespace: 'impress-sandbox'})
    // The manifest is the last file written, and every chunk it names is on disk with its hash.
    const files = fs.readdirSync(path.join(dir, b.id))
    for (const c of m.chunks) expect(files).toContain(c.file)
    const mtime = (f: string) => fs.statSync(path.join(dir, b.id, f)).mtimeMs
    expect(Math.max(...m.chunks.map((c) => mtime(c.file)))).toBeLessThanOrEqual(mtime('manifest.json'))

    const v = await runVerify({id: b.id}, {store})
    expect(v.ok).toBe(true)
    expect(v.count).toBe(m.totals.count)

    const r = await runRtdbRestore({id: b.id, stateDir: path.join(dir, 'state')}, {store, target: rtdb('impress-sandbox-scratch'), confirm})
    expect(r.match).toBe(true)
    expect(r.comparison.map((c) => c.key)).toEqual(Object.keys(m.keys).sort())
    for (const c of r.comparison) expect(c.actual).toEqual({count: m.keys[c.key].count, digest: m.keys[c.key].digest})
    // Independent check: a fresh backup of the scratch namespace has the same digest.
    const again = await runRtdbBackup({toolVersion: '1.2.3'}, {rtdb: rtdb('impress-sandbox-scratch'), store})
    expect(again.manifest.digest).toBe(m.digest)
    const platform = await (body(fetch(`${sb.url}/_sandbox/platform`)))
    expect(platform.rtdb.databases['impress-sandbox-scratch'].leaves).toBe(m.totals.count)
  }, 150_000)

  it('splits subtrees the database calls too big and still backs up everything', async () => {
    const store = new LocalBackupStore(dir)
    const whole = await runRtdbBackup({toolVersion: 't'}, {rtdb: rtdb('impress-sandbox'), store})
    await setLimit('impress-sandbox', 20_000)
    await fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})
    const split = await runRtdbBackup({toolVersion: 't', pageSize: 400}, {rtdb: rtdb('impress-sandbox'), store})
    expect(split.manifest.digest).toBe(whole.manifest.digest)
    expect(Object.keys(split.manifest.keys)).toEqual(Object.keys(whole.manifest.keys))
    for (const k of Object.keys(whole.manifest.keys)) {
      expect(split.manifest.keys[k].count).toBe(whole.manifest.keys[k].count)
      expect(split.manifest.keys[k].digest).toBe(whole.manifest.keys[k].digest)
    }
    expect(split.manifest.totals.lines).toBeGreaterThan(whole.manifest.totals.lines)
    expect(split.requests).toBeGreaterThan(100)
    const log = await requests()
    expect(JSON.stringify(log)).toContain('Get')
    expect(split.manifest.chunks.every((c) => c.lines > 0)).toBe(true)
  }, 150_000)

  it('completes backup and restore with 5xx and 429 injected on reads and writes', async () => {
    const store = new LocalBackupStore(dir)
    const clean = await runRtdbBackup({toolVersion: 't'}, {rtdb: rtdb('impress-sandbox'), store})
    const fault = (body: object) => fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', body: JSON.stringify(body)})
    // Throttles first: they take the first three attempts, so one read is not also exposed to
    // five random 503s out of its eight attempts (a ~6 % flake when the rules were the other way).
    await fault({service: 'rtdb', operation: 'Get', kind: 'throttle', retryAfter: 0, times: 3})
    await fault({service: 'rtdb', operation: 'Get', kind: 'error', status: 503, probability: 0.3})
    const port = rtdb('impress-sandbox')
    const faulty = await runRtdbBackup({toolVersion: 't', chunkBytes: 256 * 1024}, {rtdb: port, store})
    expect(faulty.manifest.digest).toBe(clean.manifest.digest)
    expect(port.retries).toBeGreaterThan(0)
    await fetch(`${sb.url}/_sandbox/faults`, {method: 'DELETE'})
    await fault({service: 'rtdb', operation: 'Patch', kind: 'error', status: 500, times: 2})
    await fault({service: 'rtdb', operation: 'Patch', kind: 'throttle', retryAfter: 0, times: 2})
    const target = rtdb('impress-sandbox-scratch')
    const r = await runRtdbRestore({id: faulty.id, stateDir: path.join(dir, 'state'), batchBytes: 256 * 1024}, {store, target, confirm})
    expect(r.match).toBe(true)
    expect(target.retries).toBeGreaterThanOrEqual(4)
  }, 150_000)

  it('resumes an interrupted backup from its checkpoint with the same result', async () => {
    const store = new LocalBackupStore(dir)
    const reference = await runRtdbBackup({toolVersion: 't'}, {rtdb: rtdb('impress-sandbox'), store})
    await setLimit('impress-sandbox', 30_000)
    const abort = new AbortController()
    let chunks = 0
    await expect(
      runRtdbBackup({toolVersion: 't', chunkBytes: 64 * 1024, signal: abort.signal}, {
        rtdb: rtdb('impress-sandbox'),
        store,
        progress: (e) => {
          if (e.phase === 'chunk' && ++chunks === 3) abort.abort()
        },
      }),
    ).rejects.toThrow(/interrupted/i)
    const listed = await listBackups({store})
    const unfinished = listed.find((b) => !b.complete)
    expect(unfinished?.chunks).toBeGreaterThanOrEqual(3)
    const resumed = await runRtdbBackup({toolVersion: 't', chunkBytes: 64 * 1024, resume: true}, {rtdb: rtdb('impress-sandbox'), store})
    expect(resumed.resumed).toBe(true)
    expect(resumed.id).toBe(unfinished?.id)
    expect(resumed.manifest.digest).toBe(reference.manifest.digest)
    expect(resumed.manifest.totals.count).toBe(reference.manifest.totals.count)
    expect((await runVerify({id: resumed.id}, {store})).ok).toBe(true)
  }, 150_000)

  it('names the corrupt chunk, and restore refuses it; restore refuses a non-empty target without --overwrite', async () => {
    const store = new LocalBackupStore(dir)
    const b = await runRtdbBackup({toolVersion: 't', chunkBytes: 256 * 1024}, {rtdb: rtdb('impress-sandbox'), store})
    // Non-empty target (the source itself) → refused, exit 4, nothing written.
    const err = await runRtdbRestore({id: b.id, stateDir: dir}, {store, target: rtdb('impress-sandbox'), confirm}).catch((e: unknown) => e)
    expect((err as ImpressError).exitCode).toBe(4)
    expect((err as ImpressError).code).toBe('E_TARGET_NOT_EMPTY')
    // With --overwrite it asks, replaces, and matches.
    const asked: string[] = []
    const ok = await runRtdbRestore({id: b.id, stateDir: dir, overwrite: true, path: '/translations'}, {store, target: rtdb('impress-sandbox'), confirm: async (a) => void asked.push(a)})
    expect(asked[0]).toMatch(/delete everything at \/translations/)
    expect(ok.match).toBe(true)
    expect(ok.comparison).toEqual([expect.objectContaining({key: 'translations', match: true})])

    const victim = b.manifest.chunks[1]
    const file = path.join(dir, b.id, victim.file)
    const bytes = fs.readFileSync(file)
    bytes[Math.floor(bytes.length / 2)] ^= 0xff
    fs.writeFileSync(file, bytes)
    const v = await runVerify({id: b.id}, {store})
    expect(v.ok).toBe(false)
    expect(v.problems[0].chunk).toBe(victim.file)
    const refused = await runRtdbRestore({id: b.id, stateDir: dir}, {store, target: rtdb('impress-sandbox-scratch'), confirm}).catch((e: unknown) => e)
    expect((refused as ImpressError).exitCode).toBe(2)
    expect((refused as Error).message).toContain(victim.file)
    const scratch = await (body(fetch(`${sb.url}/.json?ns=impress-sandbox-scratch&access_token=owner&shallow=true`)))
    expect(scratch).toBeNull()
  }, 150_000)

  it('keeps backups in S3 with multipart uploads and server-side encryption, and restores from there', async () => {
    const client = new S3Client({...awsTestConfig(sb.url), forcePathStyle: true})
    try {
      const store = S3BackupStore.withClient(client, 's3://impress-backups/firebase/sandbox', path.join(dir, 's3-staging'))
      const b = await runRtdbBackup({toolVersion: 't', chunkBytes: 12 * 1024 * 1024}, {rtdb: rtdb('impress-sandbox'), store})
      expect(b.location).toBe(`s3://impress-backups/firebase/sandbox/${b.id}`)
      const head = await client.send(new HeadObjectCommand({Bucket: 'impress-backups', Key: `firebase/sandbox/${b.id}/manifest.json`}))
      expect(head.ServerSideEncryption).toBe('AES256')
      const chunkHead = await client.send(new HeadObjectCommand({Bucket: 'impress-backups', Key: `firebase/sandbox/${b.id}/${b.manifest.chunks[0].file}`}))
      expect(chunkHead.ServerSideEncryption).toBe('AES256')
      expect(chunkHead.ContentLength).toBe(b.manifest.chunks[0].bytes)
      const listed = await listBackups({store})
      expect(listed.map((x) => [x.id, x.complete])).toEqual([[b.id, true]])
      expect((await runVerify({id: b.id}, {store})).ok).toBe(true)
      const r = await runRtdbRestore({id: b.id, stateDir: dir}, {store, target: rtdb('impress-sandbox-scratch'), confirm})
      expect(r.match).toBe(true)
      const log = await (body(fetch(`${sb.url}/_sandbox/requests?service=s3`)))
      expect(JSON.stringify(log)).toMatch(/PutObject/)
      await store.remove(b.id)
      expect(await store.list()).toEqual([])
    } finally {
      client.destroy()
    }
  }, 150_000)
})
