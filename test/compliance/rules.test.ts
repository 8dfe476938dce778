import fc from 'fast-check'
import type {z} from 'zod'
import {describe, expect, it} from 'vitest'
import {evaluate, type ServiceInput} from '../../src/lib/compliance/rules.js'
import {parseRoster, rosterSchema, type Roster} from '../../src/lib/compliance/roster.js'
import {demoRosterYaml} from '../../src/lib/compliance/demo-roster.js'
import {runComplianceCheck} from '../../src/lib/compliance/check.js'
import {auth0StaffSource} from '../../src/lib/compliance/auth0-staff.js'
import {githubKeyFindings} from '../../src/lib/compliance/keys.js'
import type {ServiceAccount, ServiceId} from '../../src/lib/compliance/types.js'

const TODAY = '2026-11-23'
const roster = (r: z.input<typeof rosterSchema>): Roster => rosterSchema.parse(r)
const acc = (id: string, mfa: ServiceAccount['mfa'] = true, active = true): ServiceAccount => ({id, mfa, active})
const svc = (service: ServiceId, accounts: ServiceAccount[], extra: object = {}): ServiceInput => ({status: 'ok', snapshot: {service, accounts, ...extra}})
const dev = (name: string, accounts: Partial<Record<ServiceId, string | string[]>> = {}, extra: object = {}) => ({name, email: `${name}@x.example`, role: 'developer' as const, accounts, ...extra})

