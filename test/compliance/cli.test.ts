// End-to-end: bin/run.js against an in-process sandbox (npm run build first).
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import AjvModule from 'ajv-draft-04'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {hasStackTrace, runCli} from '../helpers/cli.js'
import {getJson} from '../helpers/http.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import type {CloudflareState} from '../../src/lib/sandbox/services/cloudflare/seed.js'
import type {GithubState} from '../../src/lib/sandbox/services/github/seed.js'
import type {GoogleState} from '../../src/lib/sandbox/services/google/seed.js'
import type {IamState} from '../../src/lib/sandbox/services/iam/seed.js'
import {googleUser} from '../../src/lib/sandbox/services/google/seed.js'
import {BOB_RSA_3072, CAROL_RSA_3072} from '../../src/lib/sandbox/services/github/demo-keys.js'

let sb: TestSandbox
beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.0005})
})
afterAll(async () => sb.stop())
beforeEach(async () => {
  await fetch(`${sb.url}/_sandbox/reset`, {method: 'POST'})
})

const key = (f: {rule: string; service: string; member?: string; account?: string}) => `${f.rule} ${f.service} ${f.account}`

describe('impress compliance check (demo platform)', () => {
  it('finds exactly the seeded violations, exit 3; writes Markdown and schema-valid SARIF', async () => {
    const sarif = path.join(sb.cwd, 'out.sarif')
    const md = path.join(sb.cwd, 'audit.md')
    const r = await runCli(['compliance', 'check', '--json', '--sarif', sarif, '--report', md], {env: sb.env, cwd: sb.cwd})
    expect(r.exitCode).toBe(3)
    const doc = JSON.parse(r.stdout)
    expect(doc.findings.map(key).sort()).toEqual(
      [
        'duplicate-account cloudflare alice@impress.example, alice+ops@impress.example',
        // Rule edge-https-only (issue 16): the sandbox's deliberately misconfigured hostname.
        'edge-https-only edge impress-legacy.example',
        'exception-expired aws dave',
        'leaver-access auth0 eve@impress.example',
        'leaver-access aws eve',
        'leaver-access github eve-imp',
        'missing-account google bob@impress.example',
        'mfa-disabled auth0 carol@impress.example',
        'mfa-disabled aws dave',
        'mfa-disabled cloudflare carol@impress.example',
        'mfa-disabled github bob-imp',
        'root-mfa aws root',
        'unknown-account auth0 mallory@impress.example',
        'unknown-account aws temp-contractor',
        'unknown-account github mallory-x',
        'unknown-account google mallory@impress.example',
      ].sort(),
    )
    expect(doc.waived).toMatchObject([{rule: 'mfa-disabled', service: 'cloudflare', account: 'dave@impress.example'}])
    // Auth0 staff through the Auth0 emulation (issue 7): the impress-staff connection.
    expect(doc.services.find((s: {service: string}) => s.service === 'auth0')).toMatchObject({status: 'ok', accounts: 6})
    expect(doc.services.find((s: {service: string}) => s.service === 'aws').generatedAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(doc.summary).toMatchObject({members: 5, compliantMembers: 0, unknown: 0, bySeverity: {critical: 4, high: 9, medium: 3, low: 0}})
    expect(doc.edge).toEqual({hosts: 3})
    // Every service was asked, and concurrently-built requests match what pagination needs.
    const counts = (await getJson(`${sb.url}/_sandbox/requests`)).counts
    // The edge rule's own reads (zones, Pages) aside.
    for (const c of [counts.github, counts.cloudflare]) for (const op of Object.keys(c)) if (/^zones\.|^repos\/get-pages$/.test(op)) delete c[op]
    expect(counts.github).toEqual({'orgs/list-members': 2, 'orgs/list-outside-collaborators': 2})
    expect(counts.google).toEqual({'directory.users.list': 1})
    expect(counts.cloudflare).toEqual({'accounts.members.list': 1})
    expect(counts.iam).toMatchObject({ListUsers: 1, GetAccountSummary: 1, GetCredentialReport: 1, ListAccessKeys: 1})
    const schema = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'fixtures/sarif-schema-2.1.0.json'), 'utf8'))
    const Ajv = ((AjvModule as unknown as {default?: typeof AjvModule}).default ?? AjvModule) as unknown as new (o: object) => {compile(s: object): ((d: unknown) => boolean) & {errors?: unknown}}
    // Formats (uri, date-time) would need ajv-formats: the structure is what is validated here.
    const validate = new Ajv({allErrors: true, strict: false, unicodeRegExp: false, validateFormats: false}).compile(schema)
    const log = JSON.parse(fs.readFileSync(sarif, 'utf8'))
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true)
    expect(log.runs[0].results.length).toBe(16)
    const text = fs.readFileSync(md, 'utf8')
    expect(text).toContain('# IMPRESS access compliance report')
    expect(text).toContain('| critical | fail | root-mfa | aws |')
  })

  it('human output: the member × service matrix, findings and exit 3', async () => {
    const r = await runCli(['compliance', 'check'], {env: sb.env, cwd: sb.cwd})
    expect(r.exitCode).toBe(3)
    expect(r.stdout).toMatch(/^member\s+role\s+aws\s+github\s+cloudflare\s+google\s+auth0$/m)
    expect(r.stdout).toMatch(/^eve@impress\.example \(left\)\s+developer\s+FAIL\s+FAIL/m)
    expect(r.stdout).toMatch(/^carol@impress\.example\s+developer\s+-\s+ok\s+FAIL\s+ok\s+FAIL$/m)
    expect(r.stderr).toContain('exit 3')
  })

  it('an unreachable service is reported: exit 1, or the findings\' exit with --allow-unreachable', async () => {
    await fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({service: 'google', kind: 'error', status: 503})})
    const r = await runCli(['compliance', 'check', '--json'], {env: sb.env, cwd: sb.cwd})
    expect(r.exitCode).toBe(1)
    const doc = JSON.parse(r.stdout)
    expect(doc.services.find((s: {service: string}) => s.service === 'google')).toMatchObject({status: 'unreachable'})
    expect(doc.members[0].cells.google.status).toBe('not-checked')
    const allowed = await runCli(['compliance', 'check', '--allow-unreachable', '--fail-on', 'critical'], {env: sb.env, cwd: sb.cwd})
    expect(allowed.exitCode).toBe(3)
    expect(allowed.stdout).toMatch(/Google Workspace\s+unreachable/)
  })

  it('a fixed platform with a fixed roster passes: exit 0', async () => {
    const gh = sb.host.state.open<GithubState>('github', 'org', () => ({}) as GithubState).data
    gh.members = gh.members.filter((m) => m.login !== 'eve-imp').map((m) => ({...m, twoFactor: true}))
    gh.outsideCollaborators = []
    gh.keys['bob-imp'] = [{id: 1, key: BOB_RSA_3072}]
    gh.keys['carol-imp'] = [{id: 2, key: CAROL_RSA_3072}]
    gh.keys['dave-imp'] = gh.keys['dave-imp'].slice(0, 1)
    delete gh.keys['eve-imp']
    const iam = sb.host.state.open<IamState>('iam', 'account', () => ({}) as IamState).data
    iam.rootMfa = true
    iam.users = iam.users.filter((u) => !['eve', 'temp-contractor'].includes(u.UserName))
    iam.users.find((u) => u.UserName === 'dave')!.MFADevices = [{SerialNumber: 'arn:aws:iam::000000000000:mfa/dave', EnableDate: '2026-01-01T00:00:00Z'}]
    iam.report = undefined
    const cf = sb.host.state.open<CloudflareState>('cloudflare', 'accounts', () => ({}) as CloudflareState).data
    cf.accounts[0].members = cf.accounts[0].members.filter((m) => m.email !== 'alice+ops@impress.example').map((m) => ({...m, twoFactor: true}))
    const g = sb.host.state.open<GoogleState>('google', 'directory', () => ({}) as GoogleState).data
    g.users = g.users.filter((u) => u.primaryEmail !== 'mallory@impress.example')
    g.users.push(googleUser('bob@impress.example', true, 2))
    fs.writeFileSync(
      path.join(sb.cwd, 'team.yaml'),
      `members:
  - {name: Alice, email: alice@impress.example, role: admin, accounts: {github: alice-imp, aws: alice, cloudflare: alice@impress.example, google: alice@impress.example}}
  - {name: Bob, email: bob@impress.example, role: developer, accounts: {github: bob-imp, google: bob@impress.example}}
  - {name: Carol, email: carol@impress.example, role: developer, accounts: {github: carol-imp, cloudflare: carol@impress.example, google: carol@impress.example}}
  - {name: Dave, email: dave@impress.example, role: ops, accounts: {github: dave-imp, aws: dave, cloudflare: dave@impress.example, google: dave@impress.example}}
  - {name: Eve, email: eve@impress.example, role: developer, status: left, left: 2026-10-01, accounts: {google: eve@impress.example}}
serviceAccounts:
  - {name: deploy-bot, owner: dave@impress.example, accounts: {github: impress-deploy-bot, aws: ci-deploy}}
policy:
  required: {developer: [github, google], ops: [aws, github, cloudflare, google], admin: [aws, github, cloudflare, google]}
`,
    )
    fs.writeFileSync(
      path.join(sb.cwd, 'impress.config.yaml'),
      `environments:
  sb:
    sandbox: {url: "${sb.url}"}
    aws: {region: eu-west-1}
    compliance: {roster: ./team.yaml, github: {org: impress}, cloudflare: {accountId: 9a7806061c88ada191ed06f989cc3dac}, google: {}}
`,
    )
    const r = await runCli(['compliance', 'check', '--json'], {env: sb.env, cwd: sb.cwd})
    expect(r.stderr).not.toContain('Error')
    expect(r.exitCode).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc.findings).toEqual([])
    expect(doc.summary.compliantMembers).toBe(5)
    const keys = await runCli(['compliance', 'keys', '--json'], {env: sb.env, cwd: sb.cwd})
    expect(keys.exitCode).toBe(0)
    expect(JSON.parse(keys.stdout).findings).toEqual([])
  })

  it('a token without owner rights: GitHub 2FA is unknown (never a pass), reported with the missing permission', async () => {
    fs.writeFileSync(
      path.join(sb.cwd, 'impress.config.yaml'),
      `environments:\n  sb:\n    sandbox: {url: "${sb.url}"}\n    compliance: {roster: ./team.yaml, aws: false, github: {org: impress, token: ghp_sandboxmember}}\n`,
    )
    fs.writeFileSync(path.join(sb.cwd, 'team.yaml'), 'members:\n  - {name: Alice, email: alice@impress.example, role: developer, accounts: {github: alice-imp}}\n')
    const r = await runCli(['compliance', 'check', '--json'], {env: sb.env, cwd: sb.cwd})
    expect(r.exitCode).toBe(3)
    const doc = JSON.parse(r.stdout)
    const alice = doc.findings.filter((f: {member?: string}) => f.member === 'alice@impress.example')
    expect(alice).toMatchObject([{rule: 'mfa-disabled', outcome: 'unknown', missingPermission: expect.stringMatching(/owner/)}])
    expect(doc.members[0]).toMatchObject({compliant: false, cells: {github: {status: 'unknown'}, aws: {status: 'not-checked'}}})
    expect(doc.services.find((s: {service: string}) => s.service === 'aws')).toMatchObject({status: 'not-configured'})
    fs.rmSync(path.join(sb.cwd, 'impress.config.yaml'))
  })

  it('a service that refuses the credentials is an error (exit 1) even with --allow-unreachable', async () => {
    fs.writeFileSync(
      path.join(sb.cwd, 'impress.config.yaml'),
      `environments:\n  sb:\n    sandbox: {url: "${sb.url}"}\n    compliance: {roster: ./team.yaml, aws: false, cloudflare: {accountId: 9a7806061c88ada191ed06f989cc3dac, token: not-a-token}}\n`,
    )
    fs.writeFileSync(path.join(sb.cwd, 'team.yaml'), 'members:\n  - {name: Alice, email: alice@impress.example, role: developer, accounts: {cloudflare: alice@impress.example}}\n')
    const r = await runCli(['compliance', 'check', '--allow-unreachable'], {env: sb.env, cwd: sb.cwd})
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toMatch(/Cloudflare\s+error\s+0\s+live\s+HTTP 403: .*Authentication error/)
    expect(r.stdout).not.toContain('not-a-token')
    expect(r.stderr).toContain('Refused: cloudflare')
    fs.rmSync(path.join(sb.cwd, 'impress.config.yaml'))
  })

  it('a malformed roster exits 2 naming the line, without a stack trace', async () => {
    fs.writeFileSync(path.join(sb.cwd, 'team.yaml'), 'members:\n  - name: Zed\n    email: zed@impress.example\n    role: intern\n')
    fs.writeFileSync(path.join(sb.cwd, 'impress.config.yaml'), `environments:\n  sb:\n    sandbox: {url: "${sb.url}"}\n    compliance: {roster: ./team.yaml}\n`)
    const r = await runCli(['compliance', 'check'], {env: sb.env, cwd: sb.cwd})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/team\.yaml:4: members\.0\.role/)
    expect(hasStackTrace(r.stderr)).toBe(false)
    fs.rmSync(path.join(sb.cwd, 'impress.config.yaml'))
    fs.rmSync(path.join(sb.cwd, 'team.yaml'))
  })
})

