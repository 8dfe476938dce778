/** The signed audit log against an in-memory secret store: tail checks, rotation, unknown keys, acknowledgements. */
import fs from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {tmpDir} from '../../helpers/tmp.js'
import {sha256, type AuditHead} from '../../../src/lib/audit/chain.js'
import {appendAudit, checkAuditTail, keysOfLog, verifyAudit, type NewAuditEntry} from '../../../src/lib/audit/log.js'
import {AuditKeyring, type AuditKeyStore} from '../../../src/lib/audit/sign.js'

class MemoryStore implements AuditKeyStore {
  versions: {id: string; value: string}[] = [{id: 'v1', value: 'first-key-0123456789abcdef'}]
  down = false
  async read(_id: string, versionId?: string) {
    if (this.down) throw new Error('connect ECONNREFUSED')
    const v = versionId ? this.versions.find((x) => x.id === versionId) : this.versions.at(-1)
    return v ? {value: v.value, versionId: v.id} : undefined
  }
}

const tmpLog = () => path.join(tmpDir('audit-signed-'), 'audit.jsonl')
const entry = (i: number): NewAuditEntry => ({time: new Date(Date.UTC(2026, 11, 1, i)).toISOString(), actor: {user: 'ops@host'}, command: 'deploy', args: [String(i)], result: 'ok', exitCode: 0, durationMs: 1})
const ring = (store: AuditKeyStore) => new AuditKeyring('impress/audit/hmac', store)
const lines = (log: string) => fs.readFileSync(log, 'utf8').split('\n').filter(Boolean)

async function fill(log: string, store: AuditKeyStore, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await appendAudit(log, entry(i), {keyring: ring(store)})
}

async function fullVerify(log: string, store: AuditKeyStore) {
  return verifyAudit(log, (await keysOfLog(log, ring(store))).keys)
}

