/** End to end: bin/run.js as a child process against an in-process sandbox. */
import fs from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, hasStackTrace, runCli} from '../helpers/cli.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const body = async (r: Response | Promise<Response>): Promise<any> => (await r).json()

let sb: TestSandbox
let backupsDir: string
const cli = (args: string[]) => runCli(args, {env: sb.env, cwd: sb.cwd, timeout: 120_000})
const json = (s: string) => JSON.parse(s)
const setLimit = (maxResponseBytes: number) =>
  fetch(`${sb.url}/.settings/sandbox.json?ns=impress-sandbox&access_token=owner`, {method: 'PUT', body: JSON.stringify({maxResponseBytes})})

beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.0005})
  backupsDir = path.join(sb.home, 'workspace', 'backups', 'sandbox')
})
afterAll(async () => sb.stop())

describe('impress firebase (end to end)', () => {
  let first: {id: string; manifest: {digest: string; totals: {count: number}; chunks: {file: string}[]; keys: Record<string, {count: number; digest: string}>}}

  it('backs up, lists, verifies, and restores into another namespace with equal counts and hashes', async () => {
    const b = await cli(['firebase', 'backup', '--json', '--chunk-mb', '1'])
    expect(b.exitCode, b.stderr).toBe(0)
    first = json(b.stdout)
    expect(first.manifest.totals.count).toBeGreaterThan(100_000)
    expect(fs.existsSync(path.join(backupsDir, first.id, 'manifest.json'))).toBe(true)

    const human = await cli(['firebase', 'backups'])
    expect(human.stdout).toContain(first.id)
    expect(human.stdout).toContain('complete')
    const list = json((await cli(['firebase', 'backups', '--json'])).stdout)
    expect(list.backups).toEqual([expect.objectContaining({id: first.id, complete: true, count: first.manifest.totals.count})])

    const v = await cli(['firebase', 'verify', first.id])
    expect(v.exitCode).toBe(0)
    expect(v.stdout).toMatch(/verified/)

    const r = await cli(['firebase', 'restore', first.id, '--to-database', 'impress-sandbox-scratch', '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    const restored = json(r.stdout)
    expect(restored.match).toBe(true)
    for (const c of restored.comparison) {
      expect(c.actual.count).toBe(first.manifest.keys[c.key].count)
      expect(c.actual.digest).toBe(first.manifest.keys[c.key].digest)
    }
    const platform = await (body(fetch(`${sb.url}/_sandbox/platform`)))
    expect(platform.rtdb.databases['impress-sandbox-scratch'].leaves).toBe(first.manifest.totals.count)
    const audit = fs.readFileSync(path.join(sb.home, 'audit.jsonl'), 'utf8')
    expect(audit).toContain('firebase restore')
  }, 180_000)

  it('refuses a non-empty target without --overwrite (exit 4) and writes nothing', async () => {
    await fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})
    const r = await cli(['firebase', 'restore', first.id, '--to-database', 'impress-sandbox-scratch'])
    expect(r.exitCode).toBe(4)
    expect(r.stderr).toMatch(/already has data/)
    expect(r.stderr).toMatch(/--overwrite/)
    expect(hasStackTrace(r.stderr)).toBe(false)
    const log = await (body(fetch(`${sb.url}/_sandbox/requests?service=rtdb&log=1`)))
    expect(JSON.stringify(log)).not.toMatch(/"operation":"(Patch|Put|Delete)"/)
    // --overwrite without a terminal needs --yes too.
    const noYes = await cli(['firebase', 'restore', first.id, '--to-database', 'impress-sandbox-scratch', '--overwrite', '--path', '/translations'])
    expect(noYes.exitCode).toBe(4)
    const ok = await cli(['firebase', 'restore', first.id, '--to-database', 'impress-sandbox-scratch', '--overwrite', '--path', '/translations', '--yes'])
    expect(ok.exitCode, ok.stderr).toBe(0)
    expect(ok.stdout).toMatch(/counts and hashes match/)
  }, 180_000)

  it('flags a flipped byte: verify exits 3 naming the chunk, restore refuses with exit 2', async () => {
    const b = json((await cli(['firebase', 'backup', '--json', '--chunk-mb', '1'])).stdout)
    const victim = b.manifest.chunks[b.manifest.chunks.length - 1].file
    const file = path.join(backupsDir, b.id, victim)
    const bytes = fs.readFileSync(file)
    bytes[bytes.length >> 1] ^= 0x01
    fs.writeFileSync(file, bytes)
    const v = await cli(['firebase', 'verify', b.id, '--json'])
    expect(v.exitCode).toBe(3)
    expect(json(v.stdout).error.message).toContain(victim)
    const r = await cli(['firebase', 'restore', b.id, '--to-database', 'impress-sandbox-scratch', '--overwrite', '--yes'])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain(victim)
    fs.rmSync(path.join(backupsDir, b.id), {recursive: true})
  }, 180_000)

  it('continues a backup killed with SIGKILL (--resume) to the same hashes as an uninterrupted one', async () => {
    await setLimit(20_000)
    await fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', body: JSON.stringify({service: 'rtdb', operation: 'Get', kind: 'latency', ms: 15})})
    const before = new Set(fs.readdirSync(backupsDir))
    const child = execa(process.execPath, [BIN, 'firebase', 'backup', '--chunk-mb', '1'], {env: {CI: 'true', ...sb.env}, cwd: sb.cwd, reject: false})
    let id: string | undefined
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline) {
      id = fs.readdirSync(backupsDir).find((d) => !before.has(d))
      const cp = id ? path.join(backupsDir, id, 'checkpoint.json') : undefined
      if (cp && fs.existsSync(cp) && JSON.parse(fs.readFileSync(cp, 'utf8')).chunks.length >= 2) break
      await new Promise((r) => setTimeout(r, 20))
    }
    child.kill('SIGKILL')
    const killed = await child
    expect(killed.signal).toBe('SIGKILL')
    expect(id).toBeDefined()
    expect(fs.existsSync(path.join(backupsDir, id!, 'manifest.json'))).toBe(false)
    await fetch(`${sb.url}/_sandbox/faults`, {method: 'DELETE'})

    const listed = json((await cli(['firebase', 'backups', '--json'])).stdout)
    expect(listed.backups.find((x: {id: string}) => x.id === id).complete).toBe(false)
    const v = await cli(['firebase', 'verify', id!])
    expect(v.exitCode).toBe(3)
    expect(v.stderr).toMatch(/incomplete/)

    const resumed = await cli(['firebase', 'backup', '--resume', '--json', '--chunk-mb', '1'])
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    const r = json(resumed.stdout)
    expect(r.id).toBe(id)
    expect(r.resumed).toBe(true)
    expect(r.manifest.digest).toBe(first.manifest.digest)
    expect(Object.keys(r.manifest.keys).sort()).toEqual(Object.keys(first.manifest.keys).sort())
    for (const [k, s] of Object.entries(first.manifest.keys)) {
      expect(r.manifest.keys[k].count).toBe(s.count)
      expect(r.manifest.keys[k].digest).toBe(s.digest)
    }
    expect((await cli(['firebase', 'verify', id!])).exitCode).toBe(0)
    await setLimit(256 * 1024 * 1024)
  }, 180_000)

  it('prunes by retention with a plan, --dry-run deleting nothing', async () => {
    const ids = fs.readdirSync(backupsDir).filter((d) => fs.existsSync(path.join(backupsDir, d, 'manifest.json')))
    expect(ids.length).toBeGreaterThanOrEqual(2)
    const dry = json((await cli(['firebase', 'prune', '--keep-last', '1', '--keep-weeks', '0', '--dry-run', '--json'])).stdout)
    expect(dry.deleted).toEqual([])
    expect(dry.plan.filter((p: {action: string}) => p.action === 'delete')).toHaveLength(ids.length - 1)
    expect(fs.readdirSync(backupsDir).length).toBeGreaterThanOrEqual(ids.length)
    const noYes = await cli(['firebase', 'prune', '--keep-last', '1', '--keep-weeks', '0'])
    expect(noYes.exitCode).toBe(4)
    const done = json((await cli(['firebase', 'prune', '--keep-last', '1', '--keep-weeks', '0', '--yes', '--json'])).stdout)
    expect(done.deleted).toHaveLength(ids.length - 1)
    const left = fs.readdirSync(backupsDir).filter((d) => fs.existsSync(path.join(backupsDir, d, 'manifest.json')))
    expect(left).toEqual([ids.sort().at(-1)])
  }, 180_000)

  it('backs up to s3:// (sandbox S3, encrypted), lists, verifies and restores from there', async () => {
    const b = await cli(['firebase', 'backup', '--to', 's3://impress-backups/e2e', '--json'])
    expect(b.exitCode, b.stderr).toBe(0)
    const backup = json(b.stdout)
    expect(backup.location).toBe(`s3://impress-backups/e2e/${backup.id}`)
    const list = json((await cli(['firebase', 'backups', '--in', 's3://impress-backups/e2e', '--json'])).stdout)
    expect(list.backups.map((x: {id: string; complete: boolean}) => [x.id, x.complete])).toEqual([[backup.id, true]])
    const v = await cli(['firebase', 'verify', `s3://impress-backups/e2e/${backup.id}`])
    expect(v.exitCode, v.stderr).toBe(0)
    const log = await body(fetch(`${sb.url}/_sandbox/requests?service=s3&log=1`))
    expect(JSON.stringify(log)).toMatch(/CreateMultipartUpload|PutObject/)
    const r = await cli(['firebase', 'restore', `s3://impress-backups/e2e/${backup.id}`, '--to-database', 'impress-sandbox-scratch', '--path', '/texts', '--overwrite', '--yes', '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(json(r.stdout).match).toBe(true)
  }, 180_000)

  it('backs up Firestore at one read time and restores it into another database (exit 4 the second time)', async () => {
    const b = await cli(['firebase', 'backup', '--firestore', '--json'])
    expect(b.exitCode, b.stderr).toBe(0)
    const backup = json(b.stdout)
    expect(backup.manifest.kind).toBe('firestore')
    expect(backup.manifest.consistency).toBe('read-time')
    expect(backup.documents).toBe(80 + 228 + 4)
    expect((await cli(['firebase', 'verify', backup.id])).exitCode).toBe(0)
    const r = await cli(['firebase', 'restore', backup.id, '--to-database', 'scratch', '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    const restored = json(r.stdout)
    expect(restored.match).toBe(true)
    expect(restored.comparison.map((c: {key: string}) => c.key)).toEqual(['projects', 'translations', 'users'])
    const platform = await body(fetch(`${sb.url}/_sandbox/platform`))
    expect(platform.firestore.databases.scratch.documents).toBe(backup.documents)
    const again = await cli(['firebase', 'restore', backup.id, '--to-database', 'scratch'])
    expect(again.exitCode).toBe(4)
    expect(again.stderr).toMatch(/already has collections/)
  }, 180_000)
})