describe('impress compliance keys', () => {
  it('GitHub keys of the demo team: the seeded key violations, fingerprints only, exit 3', async () => {
    const r = await runCli(['compliance', 'keys', '--json'], {env: sb.env, cwd: sb.cwd})
    expect(r.exitCode).toBe(3)
    const doc = JSON.parse(r.stdout)
    expect(doc.findings.map((f: {rule: string; member: string}) => `${f.rule} ${f.member}`).sort()).toEqual(
      ['key-count dave@impress.example', 'key-shared alice@impress.example', 'key-shared carol@impress.example', 'key-type bob@impress.example', 'key-type dave@impress.example', 'leaver-key eve@impress.example'].sort(),
    )
    expect(r.stdout).not.toContain('AAAA')
    expect(r.stdout).toContain('SHA256:')
  })

  it('--local: a passphrase-less key fails, an encrypted RSA 3072 key passes; no key material printed', async () => {
    const dir = path.join(sb.cwd, 'keys')
    fs.mkdirSync(dir, {recursive: true})
    execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '3072', '-N', '', '-f', path.join(dir, 'id_plain')])
    execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '3072', '-N', 'correct horse battery', '-f', path.join(dir, 'id_locked')])
    const plain = await runCli(['compliance', 'keys', '--local', path.join(dir, 'id_plain'), '--json'], {env: sb.env, cwd: sb.cwd})
    expect(plain.exitCode).toBe(3)
    expect(JSON.parse(plain.stdout).findings.map((f: {rule: string}) => f.rule)).toEqual(['key-unencrypted'])
    const locked = await runCli(['compliance', 'keys', '--local', path.join(dir, 'id_locked')], {env: sb.env, cwd: sb.cwd})
    expect(locked.exitCode).toBe(0)
    expect(locked.stdout).toMatch(/id_locked\s+yes\s+rsa-3072\s+SHA256:/)
    const privateBody = fs.readFileSync(path.join(dir, 'id_plain'), 'utf8').split('\n')[1]
    expect(plain.stdout + locked.stdout).not.toContain(privateBody)
    expect(plain.stdout).not.toContain('BEGIN')
  })
})
