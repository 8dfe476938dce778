/**
 * Auth0 staff accounts: the users of the staff connection and whether each has a second
 * factor enrolled (`GET /api/v2/users/{id}/authentication-methods`). `auth0StaffSource`
 * turns the port into an AccountSource; `fetchAuth0StaffPort` implements the port with
 * plain fetch against the Management API v2 (client-credentials token), until the Auth0
 * platform adapter of the roles area is merged and can take its place.
 */
import type {AccountSource, Auth0StaffPort} from './ports.js'
import type {ServiceAccount, ServiceSnapshot} from './types.js'

/** Methods that are a second factor (a password alone is not). */
const FACTORS = new Set(['totp', 'phone', 'email', 'webauthn-roaming', 'webauthn-platform', 'push', 'recovery-code', 'guardian', 'passkey', 'otp', 'sms', 'voice'])

export function auth0StaffSource(port: Auth0StaffPort, concurrency = 8): AccountSource {
  return {
    service: 'auth0',
    async snapshot(): Promise<ServiceSnapshot> {
      const users = await port.staffUsers()
      const accounts: ServiceAccount[] = new Array(users.length)
      let next = 0
      const worker = async () => {
        while (next < users.length) {
          const i = next++
          const u = users[i]
          const methods = await port.authenticationMethods(u.user_id)
          const mfa = methods.some((m) => FACTORS.has(m.type) && m.confirmed !== false)
          const email = u.email ?? u.user_id
          accounts[i] = {id: email, email, active: u.blocked !== true, mfa, notes: u.blocked ? ['blocked'] : undefined}
        }
      }
      await Promise.all(Array.from({length: Math.min(concurrency, users.length)}, worker))
      return {service: 'auth0', accounts}
    },
  }
}

export interface Auth0FetchOptions {
  /** e.g. https://impress.eu.auth0.com */
  baseUrl: string
  clientId: string
  clientSecret: string
  connection: string
  fetch?: typeof fetch
}

export function fetchAuth0StaffPort(o: Auth0FetchOptions): Auth0StaffPort {
  const f = o.fetch ?? fetch
  let token: Promise<string> | undefined
  const getToken = () =>
    (token ??= (async () => {
      const r = await f(`${o.baseUrl}/oauth/token`, {
        method: 'POST',
        headers: {'content-type': 'application/json'},
        body: JSON.stringify({grant_type: 'client_credentials', client_id: o.clientId, client_secret: o.clientSecret, audience: `${o.baseUrl}/api/v2/`}),
      })
      if (!r.ok) throw new Error(`Auth0 token request failed: HTTP ${r.status}`)
      return ((await r.json()) as {access_token: string}).access_token
    })())
  const get = async <T>(path: string): Promise<T> => {
    const r = await f(`${o.baseUrl}/api/v2${path}`, {headers: {authorization: `Bearer ${await getToken()}`}})
    if (!r.ok) throw Object.assign(new Error(`Auth0 GET ${path.split('?')[0]}: HTTP ${r.status}`), {status: r.status})
    return (await r.json()) as T
  }
  return {
    async staffUsers() {
      const out: {user_id: string; email?: string; blocked?: boolean}[] = []
      for (let page = 0; ; page++) {
        const q = new URLSearchParams({q: `identities.connection:"${o.connection}"`, search_engine: 'v3', per_page: '100', page: String(page), include_totals: 'true'})
        const r = await get<{users: {user_id: string; email?: string; blocked?: boolean}[]; total: number}>(`/users?${q}`)
        out.push(...r.users)
        if (r.users.length === 0 || out.length >= r.total) return out
      }
    },
    async authenticationMethods(userId) {
      const r = await get<{type: string; confirmed?: boolean}[] | {authenticators: {type: string; confirmed?: boolean}[]}>(`/users/${encodeURIComponent(userId)}/authentication-methods`)
      return Array.isArray(r) ? r : r.authenticators
    },
  }
}