describe('compliance rules', () => {
  it('mfa-disabled fails, passes, and is unknown (never a pass) with the missing permission', () => {
    const r = roster({members: [dev('a', {github: 'a'}), dev('b', {github: 'b'}), dev('c', {github: 'c'})]})
    const e = evaluate({roster: r, today: TODAY, services: {github: svc('github', [acc('a'), acc('b', false), {...acc('c', null), mfaUnknownReason: 'owner rights'}])}})
    const rules = e.findings.map((f) => [f.rule, f.outcome, f.account])
    expect(rules).toContainEqual(['mfa-disabled', 'fail', 'b'])
    expect(rules).toContainEqual(['mfa-disabled', 'unknown', 'c'])
    expect(e.findings.find((f) => f.account === 'c')!.missingPermission).toBe('owner rights')
    // three 'has the account' passes and one 2FA pass (a); c's unknown is not among them
    expect(e.passed.github).toBe(4)
    expect(e.members.map((m) => [m.email, m.compliant, m.cells.github.status])).toEqual([
      ['a@x.example', true, 'pass'],
      ['b@x.example', false, 'fail'],
      ['c@x.example', false, 'unknown'],
    ])
  })

  it('unknown-account, missing-account (role needs it), duplicate-account (roster list or +alias), service accounts exempt from 2FA', () => {
    const r = roster({
      members: [dev('a', {google: 'a@x.example'}), dev('b'), {...dev('c'), role: 'ops'}],
      serviceAccounts: [{name: 'bot', owner: 'a@x.example', accounts: {google: 'bot@x.example'}}],
    })
    const e = evaluate({roster: r, today: TODAY, services: {google: svc('google', [acc('a@x.example'), acc('a+old@x.example'), acc('bot@x.example', false), acc('z@x.example'), acc('gone@x.example', false, false)])}})
    const by = (rule: string) => e.findings.filter((f) => f.rule === rule).map((f) => f.member ?? f.account)
    expect(by('unknown-account')).toEqual(['z@x.example'])
    expect(by('missing-account').sort()).toEqual(['b@x.example', 'c@x.example'])
    expect(by('duplicate-account')).toEqual(['a@x.example'])
    expect(by('mfa-disabled')).toEqual([])
  })

  it('leaver-access for any live account, none for a suspended one; root-mfa', () => {
    const r = roster({members: [dev('l', {aws: 'l', google: 'l@x.example'}, {status: 'left', left: '2026-01-01'})]})
    const e = evaluate({
      roster: r,
      today: TODAY,
      services: {aws: svc('aws', [{...acc('l', 'n/a'), notes: ['access key AKIA1 active']}], {root: {mfa: false}}), google: svc('google', [acc('l@x.example', true, false)])},
    })
    expect(e.findings.map((f) => [f.rule, f.service, f.severity]).sort()).toEqual([
      ['leaver-access', 'aws', 'critical'],
      ['root-mfa', 'aws', 'critical'],
    ])
    expect(e.findings.find((f) => f.rule === 'leaver-access')!.message).toContain('AKIA1')
  })

  it('a current exception waives; an expired one waives nothing and is a finding', () => {
    const base = {members: [dev('a', {github: 'a'}), dev('b', {github: 'b'})]}
    const exceptions = [
      {rule: 'mfa-disabled' as const, service: 'github' as const, account: 'a', reason: 'key on order', expires: '2026-12-31'},
      {rule: 'mfa-disabled' as const, service: 'github' as const, account: 'b', reason: 'old waiver', expires: '2026-11-22'},
    ]
    const e = evaluate({roster: roster({...base, exceptions}), today: TODAY, services: {github: svc('github', [acc('a', false), acc('b', false)])}})
    expect(e.waived.map((w) => w.account)).toEqual(['a'])
    expect(e.findings.map((f) => [f.rule, f.account]).sort()).toEqual([
      ['exception-expired', 'b'],
      ['mfa-disabled', 'b'],
    ])
    expect(e.members[0].cells.github.status).toBe('waived')
  })

  it('a service not checked leaves cells "not-checked", never pass', () => {
    const e = evaluate({roster: roster({members: [dev('a', {github: 'a'})]}), today: TODAY, services: {github: {status: 'unreachable'}}})
    expect(e.members[0].cells.github.status).toBe('not-checked')
    expect(e.passed.github).toBe(0)
  })

  it('property: a member is compliant iff no finding names them, and iff an independent oracle says so; unknown is never a pass', () => {
    const names = ['m0', 'm1', 'm2', 'm3']
    const memberArb = fc.record({left: fc.boolean(), role: fc.constantFrom('developer', 'ops', 'admin' as const)})
    const accountArb = fc.record({owner: fc.integer({min: 0, max: 5}), mfa: fc.constantFrom(true, false, null), active: fc.boolean()})
    fc.assert(
      fc.property(fc.tuple(memberArb, memberArb, memberArb, memberArb), fc.array(accountArb, {maxLength: 10}), (ms, accounts) => {
        const members = ms.map((m, i) => ({name: names[i], email: `${names[i]}@x.example`, role: m.role, ...(m.left ? {status: 'left' as const, left: '2026-01-01'} : {}), accounts: {}}))
        // GitHub only is required by every role here; ids m0..m3 belong to members, 4..5 to nobody.
        const r = roster({members, policy: {required: {developer: ['github'], ops: ['github'], admin: ['github']}}})
        const gh = accounts.map((a, i) => ({id: a.owner < 4 ? `${names[a.owner]}@x.example` : `stranger${a.owner}-${i}`, mfa: a.mfa, active: a.active}))
        const e = evaluate({roster: r, today: TODAY, services: {github: svc('github', gh)}})
        for (const [i, m] of members.entries()) {
          const mine = gh.filter((a) => a.id === m.email && a.active)
          const oracle = ms[i].left ? mine.length === 0 : mine.length === 1 && mine.every((a) => a.mfa === true)
          const named = e.findings.some((f) => f.member === m.email)
          const summary = e.members[i]
          expect(summary.compliant).toBe(!named)
          expect(summary.compliant).toBe(oracle)
          if (mine.some((a) => a.mfa === null) && !ms[i].left) expect(summary.compliant).toBe(false)
        }
        const unknowns = gh.filter((a) => a.active && a.mfa === null && members.some((m, i) => m.email === a.id && !ms[i].left)).length
        expect(e.findings.filter((f) => f.outcome === 'unknown').length).toBe(unknowns)
        expect(e.passed.github).toBeLessThanOrEqual(gh.length * 2 - unknowns)
      }),
      {numRuns: 300},
    )
  })
})

