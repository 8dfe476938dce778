/** The revocation capability on fake writers: self-revocation warning, journal resume, unreadable service. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import type {AccessWriter, Grant} from '../../src/lib/access/ports.js'
import {runRevoke} from '../../src/lib/access/revoke.js'
import {parseRoster} from '../../src/lib/compliance/roster.js'

const loaded = parseRoster(
  `members:
  - {name: Ops, email: ops@x.example, role: admin, status: left, left: 2026-11-30, accounts: {github: ops, aws: ops}}
  - {name: Boss, email: boss@x.example, role: admin, accounts: {github: boss}}
policy: {}
`,
  'team.yaml',
)

function fakeWriter(service: 'github' | 'aws', held: Record<string, string[]>, options: {failOn?: string; self?: string; admins?: string[]} = {}) {
  const writes: string[] = []
  const w: AccessWriter = {
    service,
    async grants(account) {
      return (held[account] ?? []).map((kind): Grant => ({service, account, kind, id: `${account}-${kind}`, action: `remove ${kind}`}))
    },
    async revoke(g) {
      if (options.failOn === g.kind) throw Object.assign(new Error('boom'), {status: 500})
      writes.push(g.kind)
      held[g.account] = (held[g.account] ?? []).filter((k) => k !== g.kind)
    },
    ...(options.admins ? {admins: async () => options.admins} : {}),
    ...(options.self ? {self: async () => options.self} : {}),
  }
  return {w, writes}
}

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, {recursive: true, force: true})))

describe('access revoke (capability)', () => {
  it('warns before confirming when the plan removes the caller\'s own access', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-revoke-'))
    dirs.push(dataDir)
    const gh = fakeWriter('github', {ops: ['org-member']}, {admins: ['ops', 'boss']})
    const shown: string[][] = []
    const [r] = await runRevoke({loaded, members: ['ops@x.example'], maxRevocations: 1}, {writers: {github: gh.w}, notConfigured: {aws: 'off'}, self: async () => ({github: 'ops'})}, {dataDir, dryRun: true, show: (p) => shown.push(p.warnings), confirm: async () => {}})
    expect(r.status).toBe('planned')
    expect(shown[0][0]).toBe('This removes YOUR OWN access: the GitHub account ops these credentials act as.')
    expect(gh.writes).toEqual([])
  })

  it('a failed step stops its service only; the rerun resumes the journal and skips what is done', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-revoke-'))
    dirs.push(dataDir)
    const held = {ops: ['access-key', 'login-profile', 'user']}
    const aws = fakeWriter('aws', held, {failOn: 'login-profile'})
    const gh = fakeWriter('github', {ops: ['org-member']})
    const hooks = {dataDir, dryRun: false, show: () => {}, confirm: async () => {}}
    const [first] = await runRevoke({loaded, members: ['ops'], maxRevocations: 1}, {writers: {aws: aws.w, github: gh.w}, notConfigured: {}}, hooks)
    expect(first.status).toBe('partly-revoked')
    expect(first.steps.map((s) => `${s.grant.kind}:${s.status}`)).toEqual(['access-key:done', 'login-profile:failed', 'user:not-run', 'org-member:done'])
    expect(first.remaining.map((f) => `${f.service}:${f.rule}`)).toEqual(['aws:leaver-access'])

    const fixed = fakeWriter('aws', held)
    const [second] = await runRevoke({loaded, members: ['ops'], maxRevocations: 1}, {writers: {aws: fixed.w, github: gh.w}, notConfigured: {}}, hooks)
    expect(second.status).toBe('revoked')
    expect(fixed.writes).toEqual(['login-profile', 'user'])
    expect(second.journal).toBe(first.journal)
    const journal = JSON.parse(fs.readFileSync(second.journal!, 'utf8'))
    expect(journal.status).toBe('done')
    expect(journal.steps.map((s: {name: string; status: string}) => `${s.name}:${s.status}`)).toEqual(['aws/access-key/ops/ops-access-key:done', 'aws/login-profile/ops/ops-login-profile:done', 'github/org-member/ops/ops-org-member:done', 'aws/user/ops/ops-user:done'])
  })

  it('a service that cannot be read is in the plan as such and leaves the member partly revoked', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-revoke-'))
    dirs.push(dataDir)
    const broken: AccessWriter = {service: 'aws', grants: async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), {code: 'ECONNREFUSED'})), revoke: async () => {}}
    const gh = fakeWriter('github', {ops: ['org-member']})
    const [r] = await runRevoke({loaded, members: ['ops'], maxRevocations: 1}, {writers: {aws: broken, github: gh.w}, notConfigured: {}}, {dataDir, dryRun: false, show: () => {}, confirm: async () => {}})
    expect(r.plan.warnings).toContain('AWS IAM could not be read (cannot connect (ECONNREFUSED)): its grants are not in this plan.')
    expect(r.status).toBe('partly-revoked')
    expect(gh.writes).toEqual(['org-member'])
  })
})
