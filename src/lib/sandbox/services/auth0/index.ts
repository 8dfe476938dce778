/**
 * Auth0 Management API v2 and the client-credentials grant of the Authentication API
 * (https://auth0.com/docs/api/management/v2, https://auth0.com/docs/api/authentication).
 * Mounted under /auth0/<domain>/ (…/api/v2/… and …/oauth/token): the adapter's fetch rewrites
 * https://<domain>/… to it. One tenant per domain. See SPEC.md next to this file.
 */
import {createHmac, randomBytes} from 'node:crypto'
import type {ServerResponse} from 'node:http'
import {sendJson} from '../../respond.js'
import type {ErrorSpec, SandboxRequest, ServiceFactory} from '../../types.js'
import {auth0Catalog} from './catalog.js'
import {parseUserQuery, QueryError} from './query.js'
import {seedTenant, type Client, type Role, type TenantState, type User, SANDBOX_AUTH0_DOMAIN} from './seed.js'

export const AUTH0_PREFIX = '/auth0/'
const TOKEN_KEY = 'impress-sandbox-auth0-token-key'
/** Checkpoint `take` and the batch size of POST /roles/{id}/users. */
const MAX_TAKE = 100
const MAX_ASSIGN_BATCH = 100
const OFFSET_LIMIT = 1000

class Auth0Fault extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

const STATUS_TEXT: Record<number, string> = {400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable'}

function sendAuth0Error(res: ServerResponse, status: number, errorCode: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, {statusCode: status, error: STATUS_TEXT[status] ?? 'Error', message, errorCode}, headers)
}

interface Route {
  domain: string
  /** 'api' for /api/v2/…, 'oauth' for /oauth/token */
  kind: 'api' | 'oauth'
  /** Path below /api/v2 (e.g. /roles/rol_1/users). */
  rest: string
}

export function parseRoute(path: string): Route | undefined {
  if (!path.startsWith(AUTH0_PREFIX)) return undefined
  const after = path.slice(AUTH0_PREFIX.length)
  const slash = after.indexOf('/')
  if (slash <= 0) return undefined
  const domain = decodeURIComponent(after.slice(0, slash))
  const rest = after.slice(slash)
  if (rest === '/oauth/token') return {domain, kind: 'oauth', rest}
  if (rest.startsWith('/api/v2/')) return {domain, kind: 'api', rest: rest.slice('/api/v2'.length).replace(/\/$/, '')}
  return undefined
}

/** `GET /roles/{id}/users` style operation names, for counting and fault injection. */
export function operationName(method: string, route: Route): string {
  if (route.kind === 'oauth') return 'POST /oauth/token'
  const parts = route.rest.split('/').filter(Boolean)
  const named = parts.map((p, i) => (i % 2 === 1 ? `{${i === 1 ? 'id' : 'sub'}}` : p))
  return `${method} /${named.join('/')}`
}

interface Paging {
  page: number
  perPage: number
  includeTotals: boolean
}

function paging(url: URL, cap = 100): Paging {
  const page = intParam(url, 'page', 0)
  const perPage = Math.min(cap, Math.max(1, intParam(url, 'per_page', 50)))
  if (page < 0) throw new Auth0Fault(400, 'invalid_query_string', 'Query validation error: \'page\' must be >= 0.')
  return {page, perPage, includeTotals: url.searchParams.get('include_totals') === 'true'}
}

function intParam(url: URL, name: string, dflt: number): number {
  const v = url.searchParams.get(name)
  if (v === null || v === '') return dflt
  const n = Number(v)
  if (!Number.isInteger(n)) throw new Auth0Fault(400, 'invalid_query_string', `Query validation error: '${name}' must be an integer.`)
  return n
}

function pageOf<T>(all: T[], p: Paging, key: string, offsetLimit = false): unknown {
  const start = p.page * p.perPage
  if (offsetLimit && start + p.perPage > OFFSET_LIMIT) {
    throw new Auth0Fault(400, 'invalid_paging', `Requesting page ${p.page} exceeds the allowed maximum of ${OFFSET_LIMIT} records. To fetch results beyond ${OFFSET_LIMIT}, use the checkpoint pagination method.`)
  }
  const items = all.slice(start, start + p.perPage)
  return p.includeTotals ? {start, limit: p.perPage, length: items.length, total: all.length, [key]: items} : items
}

const encodeCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url')
const decodeCursor = (c: string) => Buffer.from(c, 'base64url').toString('utf8')

function publicUser(u: User): Record<string, unknown> {
  return {
    user_id: u.user_id,
    email: u.email,
    email_verified: u.email_verified,
    name: u.name,
    nickname: u.nickname,
    picture: u.picture,
    created_at: u.created_at,
    updated_at: u.updated_at,
    ...(u.last_login ? {last_login: u.last_login} : {}),
    logins_count: u.logins_count,
    ...(u.blocked ? {blocked: true} : {}),
    identities: [{connection: u.connection, provider: 'auth0', user_id: u.user_id.replace(/^auth0\|/, ''), isSocial: false}],
    multifactor: u.authentication_methods.filter((m) => m.confirmed && m.type !== 'password').length > 0 ? ['guardian'] : [],
  }
}

/** `fields=a,b` with `include_fields` (default true): only (or all but) those fields, as Auth0 answers. */
function projectFields(value: Record<string, unknown>, url: URL): Record<string, unknown> {
  const fields = url.searchParams.get('fields')
  if (!fields) return value
  const names = new Set(fields.split(',').map((f) => f.trim()).filter(Boolean))
  const include = url.searchParams.get('include_fields') !== 'false'
  return Object.fromEntries(Object.entries(value).filter(([k]) => names.has(k) === include))
}

function publicClient(c: Client, withSecret = false): Record<string, unknown> {
  return {
    client_id: c.client_id,
    name: c.name,
    app_type: c.app_type,
    ...(c.description ? {description: c.description} : {}),
    is_first_party: true,
    token_endpoint_auth_method: c.app_type === 'spa' ? 'none' : 'client_secret_post',
    grant_types: c.app_type === 'non_interactive' ? ['client_credentials'] : ['authorization_code', 'refresh_token'],
    ...(withSecret ? {client_secret: c.client_secret} : {}),
  }
}

function sign(payload: string): string {
  return createHmac('sha256', TOKEN_KEY).update(payload).digest('base64url')
}

export function issueToken(clientId: string, audience: string, expiresIn: number): string {
  const body = Buffer.from(JSON.stringify({sub: `${clientId}@clients`, aud: audience, exp: Math.floor(Date.now() / 1000) + expiresIn, jti: randomBytes(6).toString('hex')})).toString('base64url')
  return `sbx.${body}.${sign(body)}`
}

function verifyToken(token: string): {sub: string; aud: string; exp: number} | undefined {
  const [tag, body, sig] = token.split('.')
  if (tag !== 'sbx' || !body || !sig || sign(body) !== sig) return undefined
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {sub: string; aud: string; exp: number}
  } catch {
    return undefined
  }
}

