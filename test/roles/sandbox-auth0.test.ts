/** The Auth0 emulation over HTTP: shapes, errors, rate limit headers, staff users for compliance. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ManagementClient} from 'auth0/legacy'
import {createAuth0Fetch} from '../../src/lib/platform/auth0/fetch.js'
import {SANDBOX_AUTH0_DOMAIN as DOMAIN, SANDBOX_OPS_CLIENT_ID, SANDBOX_OPS_CLIENT_SECRET, seedTenant, STAFF_CONNECTION} from '../../src/lib/sandbox/services/auth0/seed.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (r: Response | Promise<Response>): Promise<any> => (await r).json()
let sb: TestSandbox
let token: string
const api = (path: string, init: RequestInit = {}) => fetch(`${sb.url}/auth0/${DOMAIN}/api/v2${path}`, {...init, headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {})}})
const tokenFor = (client_id: string, client_secret: string, audience = `https://${DOMAIN}/api/v2/`) =>
  fetch(`${sb.url}/auth0/${DOMAIN}/oauth/token`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({grant_type: 'client_credentials', client_id, client_secret, audience})})

beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.0005})
  token = (await json(tokenFor(SANDBOX_OPS_CLIENT_ID, SANDBOX_OPS_CLIENT_SECRET))).access_token
})
afterAll(async () => sb?.stop())

describe('Auth0 Management API v2 emulation', () => {
  it('/oauth/token refuses a wrong secret (401 access_denied) and an unknown audience (403)', async () => {
    const bad = await tokenFor(SANDBOX_OPS_CLIENT_ID, 'wrong')
    expect(bad.status).toBe(401)
    expect(await json(bad)).toEqual({error: 'access_denied', error_description: 'Unauthorized'})
    expect((await tokenFor(SANDBOX_OPS_CLIENT_ID, SANDBOX_OPS_CLIENT_SECRET, 'https://nope/')).status).toBe(403)
    const noAuth = await fetch(`${sb.url}/auth0/${DOMAIN}/api/v2/roles`)
    expect(noAuth.status).toBe(401)
    expect(await json(noAuth)).toMatchObject({statusCode: 401, error: 'Unauthorized'})
  })

  it('lists the staff connection and their authentication methods (for compliance)', async () => {
    const r = await api(`/users?q=${encodeURIComponent(`identities.connection:"${STAFF_CONNECTION}"`)}&search_engine=v3&per_page=50&include_totals=true`)
    const body = await json(r)
    expect(body.total).toBe(6)
    expect(body.users.map((u: {email: string}) => u.email)).toEqual(['alice@impress.example', 'bob@impress.example', 'carol@impress.example', 'dave@impress.example', 'eve@impress.example', 'mallory@impress.example'])
    expect(body.users[0].identities[0]).toMatchObject({connection: STAFF_CONNECTION, provider: 'auth0'})
    const byParam = await json(api(`/users?connection=${STAFF_CONNECTION}`))
    expect(byParam).toHaveLength(6)
    const mfa: Record<string, boolean> = {}
    for (const u of body.users) {
      const methods = await json(api(`/users/${encodeURIComponent(u.user_id)}/authentication-methods`))
      mfa[u.email] = methods.some((m: {type: string; confirmed: boolean}) => m.type === 'totp' && m.confirmed)
    }
    expect(mfa).toEqual({'alice@impress.example': true, 'bob@impress.example': true, 'carol@impress.example': false, 'dave@impress.example': true, 'eve@impress.example': true, 'mallory@impress.example': true})
  })

  it('role users: checkpoint pagination with from/take and next; offset past 1,000 is a 400', async () => {
    const roles = await json(api('/roles?per_page=50'))
    const user = roles.find((r: {name: string}) => r.name === 'USER')
    const ids: string[] = []
    let next: string | undefined
    let pages = 0
    do {
      const page = await json(api(`/roles/${user.id}/users?take=40${next ? `&from=${next}` : ''}`))
      ids.push(...page.users.map((u: {user_id: string}) => u.user_id))
      next = page.next
      pages++
    } while (next)
    expect(pages).toBe(6)
    expect(new Set(ids).size).toBe(201)
    const over = await api(`/roles/${user.id}/users?page=20&per_page=50`)
    expect(over.status).toBe(400)
  })

  it('the SDK talks to it: rotate-secret, and the new secret is accepted only after propagation', async () => {
    const f = createAuth0Fetch({sandboxUrl: sb.url})
    const m = new ManagementClient({domain: DOMAIN, clientId: SANDBOX_OPS_CLIENT_ID, clientSecret: SANDBOX_OPS_CLIENT_SECRET, fetch: f.fetch as never, retry: {enabled: false}})
    const t = sb.host.state.open('auth0', DOMAIN, () => seedTenant(DOMAIN))
    t.data.secretPropagationMs = 400_000 // 200 ms at this time scale
    const {data} = await m.clients.rotateClientSecret({client_id: 'backend-m2m'})
    expect(data.client_secret).toMatch(/^[A-Za-z0-9_-]{40,}$/)
    expect((await tokenFor('backend-m2m', 'sandbox-initial-secret-0001')).status).toBe(401)
    expect((await tokenFor('backend-m2m', data.client_secret!)).status).toBe(401)
    await new Promise((r) => setTimeout(r, 250))
    expect((await tokenFor('backend-m2m', data.client_secret!)).status).toBe(200)
    t.data.secretPropagationMs = 10_000
  })

  it('answers 429 with x-ratelimit-* headers past the budget; the adapter fetch waits for the reset', async () => {
    const domain = 'ratelimit.sandbox.auth0.com'
    const t = seedTenant(domain)
    t.rateLimit = {limit: 5, windowMs: 1000}
    sb.host.state.replace('auth0', domain, t)
    const tok = (await json(fetch(`${sb.url}/auth0/${domain}/oauth/token`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({grant_type: 'client_credentials', client_id: SANDBOX_OPS_CLIENT_ID, client_secret: SANDBOX_OPS_CLIENT_SECRET, audience: `https://${domain}/api/v2/`})}))).access_token
    const raw = await Promise.all(Array.from({length: 8}, () => fetch(`${sb.url}/auth0/${domain}/api/v2/roles`, {headers: {authorization: `Bearer ${tok}`}})))
    const limited = raw.filter((r) => r.status === 429)
    expect(limited.length).toBeGreaterThanOrEqual(3)
    expect(limited[0].headers.get('x-ratelimit-limit')).toBe('5')
    expect(limited[0].headers.get('x-ratelimit-remaining')).toBe('0')
    expect(Number(limited[0].headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000))
    expect(await json(limited[0])).toMatchObject({statusCode: 429, error: 'Too Many Requests'})
    await new Promise((r) => setTimeout(r, 1100))
    const f = createAuth0Fetch({sandboxUrl: sb.url, concurrency: 4})
    const results = await Promise.all(Array.from({length: 12}, () => f.fetch(`https://${domain}/api/v2/roles`, {headers: {authorization: `Bearer ${tok}`}})))
    expect(results.every((r) => r.status === 200)).toBe(true)
    expect(f.stats.waitedMs).toBeGreaterThan(0)
  })

  it("a user's roles: list, assign, remove (204)", async () => {
    const roles = await json(api('/roles?per_page=50'))
    const reader = roles.find((r: {name: string}) => r.name === 'message-reader')
    const users = await json(api(`/users?q=${encodeURIComponent('email:"user099@impress.example"')}`))
    const id = encodeURIComponent(users[0].user_id)
    expect((await json(api(`/users/${id}/roles`))).map((r: {name: string}) => r.name)).toEqual(['USER'])
    expect((await api(`/users/${id}/roles`, {method: 'POST', body: JSON.stringify({roles: [reader.id]})})).status).toBe(204)
    expect((await json(api(`/users/${id}/roles?include_totals=true`))).total).toBe(2)
    expect((await api(`/users/${id}/roles`, {method: 'DELETE', body: JSON.stringify({roles: [reader.id]})})).status).toBe(204)
    expect((await json(api(`/users/${id}/roles`))).map((r: {name: string}) => r.name)).toEqual(['USER'])
    expect((await api('/users/auth0%7Cnobody/roles')).status).toBe(404)
  })

  it('batch assignment is capped at 100 users per request', async () => {
    const roles = await json(api('/roles?per_page=50'))
    const role = roles.find((r: {name: string}) => r.name === 'pdf-reader')
    const r = await api(`/roles/${role.id}/users`, {method: 'POST', body: JSON.stringify({users: Array.from({length: 101}, (_, i) => `auth0|x${i}`)})})
    expect(r.status).toBe(400)
    expect((await json(r)).errorCode).toBe('invalid_body')
  })
})
