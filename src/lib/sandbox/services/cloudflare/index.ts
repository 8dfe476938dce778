/**
 * Cloudflare API v4 (https://developers.cloudflare.com/api/resources/accounts/subresources/members/),
 * mounted under /cloudflare/client/v4 so the SDK's `baseURL` reaches it: account members with
 * their user's two-factor status, page/per_page pagination with `result_info`, and the v4
 * envelope `{success, errors[{code, message}], messages, result}`. See SPEC.md.
 */
import type {ServerResponse} from 'node:http'
import {sendJson} from '../../respond.js'
import type {ServiceContext, ServiceFactory} from '../../types.js'
import {cloudflareCatalog} from './catalog.js'
import {demoCloudflare, type CloudflareState} from './seed.js'
import {handleZones, isZonesPath, zonesOperation} from './zones.js'
import {demoZones, type ZonesState} from './zones-seed.js'

export const CLOUDFLARE_PREFIX = '/cloudflare/client/v4'
const MEMBERS = /^\/accounts\/([^/]+)\/members$/
/** DELETE /accounts/{account_id}/members/{member_id} (impress access revoke). */
const MEMBER = /^\/accounts\/([^/]+)\/members\/([^/]+)$/

export const cloudflareService: ServiceFactory = (ctx: ServiceContext) => {
  const store = () => ctx.state.open<CloudflareState>('cloudflare', 'accounts', demoCloudflare)
  // Zones, zone settings and security events (zones.ts): a document of their own.
  const zones = () => ctx.state.open<ZonesState>('cloudflare', 'zones', () => demoZones(Date.now()))
  const fail = (res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}) =>
    sendJson(res, status, {success: false, errors: [{code, message}], messages: [], result: null}, headers)
  return {
    name: 'cloudflare',
    catalog: cloudflareCatalog,
    matches: (req) => req.path.startsWith(`${CLOUDFLARE_PREFIX}/`),
    operation: (req) => {
      const p = req.path.slice(CLOUDFLARE_PREFIX.length)
      if (req.method === 'GET' && MEMBERS.test(p)) return 'accounts.members.list'
      if (req.method === 'DELETE' && MEMBER.test(p)) return 'accounts.members.delete'
      return zonesOperation(p, req.method) ?? `${req.method} ${p}`
    },
    seed: () => {
      store()
      zones()
    },
    describe: () => Object.fromEntries(store().data.accounts.map((a) => [a.id, {name: a.name, members: a.members.length}])),
    handle(req, res) {
      const s = store().data
      const del = req.method === 'DELETE' ? MEMBER.exec(req.path.slice(CLOUDFLARE_PREFIX.length)) : null
      const m = del ?? MEMBERS.exec(req.path.slice(CLOUDFLARE_PREFIX.length))
      const zonesPath = isZonesPath(req.path.slice(CLOUDFLARE_PREFIX.length))
      if (!zonesPath && (!m || (req.method !== 'GET' && !del))) return fail(res, 404, 7000, 'No route for that URI')
      const auth = req.headers.authorization
      const token = typeof auth === 'string' && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '') : undefined
      if (!token || !s.tokens.includes(token)) return fail(res, 403, 10000, 'Authentication error')
      if (zonesPath) return handleZones(req, res, req.path.slice(CLOUDFLARE_PREFIX.length), zones, fail)
      if (!m) return fail(res, 404, 7000, 'No route for that URI')
      const account = s.accounts.find((a) => a.id === m[1])
      if (!account) return fail(res, 404, 7003, `Could not route to /accounts/${m[1]}/members, perhaps your object identifier is invalid?`)
      if (del) {
        const member = account.members.find((x) => x.id === del[2])
        if (!member) return fail(res, 404, 1003, 'Member not found')
        account.members = account.members.filter((x) => x !== member)
        store().save()
        return void sendJson(res, 200, {success: true, errors: [], messages: [], result: {id: member.id}})
      }
      const q = req.url.searchParams
      const perPage = Number(q.get('per_page') ?? 20)
      const page = Number(q.get('page') ?? 1)
      if (!Number.isInteger(perPage) || perPage < 5 || perPage > 50) return fail(res, 400, 1001, 'per_page must be between 5 and 50')
      if (!Number.isInteger(page) || page < 1) return fail(res, 400, 1001, 'page must be a positive integer')
      const status = q.get('status')
      const all = account.members.filter((x) => !status || x.status === status)
      const slice = all.slice((page - 1) * perPage, page * perPage)
      sendJson(res, 200, {
        success: true,
        errors: [],
        messages: [],
        result: slice.map((x) => ({
          id: x.id,
          email: x.email,
          status: x.status,
          roles: [{id: '05784afa30c1afe1440e79d9351c7430', name: x.role, description: `${x.role} of the account`, permissions: {}}],
          policies: [],
          user: {id: x.userId, email: x.email, first_name: x.firstName, last_name: x.lastName, two_factor_authentication_enabled: x.twoFactor},
        })),
        result_info: {page, per_page: perPage, count: slice.length, total_count: all.length, total_pages: Math.max(1, Math.ceil(all.length / perPage))},
      })
    },
    renderError(_req, res, e) {
      if (e.kind === 'throttle') return fail(res, 429, 971, 'Please wait and consider throttling your request speed', {'retry-after': String(e.retryAfterSeconds ?? 1)})
      return fail(res, e.status, e.kind === 'server' ? 10000 : 1000, e.kind === 'server' ? 'Internal Server Error' : e.message)
    },
  }
}