describe('signed audit log', () => {
  it('signs each line and the head; a rotated key still verifies the lines the old one signed', async () => {
    const store = new MemoryStore()
    const log = tmpLog()
    await fill(log, store, 2)
    store.versions.push({id: 'v2', value: 'second-key-0123456789abcdef'})
    await fill(log, store, 2)
    expect(lines(log).map((l) => JSON.parse(l).sig.kid)).toEqual(['v1', 'v1', 'v2', 'v2'])
    expect(await fullVerify(log, store)).toMatchObject({ok: true, signed: 4, signedThrough: 4})
    await expect(checkAuditTail(log, ring(store))).resolves.toEqual({})
  })

  it('a line signed with a key version the store does not have is a problem, not a pass', async () => {
    const store = new MemoryStore()
    const log = tmpLog()
    await fill(log, store, 3)
    const l = lines(log)
    const e = JSON.parse(l[1])
    e.sig.kid = 'made-up'
    l[1] = JSON.stringify(e)
    fs.writeFileSync(log, l.join('\n') + '\n')
    const v = await fullVerify(log, store)
    expect(v.ok).toBe(false)
    expect(v.problems.map((p) => p.line)).toContain(2)
    expect(v.problems.find((p) => p.line === 2)!.reason).toMatch(/key version made-up/)
  })

  it('the tail check refuses a removed last line with an unsigned head, without reading the whole log', async () => {
    const store = new MemoryStore()
    const log = tmpLog()
    await fill(log, store, 3)
    const l = lines(log).slice(0, 2)
    fs.writeFileSync(log, l.join('\n') + '\n')
    const head: AuditHead = {lines: 2, last: sha256(l[1]), bytes: fs.statSync(log).size}
    fs.writeFileSync(`${log}.head`, JSON.stringify(head))
    await expect(checkAuditTail(log, ring(store))).rejects.toMatchObject({exitCode: 4, code: 'E_AUDIT_BROKEN', message: expect.stringMatching(/last line is signed but its head is not/)})
    // the same head with a made-up signature
    fs.writeFileSync(`${log}.head`, JSON.stringify({...head, sig: {kid: 'v1', mac: 'ab'.repeat(32)}}))
    await expect(checkAuditTail(log, ring(store))).rejects.toMatchObject({message: expect.stringMatching(/head's signature does not match/)})
    await expect(appendAudit(log, entry(9), {keyring: ring(store)})).rejects.toMatchObject({exitCode: 4})
    expect(lines(log)).toHaveLength(2)
  })

  it('an entry written while the key cannot be read is unsigned, says so, and the next append with the key refuses until acknowledged', async () => {
    const store = new MemoryStore()
    const log = tmpLog()
    await fill(log, store, 1)
    store.down = true
    const warnings: string[] = []
    const e = await appendAudit(log, entry(1), {keyring: ring(store), warn: (m) => warnings.push(m)})
    expect(e.sig).toBeUndefined()
    expect(warnings[0]).toMatch(/not signed: Cannot read the audit key impress\/audit\/hmac: connect ECONNREFUSED/)
    expect((await checkAuditTail(log, ring(store))).warning).toMatch(/signatures were not checked/)
    store.down = false
    await expect(checkAuditTail(log, ring(store))).rejects.toMatchObject({message: expect.stringMatching(/last line is not signed/)})
    const v = await fullVerify(log, store)
    expect(v.break).toMatchObject({line: 2, reason: expect.stringMatching(/unsigned line\(s\) at the end/)})

    const ack = await appendAudit(log, {...entry(2), command: 'audit acknowledge'}, {keyring: ring(store), acknowledge: {reason: 'secret store outage', problems: v.problems}})
    expect(ack.ack?.prefixDigest).toMatch(/^[0-9a-f]{64}$/)
    // The signed acknowledgement vouches for the unsigned line before it: nothing is left to accept.
    expect(await fullVerify(log, store)).toMatchObject({ok: true, signedThrough: 3, acknowledgements: [{line: 3, reason: 'secret store outage', problems: 0}]})
    await expect(checkAuditTail(log, ring(store))).resolves.toEqual({})
  })

  it('an acknowledgement written by hand (unsigned) accepts nothing', async () => {
    const store = new MemoryStore()
    const log = tmpLog()
    await fill(log, store, 2)
    const l = lines(log)
    l[0] = l[0].replace('"result":"ok"', '"result":"failed"')
    fs.writeFileSync(log, l.join('\n') + '\n')
    const before = (await fullVerify(log, store)).problems
    await appendAudit(log, {...entry(3), command: 'audit acknowledge'}, {acknowledge: {reason: 'forged', problems: before}})
    const v = await fullVerify(log, store)
    expect(v.ok).toBe(false)
    expect(v.acknowledgements).toEqual([])
  })

  it('commands that check the tail and append concurrently from several processes are never refused and never lose a line', async () => {
    const log = tmpLog()
    const dist = (f: string) => JSON.stringify(new URL(`../../../dist/lib/audit/${f}`, import.meta.url).href)
    const script = `
      import {appendAudit, checkAuditTail} from ${dist('log.js')}
      import {AuditKeyring} from ${dist('sign.js')}
      const keyring = new AuditKeyring('k', {read: async () => ({value: 'first-key-0123456789abcdef', versionId: 'v1'})})
      for (let i = 0; i < 10; i++) {
        await checkAuditTail(process.argv[1], keyring)
        await appendAudit(process.argv[1], {time: new Date().toISOString(), actor: {user: process.argv[2]}, command: 'x', args: [String(i)], result: 'ok', exitCode: 0, durationMs: 0}, {keyring})
      }
    `
    await Promise.all(['a', 'b', 'c', 'd'].map((id) => execa(process.execPath, ['--input-type=module', '-e', script, log, id])))
    expect(lines(log)).toHaveLength(40)
    expect(await fullVerify(log, new MemoryStore())).toMatchObject({ok: true, signed: 40, signedThrough: 40})
  })
})
