/**
 * The compliance check's Auth0 staff port over the Management API v2 with plain fetch
 * (client-credentials token, paged users of the staff connection, authentication methods).
 * Pass the rate-limit aware fetch of ./fetch.ts (which also routes a sandbox domain to loopback).
 */
import type {Auth0StaffPort} from '../../compliance/ports.js'

export interface Auth0StaffFetchOptions {
  /** e.g. https://impress.eu.auth0.com */
  baseUrl: string
  clientId: string
  clientSecret: string
  connection: string
  fetch?: typeof fetch
}

export function fetchAuth0StaffPort(o: Auth0StaffFetchOptions): Auth0StaffPort {
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
    async setBlocked(userId, blocked) {
      const r = await f(`${o.baseUrl}/api/v2/users/${encodeURIComponent(userId)}`, {method: 'PATCH', headers: {authorization: `Bearer ${await getToken()}`, 'content-type': 'application/json'}, body: JSON.stringify({blocked})})
      if (!r.ok) throw Object.assign(new Error(`Auth0 PATCH /users/{id}: HTTP ${r.status}`), {status: r.status})
    },
    async authenticationMethods(userId) {
      const r = await get<{type: string; confirmed?: boolean}[] | {authenticators: {type: string; confirmed?: boolean}[]}>(`/users/${encodeURIComponent(userId)}/authentication-methods`)
      return Array.isArray(r) ? r : r.authenticators
    },
  }
}
