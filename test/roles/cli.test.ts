/** End to end: bin/run.js against an in-process sandbox (export, edit, plan, apply, rotate). */
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {SANDBOX_AUTH0_DOMAIN as DOMAIN, seedTenant, type TenantState} from '../../src/lib/sandbox/services/auth0/seed.js'
import {hasStackTrace, runCli} from '../helpers/cli.js'
import {getJson} from '../helpers/http.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

let sb: TestSandbox
let rolesFile: string
const cli = (args: string[]) => runCli(args, {env: sb.env, cwd: sb.cwd})
const tenant = () => sb.host.state.open<TenantState>('auth0', DOMAIN, () => seedTenant(DOMAIN)).data
const counts = async () => (await getJson(`${sb.url}/_sandbox/requests?service=auth0`)).counts.auth0 ?? {}
const resetCounts = () => fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})
const fault = (body: Record<string, unknown>) => fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)})
const mutations = (c: Record<string, number>) => Object.entries(c).filter(([op]) => !op.startsWith('GET') && op !== 'POST /oauth/token')

beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.0005})
  rolesFile = path.join(sb.home, 'workspace', 'roles.yaml')
})
afterAll(async () => sb?.stop())

describe('impress roles (end to end)', () => {
  it('plan --exit-code shows the seeded drift grouped, and exits 3', async () => {
    const r = await cli(['roles', 'plan', '--exit-code'])
    expect(r.exitCode).toBe(3)
    expect(r.stderr).toContain("Wrote the sandbox's roles file")
    expect(r.stdout).toMatch(/^Roles\n {2}\+ create pdf-writer\n {2}~ update message-writer/m)
    expect(r.stdout).toContain('- compute-reader  read:results')
    expect(r.stdout).toContain('Users missing the default role USER (5)')
    expect(r.stdout).toContain('- request-reader  user024@impress.example  (expired 2025-06-30)')
    expect(r.stderr).toMatch(/^Error: The Auth0 tenant differs from .*roles\.yaml \(16 change\(s\)\)\.$/m)
    const j = await cli(['roles', 'plan', '--json', '--exit-code'])
    expect(j.exitCode).toBe(3)
    const doc = JSON.parse(j.stdout)
    expect(Object.keys(doc).sort()).toEqual(['drift', 'file', 'plan', 'summary', 'violations'])
    expect(doc.plan.missingDefault.map((m: {email: string}) => m.email)).toEqual(['user017@impress.example', 'user058@impress.example', 'user103@impress.example', 'user144@impress.example', 'user191@impress.example'])
    expect(doc.plan.expiredGrants).toHaveLength(3)
    expect(doc.violations).toEqual([])
  })

  it('apply refuses without --yes off a terminal and changes nothing with --dry-run', async () => {
    await resetCounts()
    const noYes = await cli(['roles', 'apply'])
    expect(noYes.exitCode).toBe(4)
    const dry = await cli(['roles', 'apply', '--dry-run'])
    expect(dry.exitCode).toBe(0)
    expect(dry.stdout).toContain('+ create pdf-writer')
    expect(mutations(await counts())).toEqual([])
  })

  it('apply --yes completes under injected rate limiting, honours x-ratelimit-reset, batches assignments, and re-plans clean', async () => {
    await resetCounts()
    await fault({service: 'auth0', operation: 'GET /users', kind: 'throttle', retryAfter: 1, times: 2})
    const started = Date.now()
    const r = await cli(['roles', 'apply', '--yes', '--verbose'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(Date.now() - started).toBeGreaterThan(900)
    expect(r.stderr).toMatch(/429 Too Many Requests; waiting \d+ ms for x-ratelimit-reset/)
    expect(r.stdout).toContain('Applied 16 change(s); a new plan finds no drift.')
    const c = await counts()
    expect(c['POST /roles']).toBe(1)
    // 5 users missing USER in one request, user016 and user063 in one each.
    expect(c['POST /roles/{id}/users']).toBe(3)
    expect(c['DELETE /users/{id}/roles']).toBe(4)
    const t = tenant()
    const userRole = t.roles.find((x) => x.name === 'USER')!
    expect(t.roleUsers[userRole.id]).toHaveLength(t.users.length)
    const again = await cli(['roles', 'plan', '--exit-code'])
    expect(again.exitCode).toBe(0)
    expect(again.stdout).toContain('No changes: the tenant matches')
  })

  it('export twice is byte-identical; an edit is drift (exit 3) until applied', async () => {
    const a = await cli(['roles', 'export'])
    expect(a.exitCode, a.stderr).toBe(0)
    const first = fs.readFileSync(rolesFile, 'utf8')
    const b = await cli(['roles', 'export'])
    expect(b.stdout).toContain('Unchanged:')
    expect(fs.readFileSync(rolesFile, 'utf8')).toBe(first)
    expect(first).toContain('privileged: true')
    expect((await cli(['roles', 'plan', '--exit-code'])).exitCode).toBe(0)
    fs.writeFileSync(rolesFile, first.replace('description: Reads generated documents', 'description: Reads and downloads documents').replace('          - user060@impress.example\n', '          - user060@impress.example\n          - user099@impress.example\n'))
    const plan = await cli(['roles', 'plan', '--exit-code'])
    expect(plan.exitCode).toBe(3)
    expect(plan.stdout).toContain('+ pdf-reader  user099@impress.example')
    expect((await cli(['roles', 'apply', '--yes'])).exitCode).toBe(0)
    expect((await cli(['roles', 'plan', '--exit-code'])).exitCode).toBe(0)
  })

  it('a duplicate role or an unknown permission is exit 2 naming the line', async () => {
    const text = fs.readFileSync(rolesFile, 'utf8')
    const lines = text.split('\n')
    const dupLine = lines.indexOf('      - name: pdf-writer') + 1
    const dup = path.join(sb.cwd, 'dup.yaml')
    fs.writeFileSync(dup, text.replace('      - name: pdf-writer\n', '      - name: pdf-reader\n'))
    const r = await cli(['roles', 'plan', '--file', dup])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain(`dup.yaml:${dupLine}: duplicate role "pdf-reader"`)
    expect(hasStackTrace(r.stderr)).toBe(false)
    const bad = path.join(sb.cwd, 'bad.yaml')
    const permLine = lines.findIndex((l) => l.includes('- read:imports')) + 1
    fs.writeFileSync(bad, text.replace('- read:imports', '- read:everything'))
    const p = await cli(['roles', 'plan', '--file', bad, '--json'])
    expect(p.exitCode).toBe(2)
    expect(JSON.parse(p.stdout).error).toMatchObject({code: 'E_USAGE', details: {line: permLine, permission: 'read:everything'}})
  })

  it('apply refuses a plan that breaks a rule (exit 4 naming it) before any change', async () => {
    const text = fs.readFileSync(rolesFile, 'utf8')
    const f = path.join(sb.cwd, 'rule.yaml')
    fs.writeFileSync(f, text.replace(/- email: bob@impress\.example\n\s+expires: \S+/, '- bob@impress.example'))
    await resetCounts()
    const r = await cli(['roles', 'apply', '--yes', '--file', f])
    expect(r.exitCode).toBe(4)
    expect(r.stderr).toMatch(/^Error: Rule privileged-expiry: privileged role platform-admin grants bob@impress\.example without expires/m)
    expect(mutations(await counts())).toEqual([])
  })

  it('rotate: the secret store failing is reported with what to do; a rerun completes it; no secret is ever printed', async () => {
    // Five failures outlast the AWS SDK's own retries.
    await fault({service: 'secretsmanager', operation: 'PutSecretValue', kind: 'error', status: 500, times: 5})
    const failed = await cli(['roles', 'rotate', '--yes', '--verbose'])
    expect(failed.exitCode).toBe(1)
    expect(failed.stderr).toMatch(/^Error: Rotated the client secret of backend \(Auth0 client impress-backend\) but could not store it in the Secrets Manager secret impress\/sandbox\/auth0-backend/m)
    expect(failed.stderr).toMatch(/^Hint: .*run `impress roles rotate` again: it rotates the secret once more and stores it\./m)
    const lostSecret = tenant().clients.find((c) => c.client_id === 'backend-m2m')!.client_secret
    const ok = await cli(['roles', 'rotate', '--yes', '--json', '--verbose'])
    expect(ok.exitCode, ok.stderr).toBe(0)
    const doc = JSON.parse(ok.stdout)
    expect(doc.rotated).toHaveLength(1)
    expect(doc.rotated[0]).toMatchObject({application: 'backend', verified: true, completedPending: true})
    expect(doc.rotated[0].secretId).toMatch(/^arn:aws:secretsmanager:eu-west-1:000000000000:secret:impress\/sandbox\/auth0-backend-/)
    const secret = tenant().clients.find((c) => c.client_id === 'backend-m2m')!.client_secret
    expect(secret).not.toBe(lostSecret)
    const stored = JSON.parse(sb.host.state.open<{secrets: {name: string; versions: {id: string; value: string; stages: string[]}[]}[]}>('secretsmanager', 'secrets', () => ({secrets: []})).data.secrets.find((s) => s.name === 'impress/sandbox/auth0-backend')!.versions.find((v) => v.stages.includes('AWSCURRENT'))!.value)
    expect(stored).toEqual({clientId: 'backend-m2m', clientSecret: secret})
    expect(doc.rotated[0].versionId).toBe(sb.host.state.open<{secrets: {name: string; versions: {id: string; stages: string[]}[]}[]}>('secretsmanager', 'secrets', () => ({secrets: []})).data.secrets.find((s) => s.name === 'impress/sandbox/auth0-backend')!.versions.find((v) => v.stages.includes('AWSCURRENT'))!.id)
    const plain = await cli(['roles', 'rotate', '--yes'])
    expect(plain.exitCode).toBe(0)
    expect(plain.stdout).toMatch(/^backend\s+impress-backend\s+arn:aws:secretsmanager:\S+\s+[0-9a-f-]{36}\s+yes \(\d attempt\(s\)\)$/m)
    const newest = tenant().clients.find((c) => c.client_id === 'backend-m2m')!.client_secret
    const audit = fs.readFileSync(path.join(sb.home, 'audit.jsonl'), 'utf8')
    expect(audit).toContain('"command":"roles rotate"')
    // Nothing even tried to print a secret (the redactor would have masked it).
    for (const out of [ok.stdout, plain.stdout, audit]) expect(out).not.toContain('[REDACTED]')
    for (const value of [lostSecret, secret, newest, 'impress-ops-sandbox-client-secret']) {
      for (const out of [failed.stdout, failed.stderr, ok.stdout, ok.stderr, plain.stdout, plain.stderr, audit]) expect(out.includes(value)).toBe(false)
    }
  })
})