describe('roster', () => {
  it('the demo roster parses and records member lines', () => {
    const l = parseRoster(demoRosterYaml(new Date('2026-11-23T00:00:00Z')), 'team.yaml')
    expect(l.roster.members.map((m) => m.email)).toContain('eve@impress.example')
    expect(l.memberLines['alice@impress.example']).toBe(3)
  })

  it('a malformed roster names the line and the path (UsageError, exit 2)', () => {
    const text = 'members:\n  - name: A\n    email: a@x.example\n    role: wizard\n'
    expect(() => parseRoster(text, 'team.yaml')).toThrow(/team\.yaml:4: members\.0\.role/)
    // Asserted whether or not it throws: a parse that accepted the bad email would fail here.
    expect(() => parseRoster('members:\n  - name: A\n    email: not-an-email\n    role: ops\n', 'team.yaml')).toThrow(expect.objectContaining({exitCode: 2, message: expect.stringMatching(/team\.yaml:3: members\.0\.email/)}))
    expect(() => parseRoster('members:\n  - name: A\n    email: a@x.example\n    role: ops\n    status: left\n', 'team.yaml')).toThrow(/left/)
  })
})

describe('check capability', () => {
  it('runs sources concurrently, reports unreachable (exit 1 or 3 with allow) and not-configured (never pass)', async () => {
    const loaded = parseRoster('members:\n  - {name: A, email: a@x.example, role: developer, accounts: {github: a}}\n', 'team.yaml')
    let running = 0
    let peak = 0
    const slow = (service: ServiceId, accounts: ServiceAccount[]) => ({
      service,
      async snapshot() {
        running++
        peak = Math.max(peak, running)
        await new Promise((r) => setTimeout(r, 30))
        running--
        return {service, accounts}
      },
    })
    const down = {service: 'google' as const, snapshot: async () => Promise.reject(Object.assign(new Error('fetch failed'), {cause: {code: 'ECONNREFUSED'}}))}
    const deps = {sources: {github: slow('github', [acc('a', false)]), cloudflare: slow('cloudflare', []), google: down}, notConfigured: {auth0: 'no auth0 section'}}
    const r = await runComplianceCheck({loaded, failOn: 'high', allowUnreachable: false}, deps)
    expect(peak).toBe(2)
    expect(r.exitCode).toBe(1)
    expect(r.services.find((s) => s.service === 'google')).toMatchObject({status: 'unreachable', error: 'cannot connect (ECONNREFUSED)'})
    expect(r.services.find((s) => s.service === 'auth0')).toMatchObject({status: 'not-configured', notes: ['no auth0 section']})
    expect(r.members[0].cells.auth0.status).toBe('not-checked')
    const allowed = await runComplianceCheck({loaded, failOn: 'high', allowUnreachable: true}, deps)
    expect(allowed.exitCode).toBe(3)
    const critical = await runComplianceCheck({loaded, failOn: 'critical', allowUnreachable: true}, deps)
    expect(critical.exitCode).toBe(0)
    // A refusal (bad token) is not "unreachable": it fails the check even with --allow-unreachable.
    const refusing = {service: 'google' as const, snapshot: async () => Promise.reject(Object.assign(new Error('Request had invalid authentication credentials'), {status: 401}))}
    const refused = await runComplianceCheck({loaded, failOn: 'critical', allowUnreachable: true}, {...deps, sources: {...deps.sources, google: refusing}})
    expect(refused.services.find((s) => s.service === 'google')).toMatchObject({status: 'error', error: 'HTTP 401: Request had invalid authentication credentials'})
    expect(refused.summary.refused).toEqual(['google'])
    expect(refused.exitCode).toBe(1)
  })

  it('Auth0 staff source: MFA from authentication methods (a password alone is not a factor)', async () => {
    const port = {
      staffUsers: async () => [
        {user_id: 'auth0|1', email: 'a@x.example'},
        {user_id: 'auth0|2', email: 'c@x.example'},
      ],
      authenticationMethods: async (id: string) => (id === 'auth0|1' ? [{type: 'password'}, {type: 'totp', confirmed: true}] : [{type: 'password'}]),
    }
    const snap = await auth0StaffSource(port).snapshot({leavers: []})
    expect(snap.accounts.map((a) => [a.id, a.mfa])).toEqual([
      ['a@x.example', true],
      ['c@x.example', false],
    ])
  })
})

describe('team.yaml JSON Schema', () => {
  it('schema/team.schema.json is generated from the zod schema (run `npm run build && npm run schema` when it changes)', async () => {
    const fs = await import('node:fs')
    const {rosterJsonSchema} = await import('../../src/lib/compliance/roster.js')
    const onDisk = JSON.parse(fs.readFileSync(new URL('../../schema/team.schema.json', import.meta.url), 'utf8'))
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(rosterJsonSchema())))
    expect(onDisk.properties.members.items.required).toEqual(expect.arrayContaining(['name', 'email', 'role']))
  })
})

