/** An interrupted restore continues with --resume, without writing the finished lines again. */
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {runRtdbBackup} from '../../src/lib/firebase/backup.js'
import type {JsonValue} from '../../src/lib/firebase/format.js'
import {LocalBackupStore} from '../../src/lib/firebase/local-store.js'
import type {RtdbPort} from '../../src/lib/firebase/ports.js'
import {runRtdbRestore} from '../../src/lib/firebase/restore.js'
import {RtdbRest} from '../../src/lib/platform/firebase/rtdb-rest.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {tmpDir} from '../helpers/tmp.js'

let sb: TestSandbox
const rtdb = (ns: string) => new RtdbRest({baseUrl: sb.url, namespace: ns, databaseURL: `https://${ns}.firebaseio.com`, token: async () => 'owner', timeScale: 0.0005})

beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.0005})
})
afterAll(async () => sb.stop())

it('resumes an interrupted restore and ends with equal counts and hashes', async () => {
  const dir = tmpDir('fb-restore-')
  const store = new LocalBackupStore(dir)
  // Small reads make many small lines, so the interruption falls between lines.
  await fetch(`${sb.url}/.settings/sandbox.json?ns=impress-sandbox&access_token=owner`, {method: 'PUT', body: JSON.stringify({maxResponseBytes: 50_000})})
  const b = await runRtdbBackup({toolVersion: 't', chunkBytes: 256 * 1024}, {rtdb: rtdb('impress-sandbox'), store})
  const abort = new AbortController()
  const real = rtdb('impress-sandbox-scratch')
  const patched: string[] = []
  const counting = (stopAfter?: number): RtdbPort => ({
    source: real.source,
    get: (p, o) => real.get(p, o),
    getRaw: (p, o) => real.getRaw(p, o),
    remove: (p) => real.remove(p),
    async patch(p: string, updates: Record<string, JsonValue>) {
      await real.patch(p, updates)
      patched.push(...Object.keys(updates))
      if (stopAfter !== undefined && patched.length > 0 && --stopAfter === 0) abort.abort(new Error('stop'))
    },
  })
  const stateDir = path.join(dir, 'state')
  await expect(runRtdbRestore({id: b.id, stateDir, batchBytes: 200 * 1024, signal: abort.signal}, {store, target: counting(3), confirm: async () => {}})).rejects.toThrow(/^stop$/)
  const firstRun = patched.length
  expect(firstRun).toBeGreaterThan(0)
  expect(fs.readdirSync(stateDir).some((f) => f.startsWith('restore-'))).toBe(true)
  // Without --resume the half-restored target is refused.
  const refused = await runRtdbRestore({id: b.id, stateDir}, {store, target: rtdb('impress-sandbox-scratch'), confirm: async () => {}}).catch((e: unknown) => e)
  expect((refused as {exitCode: number}).exitCode).toBe(4)
  patched.length = 0
  const r = await runRtdbRestore({id: b.id, stateDir, resume: true, batchBytes: 200 * 1024}, {store, target: counting(), confirm: async () => {}})
  expect(r.resumed).toBe(true)
  expect(r.match).toBe(true)
  expect(r.lines).toBeLessThan(b.manifest.totals.lines)
  for (const c of r.comparison) expect(c.actual).toEqual({count: b.manifest.keys[c.key].count, digest: b.manifest.keys[c.key].digest})
  expect(fs.readdirSync(stateDir).some((f) => f.startsWith('restore-'))).toBe(false)
}, 150_000)