/** A fixed-window rate limit per tenant, reported as Auth0 does (x-ratelimit-*). */
class RateLimiter {
  private windowStart = 0
  private count = 0
  take(limit: number, windowMs: number, now = Date.now()): {ok: boolean; headers: Record<string, string>} {
    if (now - this.windowStart >= windowMs) {
      this.windowStart = now
      this.count = 0
    }
    const ok = this.count < limit
    if (ok) this.count++
    const reset = Math.ceil((this.windowStart + windowMs) / 1000)
    return {ok, headers: {'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(Math.max(0, limit - this.count)), 'x-ratelimit-reset': String(reset)}}
  }
}

export const auth0Service: ServiceFactory = (ctx) => {
  const tenantName = (domain: string) => domain.replace(/[^A-Za-z0-9.-]/g, '_')
  const open = (domain: string) => ctx.state.open<TenantState>('auth0', tenantName(domain), () => seedTenant(domain))
  const limiters = new Map<string, RateLimiter>()

  function handleToken(req: SandboxRequest, res: ServerResponse, t: TenantState): void {
    const ct = String(req.headers['content-type'] ?? '')
    const body: Record<string, unknown> = ct.includes('application/x-www-form-urlencoded') ? Object.fromEntries(req.form()) : req.json<Record<string, unknown>>()
    if (body.grant_type !== 'client_credentials') {
      sendJson(res, 400, {error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${String(body.grant_type)}`})
      return
    }
    const client = t.clients.find((c) => c.client_id === body.client_id)
    if (!client || client.client_secret !== body.client_secret || (client.secret_accept_at !== undefined && Date.now() < client.secret_accept_at)) {
      sendJson(res, 401, {error: 'access_denied', error_description: 'Unauthorized'})
      return
    }
    const audience = typeof body.audience === 'string' ? body.audience : ''
    const rs = t.resourceServers.find((r) => r.identifier === audience)
    if (!rs) {
      sendJson(res, 403, {error: 'access_denied', error_description: `Service not enabled within domain: ${audience}`})
      return
    }
    sendJson(res, 200, {access_token: issueToken(client.client_id, audience, rs.token_lifetime), token_type: 'Bearer', expires_in: rs.token_lifetime, scope: rs.scopes.map((s) => s.value).join(' ')})
  }

  function authorize(req: SandboxRequest, t: TenantState): void {
    const h = String(req.headers.authorization ?? '')
    if (!h.startsWith('Bearer ')) throw new Auth0Fault(401, 'unauthorized', 'Missing authentication')
    const claims = verifyToken(h.slice(7))
    if (!claims || claims.exp * 1000 < Date.now()) throw new Auth0Fault(401, 'invalid_token', 'Invalid token')
    const mgmt = t.resourceServers.find((r) => r.is_system)?.identifier
    if (claims.aud !== mgmt) throw new Auth0Fault(401, 'invalid_token', `Bad audience: ${claims.aud}`)
  }

  /** user_id → user, rebuilt when the list changes (large tenants: no linear scans per member). */
  const userIndex = new WeakMap<User[], Map<string, User>>()
  function usersById(t: TenantState): Map<string, User> {
    let m = userIndex.get(t.users)
    if (!m || m.size !== t.users.length) {
      m = new Map(t.users.map((u) => [u.user_id, u]))
      userIndex.set(t.users, m)
    }
    return m
  }
  function role(t: TenantState, id: string): Role {
    const r = t.roles.find((x) => x.id === id)
    if (!r) throw new Auth0Fault(404, 'inexistent_role', 'The role does not exist.')
    return r
  }
  function user(t: TenantState, id: string): User {
    const u = usersById(t).get(id)
    if (!u) throw new Auth0Fault(404, 'inexistent_user', 'The user does not exist.')
    return u
  }
  function stringList(body: Record<string, unknown>, key: string, max = Infinity): string[] {
    const v = body[key]
    if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string')) throw new Auth0Fault(400, 'invalid_body', `Payload validation error: '${key}' must be a non-empty array of strings.`)
    if (v.length > max) throw new Auth0Fault(400, 'invalid_body', `Payload validation error: '${key}' may hold at most ${max} items.`)
    return v as string[]
  }
  function permissionList(t: TenantState, body: Record<string, unknown>): {resource_server_identifier: string; permission_name: string}[] {
    const v = body.permissions
    if (!Array.isArray(v) || v.length === 0) throw new Auth0Fault(400, 'invalid_body', "Payload validation error: 'permissions' must be a non-empty array.")
    return v.map((p: {resource_server_identifier?: unknown; permission_name?: unknown}) => {
      if (typeof p?.resource_server_identifier !== 'string' || typeof p?.permission_name !== 'string') throw new Auth0Fault(400, 'invalid_body', 'Payload validation error: each permission needs resource_server_identifier and permission_name.')
      const rs = t.resourceServers.find((r) => r.identifier === p.resource_server_identifier)
      if (!rs) throw new Auth0Fault(404, 'inexistent_resource_server', `Resource server ${p.resource_server_identifier} does not exist.`)
      if (!rs.scopes.some((s) => s.value === p.permission_name)) throw new Auth0Fault(400, 'invalid_body', `Permission ${p.permission_name} does not exist on resource server ${rs.identifier}.`)
      return {resource_server_identifier: p.resource_server_identifier, permission_name: p.permission_name}
    })
  }

  function api(req: SandboxRequest, t: TenantState, rest: string): {status: number; body?: unknown} {
    const url = req.url
    const parts = rest.split('/').filter(Boolean).map(decodeURIComponent)
    const m = req.method
    const body = () => (m === 'GET' ? {} : req.json<Record<string, unknown>>())
    const [root, id, sub] = parts
    const save = () => open(t.domain).save()

    if (root === 'roles') {
      if (!id && m === 'GET') {
        const nameFilter = url.searchParams.get('name_filter')
        const list = t.roles.filter((r) => !nameFilter || r.name.toLowerCase().includes(nameFilter.toLowerCase()))
        return {status: 200, body: pageOf(list, paging(url), 'roles')}
      }
      if (!id && m === 'POST') {
        const b = body()
        if (typeof b.name !== 'string' || b.name.length === 0) throw new Auth0Fault(400, 'invalid_body', "Payload validation error: Missing required property: name.")
        if (t.roles.some((r) => r.name === b.name)) throw new Auth0Fault(409, 'role_exists', 'Role name already exists')
        const r: Role = {id: `rol_${randomBytes(8).toString('hex')}`, name: b.name, description: typeof b.description === 'string' ? b.description : ''}
        t.roles.push(r)
        t.rolePermissions[r.id] = []
        t.roleUsers[r.id] = []
        save()
        return {status: 200, body: r}
      }
      const r = role(t, id)
      if (!sub) {
        if (m === 'GET') return {status: 200, body: r}
        if (m === 'PATCH') {
          const b = body()
          if (typeof b.name === 'string' && b.name !== r.name) {
            if (t.roles.some((x) => x.name === b.name)) throw new Auth0Fault(409, 'role_exists', 'Role name already exists')
            r.name = b.name
          }
          if (typeof b.description === 'string') r.description = b.description
          save()
          return {status: 200, body: r}
        }
        if (m === 'DELETE') {
          t.roles = t.roles.filter((x) => x.id !== r.id)
          delete t.rolePermissions[r.id]
          delete t.roleUsers[r.id]
          save()
          return {status: 200}
        }
      }
      if (sub === 'permissions') {
        if (m === 'GET') {
          const list = (t.rolePermissions[r.id] ?? []).map((p) => ({...p, resource_server_name: t.resourceServers.find((s) => s.identifier === p.resource_server_identifier)?.name ?? '', description: p.permission_name}))
          return {status: 200, body: pageOf(list, paging(url), 'permissions')}
        }
        const perms = permissionList(t, body())
        const current = t.rolePermissions[r.id] ?? []
        const same = (a: {resource_server_identifier: string; permission_name: string}, b: typeof a) => a.resource_server_identifier === b.resource_server_identifier && a.permission_name === b.permission_name
        if (m === 'POST') {
          for (const p of perms) if (!current.some((c) => same(c, p))) current.push(p)
          t.rolePermissions[r.id] = current
          save()
          return {status: 201}
        }
        if (m === 'DELETE') {
          t.rolePermissions[r.id] = current.filter((c) => !perms.some((p) => same(c, p)))
          save()
          return {status: 200}
        }
      }
      if (sub === 'users') {
        if (m === 'GET') {
          const ids = [...(t.roleUsers[r.id] ?? [])].sort()
          const byId = usersById(t)
          const members = ids.map((uid) => byId.get(uid)).filter((u): u is User => Boolean(u)).map((u) => ({user_id: u.user_id, email: u.email, picture: u.picture, name: u.name}))
          if (url.searchParams.has('take') || url.searchParams.has('from')) {
            const take = Math.min(MAX_TAKE, Math.max(1, intParam(url, 'take', 50)))
            const from = url.searchParams.get('from')
            let start = 0
            if (from) {
              const after = decodeCursor(from)
              start = members.findIndex((x) => x.user_id > after)
              if (start < 0) start = members.length
            }
            const slice = members.slice(start, start + take)
            const more = start + take < members.length
            return {status: 200, body: {users: slice, ...(more ? {next: encodeCursor(slice.at(-1)!.user_id)} : {})}}
          }
          const p = paging(url)
          const out = pageOf(members, p, 'users', true) as Record<string, unknown> | unknown[]
          if (!Array.isArray(out)) delete out.length
          return {status: 200, body: out}
        }
        if (m === 'POST') {
          const ids = stringList(body(), 'users', MAX_ASSIGN_BATCH)
          const known = usersById(t)
          for (const uid of ids) if (!known.has(uid)) throw new Auth0Fault(404, 'inexistent_user', 'The user does not exist.')
          const set = new Set(t.roleUsers[r.id] ?? [])
          for (const uid of ids) set.add(uid)
          t.roleUsers[r.id] = [...set]
          save()
          return {status: 200}
        }
      }
    }

    if (root === 'users') {
      if (!id && m === 'GET') {
        let list = t.users
        const connection = url.searchParams.get('connection')
        if (connection) list = list.filter((u) => u.connection === connection)
        const q = url.searchParams.get('q')
        if (q) {
          try {
            const pred = parseUserQuery(q)
            list = list.filter(pred)
          } catch (error) {
            if (error instanceof QueryError) throw new Auth0Fault(400, 'invalid_query_string', error.message)
            throw error
          }
        }
        const sort = url.searchParams.get('sort')
        if (sort) {
          const [field, order] = sort.split(':')
          if (!['created_at', 'email', 'user_id', 'name', 'updated_at'].includes(field) || !['1', '-1'].includes(order)) throw new Auth0Fault(400, 'invalid_query_string', `Query validation error: invalid sort "${sort}".`)
          const key = field as 'created_at' | 'email' | 'user_id' | 'name' | 'updated_at'
          list = [...list].sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0) * (order === '1' ? 1 : -1))
        }
        const p = paging(url)
        const out = pageOf(list, p, 'users', true) as Record<string, unknown> | User[]
        if (Array.isArray(out)) return {status: 200, body: out.map((x) => projectFields(publicUser(x), url))}
        return {status: 200, body: {...out, users: (out.users as User[]).map((x) => projectFields(publicUser(x), url))}}
      }
      const u = user(t, id)
      if (!sub && m === 'GET') return {status: 200, body: projectFields(publicUser(u), url)}
      if (!sub && m === 'PATCH') {
        // impress access revoke blocks a staff user; only `blocked` is modelled, anything else is refused.
        const b = body()
        const other = Object.keys(b).filter((k) => k !== 'blocked')
        if (other.length > 0) throw new Auth0Fault(501, 'not_implemented', `The sandbox models only "blocked" in PATCH /api/v2/users/{id} (got ${other.join(', ')}).`)
        if (typeof b.blocked !== 'boolean') throw new Auth0Fault(400, 'invalid_body', 'Payload validation error: \'Expected type boolean but found type ' + typeof b.blocked + '\' on property blocked.')
        u.blocked = b.blocked
        save()
        return {status: 200, body: publicUser(u)}
      }
      if (sub === 'roles') {
        if (m === 'GET') {
          const list = t.roles.filter((r) => (t.roleUsers[r.id] ?? []).includes(u.user_id))
          return {status: 200, body: pageOf(list, paging(url), 'roles')}
        }
        const ids = stringList(body(), 'roles')
        for (const rid of ids) role(t, rid)
        if (m === 'POST') {
          for (const rid of ids) if (!t.roleUsers[rid].includes(u.user_id)) t.roleUsers[rid].push(u.user_id)
          save()
          return {status: 204}
        }
        if (m === 'DELETE') {
          for (const rid of ids) t.roleUsers[rid] = t.roleUsers[rid].filter((x) => x !== u.user_id)
          save()
          return {status: 204}
        }
      }
      if (sub === 'authentication-methods' && m === 'GET') {
        const methods = u.authentication_methods.map((a) => ({id: a.id, type: a.type, confirmed: a.confirmed, ...(a.name ? {name: a.name} : {}), created_at: a.created_at}))
        const p = paging(url)
        if (!url.searchParams.has('page') && !url.searchParams.has('per_page') && !p.includeTotals) return {status: 200, body: methods}
        const out = pageOf(methods, p, 'authenticators') as Record<string, unknown> | unknown[]
        if (!Array.isArray(out)) delete out.length
        return {status: 200, body: out}
      }
    }

    if (root === 'clients') {
      if (!id && m === 'GET') {
        const out = pageOf(t.clients.map((c) => projectFields(publicClient(c), url)), paging(url, 10), 'clients') as Record<string, unknown> | unknown[]
        if (!Array.isArray(out)) delete out.length
        return {status: 200, body: out}
      }
      const c = t.clients.find((x) => x.client_id === id)
      if (!c) throw new Auth0Fault(404, 'inexistent_client', 'Client not found')
      if (!sub && m === 'GET') return {status: 200, body: projectFields(publicClient(c), url)}
      if (sub === 'rotate-secret' && m === 'POST') {
        c.client_secret = randomBytes(32).toString('base64url')
        c.secret_accept_at = Date.now() + ctx.clock.real(t.secretPropagationMs)
        save()
        return {status: 200, body: publicClient(c, true)}
      }
    }

    if (root === 'resource-servers') {
      if (!id && m === 'GET') {
        const out = pageOf(t.resourceServers.map(({id: rsId, ...rest}) => ({id: rsId, ...rest})), paging(url, 10), 'resource_servers') as Record<string, unknown> | unknown[]
        if (!Array.isArray(out)) delete out.length
        return {status: 200, body: out}
      }
      const rs = t.resourceServers.find((x) => x.id === id || x.identifier === id)
      if (!rs) throw new Auth0Fault(404, 'inexistent_resource_server', 'The resource server does not exist')
      if (!sub && m === 'GET') return {status: 200, body: rs}
    }
    throw new Auth0Fault(404, 'not_found', `Not Found: ${m} /api/v2${rest}`)
  }

  return {
    name: 'auth0',
    catalog: auth0Catalog,
    matches: (req) => req.path.startsWith(AUTH0_PREFIX),
    operation: (req) => {
      const route = parseRoute(req.path)
      return route ? operationName(req.method, route) : 'Unknown'
    },
    handle(req, res) {
      const route = parseRoute(req.path)
      if (!route) {
        sendAuth0Error(res, 404, 'not_found', `Not Found: ${req.path}`)
        return
      }
      const stored = open(route.domain)
      const t = stored.data
      if (route.kind === 'oauth') {
        if (req.method !== 'POST') return sendAuth0Error(res, 404, 'not_found', 'Not Found')
        handleToken(req, res, t)
        return
      }
      let limiter = limiters.get(route.domain)
      if (!limiter) limiters.set(route.domain, (limiter = new RateLimiter()))
      const rl = limiter.take(t.rateLimit.limit, t.rateLimit.windowMs)
      if (!rl.ok) return sendAuth0Error(res, 429, 'too_many_requests', 'Global limit has been reached', rl.headers)
      try {
        authorize(req, t)
        const out = api(req, t, route.rest)
        if (out.body === undefined) {
          res.writeHead(out.status, rl.headers)
          res.end()
        } else {
          sendJson(res, out.status, out.body, rl.headers)
        }
      } catch (error) {
        if (error instanceof SyntaxError) return sendAuth0Error(res, 400, 'invalid_body', 'Invalid request payload JSON format', rl.headers)
        if (!(error instanceof Auth0Fault)) throw error
        sendAuth0Error(res, error.status, error.errorCode, error.message, {...rl.headers, ...error.headers})
      }
    },
    renderError(_req, res, error: ErrorSpec) {
      if (error.kind === 'throttle') {
        const seconds = Math.max(1, Math.ceil(error.retryAfterSeconds ?? 1))
        sendAuth0Error(res, 429, 'too_many_requests', 'Global limit has been reached', {'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + seconds)})
      } else {
        sendAuth0Error(res, error.status, error.code ?? (error.kind === 'server' ? 'internal_error' : 'bad_request'), error.message)
      }
    },
    seed: () => void open(SANDBOX_AUTH0_DOMAIN),
    describe: () => {
      const t = open(SANDBOX_AUTH0_DOMAIN).data
      return {domain: t.domain, roles: t.roles.length, users: t.users.length, clients: t.clients.map((c) => c.name)}
    },
  }
}