describe('roster parsing never fails with anything but a usage error', () => {
  it('property: any text gives a roster or a UsageError (exit 2)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom('*!', 'members: *x', 'members:\n  - &a {name: A}\n  - *a\n', '[')), (text) => {
        try {
          parseRoster(text, 'team.yaml')
        } catch (error) {
          expect((error as {exitCode?: number}).exitCode).toBe(2)
        }
      }),
      {numRuns: 300},
    )
  })
})

describe('Auth0 staff port over fetch (Management API v2 shapes)', () => {
  it('gets a client-credentials token, pages users of the staff connection, reads authentication methods', async () => {
    const calls: string[] = []
    const users = [
      {user_id: 'auth0|1', email: 'alice@impress.example'},
      {user_id: 'auth0|2', email: 'carol@impress.example'},
    ]
    const fakeFetch = (async (input: string | URL, init?: RequestInit) => {
      const url = new URL(String(input))
      const page = url.searchParams.get('page')
      calls.push(`${init?.method ?? 'GET'} ${url.pathname}${page === null ? '' : ` page=${page}`}`)
      if (url.pathname === '/oauth/token') {
        expect(JSON.parse(String(init?.body))).toMatchObject({grant_type: 'client_credentials', client_id: 'id', audience: 'https://t.example/api/v2/'})
        return Response.json({access_token: 'tok'})
      }
      expect(new Headers(init?.headers).get('authorization')).toBe('Bearer tok')
      if (url.pathname === '/api/v2/users') {
        expect(url.searchParams.get('q')).toBe('identities.connection:"impress-staff"')
        return Response.json({users: users.slice(Number(page), Number(page) + 1), total: users.length})
      }
      const id = decodeURIComponent(url.pathname.split('/')[4])
      return Response.json(id === 'auth0|1' ? [{type: 'totp', confirmed: true}] : [{type: 'password'}])
    }) as typeof fetch
    const {fetchAuth0StaffPort} = await import('../../src/lib/platform/auth0/staff.js')
    const port = fetchAuth0StaffPort({baseUrl: 'https://t.example', clientId: 'id', clientSecret: 's', connection: 'impress-staff', fetch: fakeFetch})
    const snap = await auth0StaffSource(port).snapshot({leavers: []})
    expect(snap.accounts.map((a) => [a.id, a.mfa])).toEqual([
      ['alice@impress.example', true],
      ['carol@impress.example', false],
    ])
    expect(calls.slice(0, 3)).toEqual(['POST /oauth/token', 'GET /api/v2/users page=0', 'GET /api/v2/users page=1'])
    expect(calls.filter((c) => c.endsWith('/authentication-methods')).sort()).toEqual(['GET /api/v2/users/auth0%7C1/authentication-methods', 'GET /api/v2/users/auth0%7C2/authentication-methods'])
  })
})

describe('leaver-key', () => {
  const loaded = parseRoster(demoRosterYaml(new Date('2026-11-23T00:00:00Z')), 'team.yaml')
  const eve = loaded.roster.members.find((m) => m.email === 'eve@impress.example')!
  const login = [eve.accounts.github].flat()[0] as string
  const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl'
  const port = (members?: string[]) => ({
    userKeys: async (l: string) => (l === login ? [{id: 1, key: KEY}] : []),
    ...(members ? {orgMemberLogins: async () => new Set(members)} : {}),
  })
  const leaverFindings = async (members?: string[]) => (await githubKeyFindings(loaded, port(members))).findings.filter((f) => f.rule === 'leaver-key')

  it("flags a leaver's keys while the login is in the organisation, or when membership cannot be told", async () => {
    expect((await leaverFindings([login.toLowerCase()])).map((f) => f.message)).toEqual([expect.stringMatching(new RegExp(`^eve@impress\\.example has left but GitHub user ${login} is still in the organisation and still has 1 key\\(s\\): SHA256:`))])
    expect(await leaverFindings(undefined)).toHaveLength(1)
  })

  it('once the login is out of the organisation its keys open nothing: no finding', async () => {
    expect(await leaverFindings(['alice-imp'])).toEqual([])
  })
})
