/**
 * Google Workspace Admin SDK Directory API
 * (https://developers.google.com/admin-sdk/directory/reference/rest/v1/users/list), mounted
 * under /google so `@googleapis/admin`'s `rootUrl` reaches it: users.list with customer or
 * domain, maxResults (1–500) and pageToken/nextPageToken; `isEnrolledIn2Sv`, `suspended`.
 * Errors in Google's JSON error shape. See SPEC.md.
 */
import type {ServerResponse} from 'node:http'
import {sendJson} from '../../respond.js'
import type {ServiceContext, ServiceFactory} from '../../types.js'
import {refusalMessage} from '../../catalog.js'
import {googleCatalog} from './catalog.js'
import {demoGoogle, type GoogleState} from './seed.js'

export const GOOGLE_PREFIX = '/google'
const USERS = '/admin/directory/v1/users'
/** users.get / users.update / users.patch on one user (impress access revoke). */
const USER = /^\/admin\/directory\/v1\/users\/([^/]+)$/

export const googleService: ServiceFactory = (ctx: ServiceContext) => {
  const store = () => ctx.state.open<GoogleState>('google', 'directory', demoGoogle)
  const fail = (res: ServerResponse, code: number, reason: string, message: string, status: string, headers: Record<string, string> = {}) =>
    sendJson(res, code, {error: {code, message, errors: [{message, domain: 'global', reason}], status}}, headers)
  return {
    name: 'google',
    catalog: googleCatalog,
    matches: (req) => req.path.startsWith(`${GOOGLE_PREFIX}/`),
    operation: (req) => {
      const p = req.path.slice(GOOGLE_PREFIX.length)
      if (req.method === 'GET' && p === USERS) return 'directory.users.list'
      if (USER.test(p)) return req.method === 'GET' ? 'directory.users.get' : req.method === 'PUT' ? 'directory.users.update' : req.method === 'PATCH' ? 'directory.users.patch' : `${req.method} ${p}`
      return `${req.method} ${p}`
    },
    seed: () => void store(),
    describe: () => ({customer: store().data.customerId, users: store().data.users.length}),
    handle(req, res) {
      const s = store().data
      const one = USER.exec(req.path.slice(GOOGLE_PREFIX.length))
      if (!one && (req.method !== 'GET' || req.path !== GOOGLE_PREFIX + USERS)) return fail(res, 404, 'notFound', 'Not Found', 'NOT_FOUND')
      const auth = req.headers.authorization
      const token = typeof auth === 'string' && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '') : undefined
      if (!token || !s.tokens.includes(token))
        return fail(res, 401, 'authError', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', 'UNAUTHENTICATED')
      if (one) {
        const key = decodeURIComponent(one[1]).toLowerCase()
        const u = s.users.find((x) => x.primaryEmail.toLowerCase() === key || x.id === key)
        if (!u) return fail(res, 404, 'notFound', 'Resource Not Found: userKey', 'NOT_FOUND')
        if (req.method === 'PUT' || req.method === 'PATCH') {
          const body = req.json<Record<string, unknown>>()
          // Only suspension is modelled; any other field is refused rather than silently ignored.
          const other = Object.keys(body).filter((k) => k !== 'suspended')
          if (other.length > 0) return fail(res, 501, 'notImplemented', `The sandbox models only "suspended" in users.update/patch (got ${other.join(', ')}).`, 'UNIMPLEMENTED')
          if (typeof body.suspended !== 'boolean') return fail(res, 400, 'invalid', 'Invalid value for: suspended', 'INVALID_ARGUMENT')
          u.suspended = body.suspended
          store().save()
        } else if (req.method !== 'GET') return fail(res, 501, 'notImplemented', `The sandbox does not model ${req.method} on a user.`, 'UNIMPLEMENTED')
        return void sendJson(res, 200, directoryUser(s, u))
      }
      const q = req.url.searchParams
      const customer = q.get('customer')
      const domain = q.get('domain')
      if (!customer && !domain) return fail(res, 400, 'badRequest', 'Bad Request', 'INVALID_ARGUMENT')
      if (customer && customer !== 'my_customer' && customer !== s.customerId) return fail(res, 403, 'forbidden', 'Not Authorized to access this resource/api', 'PERMISSION_DENIED')
      if (domain && domain !== s.domain) return fail(res, 403, 'forbidden', 'Not Authorized to access this resource/api', 'PERMISSION_DENIED')
      // orderBy email is how the sandbox always lists; other orders and projections are refused, not ignored.
      const unmodelledValue = [['orderBy', 'email'], ['sortOrder', 'ASCENDING'], ['projection', 'basic|full']].find(([k, ok]) => q.has(k) && !ok.split('|').includes(q.get(k)!))
      if (unmodelledValue) return fail(res, 501, 'notImplemented', refusalMessage('google', `${unmodelledValue[0]}=${q.get(unmodelledValue[0])} on directory.users.list`), 'UNIMPLEMENTED')
      const max = Number(q.get('maxResults') ?? 100)
      if (!Number.isInteger(max) || max < 1 || max > 500) return fail(res, 400, 'invalid', 'Invalid value for maxResults', 'INVALID_ARGUMENT')
      const token0 = q.get('pageToken')
      const start = token0 ? Number(Buffer.from(token0, 'base64url').toString('utf8').replace(/^u:/, '')) : 0
      if (!Number.isInteger(start) || start < 0) return fail(res, 400, 'invalid', 'Invalid page token', 'INVALID_ARGUMENT')
      const users = [...s.users].sort((a, b) => a.primaryEmail.localeCompare(b.primaryEmail))
      const slice = users.slice(start, start + max)
      const next = start + max < users.length ? Buffer.from(`u:${start + max}`).toString('base64url') : undefined
      sendJson(res, 200, {
        kind: 'admin#directory#users',
        etag: `"${users.length}-${start}"`,
        users: slice.map((u) => directoryUser(s, u)),
        ...(next ? {nextPageToken: next} : {}),
      })
    },
    renderError(_req, res, e) {
      if (e.kind === 'throttle') return fail(res, 429, 'rateLimitExceeded', 'Rate Limit Exceeded', 'RESOURCE_EXHAUSTED', {'retry-after': String(e.retryAfterSeconds ?? 1)})
      return fail(res, e.status, e.kind === 'server' ? 'backendError' : 'badRequest', e.kind === 'server' ? 'Backend Error' : e.message, e.status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT')
    },
  }
}

/** A Directory API user resource (https://developers.google.com/admin-sdk/directory/reference/rest/v1/users). */
function directoryUser(s: GoogleState, u: GoogleState['users'][number]) {
  return {
          kind: 'admin#directory#user',
          id: u.id,
          etag: `"${u.id}"`,
          primaryEmail: u.primaryEmail,
          name: {givenName: u.givenName, familyName: u.familyName, fullName: `${u.givenName} ${u.familyName}`},
          isAdmin: u.isAdmin,
          isDelegatedAdmin: false,
          lastLoginTime: '2026-11-20T08:00:00.000Z',
          creationTime: '2024-02-01T09:00:00.000Z',
          agreedToTerms: true,
          suspended: u.suspended,
          ...(u.suspended ? {suspensionReason: 'ADMIN'} : {}),
          archived: false,
          changePasswordAtNextLogin: false,
          ipWhitelisted: false,
          emails: [{address: u.primaryEmail, primary: true}],
          customerId: s.customerId,
          orgUnitPath: '/',
          isMailboxSetup: true,
          isEnrolledIn2Sv: u.isEnrolledIn2Sv,
          isEnforcedIn2Sv: false,
          includeInGlobalAddressList: true,
  }
}
