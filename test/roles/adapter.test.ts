/** The Auth0 adapter driving the real SDK (auth0/legacy) over HTTP against the sandbox emulation. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Auth0Adapter} from '../../src/lib/platform/auth0/management.js'
import {SANDBOX_AUTH0_DOMAIN, SANDBOX_OPS_CLIENT_ID, SANDBOX_OPS_CLIENT_SECRET, seedTenant, makeUser, MISSING_USER} from '../../src/lib/sandbox/services/auth0/seed.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {getJson} from '../helpers/http.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (r: Response | Promise<Response>): Promise<any> => (await r).json()
let sb: TestSandbox
const adapter = (domain = SANDBOX_AUTH0_DOMAIN) => new Auth0Adapter({domain, clientId: SANDBOX_OPS_CLIENT_ID, clientSecret: SANDBOX_OPS_CLIENT_SECRET, sandboxUrl: sb.url})

beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.0005})
})
afterAll(async () => sb?.stop())

describe('Auth0 adapter over the real SDK', () => {
  it('reads the whole seeded tenant, paging every list and checking totals', async () => {
    await fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})
    const a = adapter()
    const t = await a.readTenant()
    expect(t.users).toHaveLength(206)
    expect(t.apis.map((x) => x.name)).toContain('impress-request')
    const user = t.roles.find((r) => r.name === 'USER')!
    expect(user.members).toHaveLength(206 - MISSING_USER.length)
    expect(t.roles.find((r) => r.name === 'request-admin')!.permissions).toContainEqual({api: 'https://request.impress.example/api', name: 'write:orders'})
    const req = await getJson(`${sb.url}/_sandbox/requests?service=auth0`)
    const c = req.counts.auth0
    // 206 users in pages of 100: 3 requests; 9 clients in pages of at most 10: 1; one token.
    expect(c['GET /users']).toBe(3)
    expect(c['GET /clients']).toBe(1)
    expect(c['POST /oauth/token']).toBe(1)
    expect(c['GET /roles/{id}/users']).toBe(t.roles.length + 2)
    expect(a.stats.requests).toBe(req.total)
  })

  it('reads past the 1,000-record offset limit: keyset slices for users, checkpoint paging for a role', async () => {
    const domain = 'big.sandbox.auth0.com'
    const t = seedTenant(domain)
    for (let i = 0; i < 1400; i++) t.users.push(makeUser(`bulk${i}@impress.example`, 1000 + i))
    const userRole = t.roles.find((r) => r.name === 'USER')!
    t.roleUsers[userRole.id] = t.users.map((u) => u.user_id)
    t.rateLimit = {limit: 1000, windowMs: 1000}
    sb.host.state.replace('auth0', domain, t)
    const tenant = await adapter(domain).readTenant()
    expect(tenant.users).toHaveLength(1606)
    expect(new Set(tenant.users.map((u) => u.userId)).size).toBe(1606)
    expect(tenant.roles.find((r) => r.name === 'USER')!.members).toHaveLength(1606)
  })

  it('wrong credentials fail with one line naming the tenant, never the secret', async () => {
    const a = new Auth0Adapter({domain: SANDBOX_AUTH0_DOMAIN, clientId: SANDBOX_OPS_CLIENT_ID, clientSecret: 'definitely-wrong-secret', sandboxUrl: sb.url})
    const e = await a.readTenant().then(() => undefined, (error: Error & {code?: string; exitCode?: number; hint?: string}) => error)
    expect(e).toMatchObject({code: 'E_AUTH0_AUTH', exitCode: 1})
    expect(e?.message).toContain(`Auth0 (${SANDBOX_AUTH0_DOMAIN}) refused to`)
    expect(e?.message).not.toContain('definitely-wrong-secret')
    expect(e?.hint).toContain('auth0.clientSecret')
  })

  it('offset paging past 1,000 records answers 400 as Auth0 does', async () => {
    const token = await getJson(`${sb.url}/auth0/${SANDBOX_AUTH0_DOMAIN}/oauth/token`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({grant_type: 'client_credentials', client_id: SANDBOX_OPS_CLIENT_ID, client_secret: SANDBOX_OPS_CLIENT_SECRET, audience: `https://${SANDBOX_AUTH0_DOMAIN}/api/v2/`})})
    const r = await fetch(`${sb.url}/auth0/${SANDBOX_AUTH0_DOMAIN}/api/v2/users?page=10&per_page=100`, {headers: {authorization: `Bearer ${token.access_token}`}})
    expect(r.status).toBe(400)
    expect((await json(r)).message).toMatch(/exceeds the allowed maximum of 1000 records/)
    expect(r.headers.get('x-ratelimit-limit')).toBe('50')
  })
})
