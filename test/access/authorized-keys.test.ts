/**
 * The authorized-keys capability with a fake GitHub port: policy filtering (size, sharing,
 * leavers, roles, organisation membership), the cache (fresh, stale but bounded, invalidated
 * by a roster edit), and the fast path's argument parsing and duration reading.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {authorizedKeys, type AuthorizedKeysOptions} from '../../src/lib/access/authorized-keys.js'
import {accessSettings} from '../../src/lib/access/defaults.js'
import {parseFastArgs, shortDurationMs} from '../../src/lib/access/fast-path.js'
import {keysCacheKey} from '../../src/lib/access/key-cache.js'
import {parseRoster} from '../../src/lib/compliance/roster.js'
import {ALICE_RSA_4096, BOB_RSA_2048, DAVE_RSA_3072, EVE_RSA_3072} from '../../src/lib/sandbox/services/github/demo-keys.js'

const ROSTER = `members:
  - {name: Ann, email: ann@x.example, role: developer, accounts: {github: ann}}
  - {name: Ben, email: ben@x.example, role: developer, accounts: {github: ben}}
  - {name: Cid, email: cid@x.example, role: developer, accounts: {github: cid}}
  - {name: Dee, email: dee@x.example, role: admin, accounts: {github: dee}}
  - {name: Eli, email: eli@x.example, role: developer, status: left, left: 2026-01-01, accounts: {github: eli}}
  - {name: Fay, email: fay@x.example, role: developer, accounts: {github: fay}}
policy: {keys: {types: {rsa: 3072}, perDeveloper: 1}}
`
const KEYS: Record<string, string[]> = {ann: [DAVE_RSA_3072], ben: [BOB_RSA_2048], cid: [ALICE_RSA_4096], dee: [ALICE_RSA_4096], eli: [EVE_RSA_3072], fay: [EVE_RSA_3072.replace('ssh-rsa', 'ssh-rsa ')]}

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, {recursive: true, force: true})))

function setup(text = ROSTER) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-ak-'))
  dirs.push(dir)
  const settings = accessSettings(undefined)
  const options: AuthorizedKeysOptions = {serverUser: 'impress', loaded: parseRoster(text, 'team.yaml'), settings, cacheKey: keysCacheKey(Buffer.from(text), settings), cacheFile: path.join(dir, 'impress.json'), refreshMs: 300_000, maxStaleMs: 86_400_000}
  let calls = 0
  let down = false
  const log: string[] = []
  const github = async () => ({
    async userKeys(login: string) {
      calls++
      if (down) throw Object.assign(new Error('connect ECONNREFUSED'), {code: 'ECONNREFUSED'})
      return (KEYS[login] ?? []).map((key, i) => ({id: i + 1, key}))
    },
    async orgMemberLogins() {
      if (down) throw Object.assign(new Error('connect ECONNREFUSED'), {code: 'ECONNREFUSED'})
      return new Set(['ann', 'ben', 'cid', 'dee', 'eli'])
    },
  })
  return {options, log, deps: (now: number) => ({github, log: (l: string) => log.push(l), now: () => now}), calls: () => calls, setDown: (d: boolean) => (down = d)}
}

describe('access authorized-keys', () => {
  it("prints only compliant keys of the server user's roles, and logs what it leaves out", async () => {
    const t = setup()
    const r = await authorizedKeys(t.options, t.deps(1_000_000))
    expect(r.source).toBe('github')
    expect(r.lines).toEqual([`${DAVE_RSA_3072} ann@x.example`])
    expect(t.log.join('\n')).toMatch(/ben@x.example's key SHA256:\S+: rsa 2048 bits is below the minimum of 3072/)
    expect(t.log.join('\n')).toMatch(/cid@x.example's key SHA256:\S+: shared with dee@x.example/)
    expect(t.log.join('\n')).toMatch(/fay@x.example.*not a member of the GitHub organisation/)
    expect(t.log.join('\n')).not.toContain('eli@')
    const sftp = await authorizedKeys({...t.options, serverUser: 'impress-sftp', cacheFile: `${t.options.cacheFile}.sftp`}, t.deps(1_000_000))
    expect(sftp.lines).toEqual([])
  })

  it('answers from the cache while fresh, from a stale cache within the bound when GitHub is down, then refuses', async () => {
    const t = setup()
    await authorizedKeys(t.options, t.deps(0))
    const asked = t.calls()
    const fresh = await authorizedKeys(t.options, t.deps(299_000))
    expect(fresh.source).toBe('cache')
    expect(t.calls()).toBe(asked)
    t.setDown(true)
    const stale = await authorizedKeys(t.options, t.deps(86_000_000))
    expect(stale.source).toBe('stale-cache')
    expect(stale.lines).toHaveLength(1)
    expect(t.log.at(-1)).toMatch(/GitHub did not answer \(cannot connect \(ECONNREFUSED\)\); serving 1 cached key/)
    await expect(authorizedKeys(t.options, t.deps(86_500_000))).rejects.toMatchObject({code: 'E_KEYS_UNAVAILABLE', exitCode: 1})
  })

  it('a roster edit invalidates the cache at once (a leaver is never served from it)', async () => {
    const t = setup()
    await authorizedKeys(t.options, t.deps(0))
    const edited = ROSTER.replace('{name: Ann, email: ann@x.example, role: developer,', '{name: Ann, email: ann@x.example, role: developer, status: left, left: 2026-02-01,')
    const settings = accessSettings(undefined)
    t.setDown(true)
    await expect(authorizedKeys({...t.options, loaded: parseRoster(edited, 'team.yaml'), cacheKey: keysCacheKey(Buffer.from(edited), settings)}, t.deps(1000))).rejects.toMatchObject({code: 'E_KEYS_UNAVAILABLE'})
  })

  it('an unmanaged server user gets no key', async () => {
    const t = setup()
    const r = await authorizedKeys({...t.options, serverUser: 'root'}, t.deps(0))
    expect(r).toMatchObject({account: null, lines: [], source: 'none'})
    expect(t.calls()).toBe(0)
  })

  it('fast path: reads only `[--config X] [--env E] USER` and short durations', () => {
    expect(parseFastArgs(['impress'])).toEqual({user: 'impress'})
    expect(parseFastArgs(['--config', '/etc/i.yaml', '--env=prod', 'impress'])).toEqual({user: 'impress', config: '/etc/i.yaml', env: 'prod'})
    expect(parseFastArgs(['impress', '--json'])).toBeUndefined()
    expect(parseFastArgs(['a', 'b'])).toBeUndefined()
    expect(parseFastArgs(['--config'])).toBeUndefined()
    expect(shortDurationMs('5m')).toBe(300_000)
    expect(shortDurationMs('24h')).toBe(86_400_000)
    expect(shortDurationMs('2 days')).toBeUndefined()
  })
})
