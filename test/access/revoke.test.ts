/**
 * `impress access revoke` end to end (bin/run.js) against an in-process sandbox: one plan across
 * the five services, one write per grant (the sandbox's request counts), a failing service that
 * leaves the member partly revoked and a rerun that finishes without repeating a done step, and
 * the guard rails and bad input.
 */
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {demoCloudflare, cloudflareMember, CLOUDFLARE_SANDBOX_ACCOUNT, type CloudflareState} from '../../src/lib/sandbox/services/cloudflare/seed.js'
import {demoGoogle, type GoogleState} from '../../src/lib/sandbox/services/google/seed.js'
import {runCli} from '../helpers/cli.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

const WRITES = ['iam/DeleteAccessKey', 'iam/DeleteLoginProfile', 'iam/DeactivateMFADevice', 'iam/DeleteUser', 'github/orgs/remove-member', 'github/orgs/remove-outside-collaborator', 'cloudflare/accounts.members.delete', 'google/directory.users.update', 'auth0/PATCH /users/{id}']

describe('access revoke', () => {
  let sb: TestSandbox
  const cli = (...args: string[]) => runCli(['access', 'revoke', ...args], {env: sb.env, cwd: sb.cwd})
  const writes = () => {
    const {counts} = sb.host.requests.snapshot(false)
    return Object.fromEntries(WRITES.map((w) => [w, counts[w.split('/')[0]]?.[w.slice(w.indexOf('/') + 1)] ?? 0]).filter(([, n]) => n !== 0))
  }

  beforeAll(async () => {
    sb = await startTestSandbox()
    // eve (the demo leaver) holds something on all five services: a Cloudflare membership and an active Google user too.
    const cf = sb.host.state.open<CloudflareState>('cloudflare', 'accounts', demoCloudflare)
    cf.data.accounts.find((a) => a.id === CLOUDFLARE_SANDBOX_ACCOUNT)!.members.push(cloudflareMember('eve@impress.example', true, 50, 'Analytics'))
    cf.save()
    const g = sb.host.state.open<GoogleState>('google', 'directory', demoGoogle)
    g.data.users.find((u) => u.primaryEmail === 'eve@impress.example')!.suspended = false
    g.save()
  }, 60_000)
  afterAll(async () => sb?.stop())

  it('refuses without a leaver mark, for the last admin, for too many members; bad input exits 2', async () => {
    const bob = await cli('bob@impress.example', '--yes')
    expect(bob.exitCode).toBe(4)
    expect(bob.stderr).toContain('is not marked as a leaver')
    const alice = await cli('alice@impress.example', '--force', '--reason', 'test', '--yes', '--json')
    expect(alice.exitCode).toBe(4)
    expect(JSON.parse(alice.stdout).error.code).toBe('E_LAST_ADMIN')
    const two = await cli('eve@impress.example', 'bob-imp', '--yes', '--json')
    expect(two.exitCode).toBe(4)
    expect(JSON.parse(two.stdout).error.code).toBe('E_TOO_MANY_REVOCATIONS')
    const unknown = await cli('zed@impress.example', '--yes')
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr).toMatch(/No member "zed@impress.example"[\s\S]*Hint:/)
    const noTty = await cli('eve@impress.example')
    expect(noTty.exitCode).toBe(4)
    expect(noTty.stderr).toContain('Revocation plan for Eve Laurent')
    expect(writes()).toEqual({})
  }, 240_000)

  it('a failing service leaves the member partly revoked (exit 1); the rerun finishes without repeating a done step', async () => {
    const dry = await cli('eve', '--dry-run', '--json')
    expect(dry.exitCode, dry.stderr).toBe(0)
    const plan = JSON.parse(dry.stdout).results[0].plan
    const grants = plan.services.flatMap((s: {grants: {service: string; kind: string}[]}) => s.grants.map((g) => `${g.service}:${g.kind}`))
    expect(grants.sort()).toEqual(['auth0:staff-user', 'aws:access-key', 'aws:access-key', 'aws:user', 'cloudflare:account-member', 'github:org-member', 'google:user'])
    expect(writes()).toEqual({})

    sb.host.faults.add({service: 'cloudflare', operation: 'accounts.members.delete', kind: 'error', status: 403, times: 1})
    const first = await cli('eve@impress.example', '--yes', '--json')
    expect(first.exitCode, first.stderr).toBe(1)
    const r1 = JSON.parse(first.stdout).results[0]
    expect(r1.status).toBe('partly-revoked')
    expect(r1.remaining.map((f: {service: string; rule: string}) => `${f.service}:${f.rule}`)).toEqual(['cloudflare:leaver-access'])
    expect(first.stderr).toMatch(/✗ Cloudflare: remove account member eve@impress.example .* HTTP 403/)

    const second = await cli('eve@impress.example', '--yes', '--json')
    expect(second.exitCode, second.stderr).toBe(0)
    const r2 = JSON.parse(second.stdout).results[0]
    expect(r2.status).toBe('revoked')
    expect(r2.steps.map((s: {grant: {service: string}; status: string}) => `${s.grant.service}:${s.status}`)).toEqual(['cloudflare:done'])
    // One plan, one write per grant: seven grants, seven successful writes (plus the refused Cloudflare try).
    expect(writes()).toEqual({'iam/DeleteAccessKey': 2, 'iam/DeleteUser': 1, 'github/orgs/remove-member': 1, 'cloudflare/accounts.members.delete': 2, 'google/directory.users.update': 1, 'auth0/PATCH /users/{id}': 1})
    const journals = fs.readdirSync(path.join(sb.home, 'data', 'sandbox', 'journals', 'access-revoke'))
    expect(journals).toHaveLength(1)

    const third = await cli('eve@impress.example', '--yes', '--json')
    expect(third.exitCode).toBe(0)
    expect(JSON.parse(third.stdout).results[0].status).toBe('nothing-to-revoke')
    expect(writes()['iam/DeleteAccessKey']).toBe(2)
    const audit = fs.readFileSync(path.join(sb.home, 'audit.jsonl'), 'utf8')
    expect(audit).toContain('"command":"access revoke"')
  }, 300_000)

  it('a roster that does not parse is bad input (exit 2)', async () => {
    fs.writeFileSync(path.join(sb.home, 'workspace', 'team.yaml'), 'members:\n  - name: x\n    email: not-an-email\n    role: developer\n')
    const r = await cli('x', '--yes')
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/team\.yaml:\d+/)
  }, 60_000)
})
