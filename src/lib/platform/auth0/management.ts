/**
 * The Auth0 adapter: implements the roles ports with the official SDK (`auth0` package, its
 * v4 API under `auth0/legacy`). Pagination that never truncates (totals checked; offset paging
 * up to Auth0's 1,000-record limit, checkpoint paging or keyset slices past it), batching of
 * role assignments, rate-limit handling (fetch.ts) and error translation live here.
 */
import {ImpressError, OperationError} from '../../errors.js'
import type {ClientSecretPort, RolesTenantPort, Tenant, TenantApi, TenantClient, TenantPermission, TenantRole, TenantUser} from '../../roles/ports.js'
import {createAuth0Fetch, type Auth0FetchStats, type FetchFn} from './fetch.js'

export interface Auth0Target {
  domain: string
  clientId: string
  clientSecret: string
  /** Sandbox base URL when the environment targets the sandbox. */
  sandboxUrl?: string
  signal?: AbortSignal
  concurrency?: number
  onWait?: (ms: number, reason: string) => void
}

/** Auth0's cap on offset paging, and its largest page. */
export const OFFSET_LIMIT = 1000
export const PAGE_SIZE = 100
/** Users per POST /roles/{id}/users. */
export const ASSIGN_BATCH = 100

interface ApiResponseLike<T> {
  data: T
}
type Paged<K extends string, T> = {[key in K]: T[]} & {total: number; start?: number; limit?: number}

/** Read every page of an offset-paginated list and check the count against the reported total. */
export async function readOffsetPages<T>(what: string, fetchPage: (page: number, perPage: number) => Promise<{items: T[]; total: number}>, perPage = PAGE_SIZE): Promise<T[]> {
  const first = await fetchPage(0, perPage)
  const total = first.total
  if (total > OFFSET_LIMIT) throw new OperationError(`${what}: ${total} records exceed the ${OFFSET_LIMIT}-record offset limit.`, {code: 'E_AUTH0_PAGING'})
  const got = first.items.length
  const pages = got === 0 ? 0 : Math.ceil(total / got)
  const rest = await Promise.all(Array.from({length: Math.max(0, pages - 1)}, (_, i) => fetchPage(i + 1, perPage)))
  const all = [...first.items, ...rest.flatMap((r) => r.items)]
  assertComplete(what, all.length, total)
  return all
}

export function assertComplete(what: string, read: number, total: number): void {
  if (read !== total) {
    throw new OperationError(`Read ${read} ${what} but Auth0 reported ${total}: refusing to work from a truncated list.`, {
      code: 'E_AUTH0_TRUNCATED',
      hint: 'The tenant changed while it was read, or a page was cut short; run the command again.',
    })
  }
}

export class Auth0Adapter implements RolesTenantPort, ClientSecretPort {
  readonly stats: Auth0FetchStats
  private readonly fetchFn: FetchFn
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private clientPromise?: Promise<any>

  constructor(private readonly target: Auth0Target) {
    const f = createAuth0Fetch({sandboxUrl: target.sandboxUrl, signal: target.signal, concurrency: target.concurrency ?? 6, onWait: target.onWait})
    this.fetchFn = f.fetch
    this.stats = f.stats
  }

  get managementAudience(): string {
    return `https://${this.target.domain}/api/v2/`
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private client(): Promise<any> {
    this.clientPromise ??= (async () => {
      const {ManagementClient} = await import('auth0/legacy')
      return new ManagementClient({
        domain: this.target.domain,
        clientId: this.target.clientId,
        clientSecret: this.target.clientSecret,
        audience: this.managementAudience,
        fetch: this.fetchFn as never,
        retry: {enabled: false},
        timeoutDuration: 120_000,
      })
    })()
    return this.clientPromise
  }

  private async call<T>(what: string, fn: () => Promise<ApiResponseLike<T>>): Promise<T> {
    try {
      return (await fn()).data
    } catch (error) {
      throw translate(error, what, this.target.domain)
    }
  }

  async readTenant(): Promise<Tenant> {
    const m = await this.client()
    const [apis, clients, roles, users] = await Promise.all([this.readApis(m), this.readClients(m), this.readRoles(m), this.readUsers(m)])
    const full = await Promise.all(
      roles.map(async (r) => {
        const [permissions, members] = await Promise.all([this.readRolePermissions(m, r.id, r.name), this.readRoleMembers(m, r.id, r.name)])
        return {...r, permissions, members}
      }),
    )
    return {apis, clients, roles: full, users}
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private async readApis(m: any): Promise<TenantApi[]> {
    const list = await readOffsetPages('resource servers', async (page, per_page) => {
      const d = await this.call<Paged<'resource_servers', {identifier: string; name: string; scopes?: {value: string}[]; is_system?: boolean}>>('list resource servers', () => m.resourceServers.getAll({page, per_page, include_totals: true}))
      return {items: d.resource_servers, total: d.total}
    }, 50)
    return list.filter((r) => !r.is_system).map((r) => ({identifier: r.identifier, name: r.name, scopes: (r.scopes ?? []).map((s) => s.value)}))
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private async readClients(m: any): Promise<TenantClient[]> {
    const list = await readOffsetPages('clients', async (page, per_page) => {
      const d = await this.call<Paged<'clients', {client_id: string; name: string; app_type?: string}>>('list clients', () => m.clients.getAll({page, per_page, include_totals: true, fields: 'client_id,name,app_type', include_fields: true}))
      return {items: d.clients, total: d.total}
    }, 50)
    return list.map((c) => ({clientId: c.client_id, name: c.name, appType: c.app_type ?? ''}))
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private async readRoles(m: any): Promise<Omit<TenantRole, 'permissions' | 'members'>[]> {
    const list = await readOffsetPages('roles', async (page, per_page) => {
      const d = await this.call<Paged<'roles', {id: string; name: string; description?: string}>>('list roles', () => m.roles.getAll({page, per_page, include_totals: true}))
      return {items: d.roles, total: d.total}
    })
    return list.map((r) => ({id: r.id, name: r.name, description: r.description ?? ''}))
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private async readRolePermissions(m: any, id: string, name: string): Promise<TenantPermission[]> {
    const list = await readOffsetPages(`permissions of role ${name}`, async (page, per_page) => {
      const d = await this.call<Paged<'permissions', {resource_server_identifier: string; permission_name: string}>>(`list permissions of role ${name}`, () => m.roles.getPermissions({id, page, per_page, include_totals: true}))
      return {items: d.permissions, total: d.total}
    })
    return list.map((p) => ({api: p.resource_server_identifier, name: p.permission_name}))
  }

  /** A role's users: offset pages up to 1,000, checkpoint pagination past it; count checked. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private async readRoleMembers(m: any, id: string, name: string): Promise<string[]> {
    const what = `users of role ${name}`
    const page = (p: number) => this.call<Paged<'users', {user_id: string}>>(what, () => m.roles.getUsers({id, page: p, per_page: PAGE_SIZE, include_totals: true}))
    const first = await page(0)
    if (first.total <= OFFSET_LIMIT) {
      const got = first.users.length
      const pages = got === 0 ? 0 : Math.ceil(first.total / got)
      const rest = await Promise.all(Array.from({length: Math.max(0, pages - 1)}, (_, i) => page(i + 1)))
      const ids = [...first.users, ...rest.flatMap((r) => r.users)].map((u) => u.user_id)
      assertComplete(what, ids.length, first.total)
      return ids
    }
    const ids: string[] = []
    let from: string | undefined
    for (;;) {
      const d = await this.call<{users: {user_id: string}[]; next?: string}>(what, () => m.roles.getUsers({id, take: PAGE_SIZE, ...(from ? {from} : {})}))
      ids.push(...d.users.map((u) => u.user_id))
      if (!d.next || d.users.length === 0) break
      from = d.next
    }
    assertComplete(what, new Set(ids).size, first.total)
    return [...new Set(ids)]
  }

  /**
   * Every user. Up to 1,000: offset pages (sorted by created_at, concurrently). Past it, GET
   * /users has no checkpoint pagination, so the list is read in keyset slices of at most 1,000:
   * `q=created_at:[LAST TO *]`, `sort=created_at:1` (range queries are part of the documented
   * search syntax); overlaps are removed by user_id and the count is checked against the total.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private async readUsers(m: any): Promise<TenantUser[]> {
    type U = {user_id: string; email?: string; created_at?: string}
    const page = (p: number, q?: string) =>
      this.call<Paged<'users', U>>('list users', () => m.users.getAll({page: p, per_page: PAGE_SIZE, include_totals: true, sort: 'created_at:1', fields: 'user_id,email,created_at', include_fields: true, ...(q ? {q, search_engine: 'v3'} : {})}))
    const first = await page(0)
    const total = first.total
    const seen = new Map<string, U>()
    const add = (list: U[]) => {
      for (const u of list) seen.set(u.user_id, u)
    }
    const slice = async (firstPage: Paged<'users', U>, q?: string) => {
      add(firstPage.users)
      const got = firstPage.users.length
      const inSlice = Math.min(firstPage.total, OFFSET_LIMIT)
      const pages = got === 0 ? 0 : Math.ceil(inSlice / got)
      const rest = await Promise.all(Array.from({length: Math.max(0, pages - 1)}, (_, i) => page(i + 1, q)))
      const all = [...firstPage.users, ...rest.flatMap((r) => r.users)]
      add(all)
      return all
    }
    let last = await slice(first)
    while (seen.size < total) {
      const lastCreated = last.at(-1)?.created_at
      if (!lastCreated) break
      const q = `created_at:["${lastCreated}" TO *]`
      const next = await page(0, q)
      const before = seen.size
      last = await slice(next, q)
      if (seen.size === before) break
    }
    assertComplete('users', seen.size, total)
    return [...seen.values()].map((u) => ({userId: u.user_id, email: u.email ?? ''}))
  }

  async createRole(name: string, description: string): Promise<string> {
    const m = await this.client()
    const r = await this.call<{id: string}>(`create role ${name}`, () => m.roles.create({name, description}))
    return r.id
  }

  async updateRole(roleId: string, description: string): Promise<void> {
    const m = await this.client()
    await this.call(`update role ${roleId}`, () => m.roles.update({id: roleId}, {description}))
  }

  async deleteRole(roleId: string): Promise<void> {
    const m = await this.client()
    await this.call(`delete role ${roleId}`, () => m.roles.delete({id: roleId}))
  }

  async addPermissions(roleId: string, permissions: TenantPermission[]): Promise<void> {
    const m = await this.client()
    await this.call(`add permissions to role ${roleId}`, () => m.roles.addPermissions({id: roleId}, {permissions: permissions.map((p) => ({resource_server_identifier: p.api, permission_name: p.name}))}))
  }

  async removePermissions(roleId: string, permissions: TenantPermission[]): Promise<void> {
    const m = await this.client()
    await this.call(`remove permissions from role ${roleId}`, () => m.roles.deletePermissions({id: roleId}, {permissions: permissions.map((p) => ({resource_server_identifier: p.api, permission_name: p.name}))}))
  }

  async assignUsers(roleId: string, userIds: string[]): Promise<void> {
    const m = await this.client()
    const batches: string[][] = []
    for (let i = 0; i < userIds.length; i += ASSIGN_BATCH) batches.push(userIds.slice(i, i + ASSIGN_BATCH))
    await Promise.all(batches.map((users) => this.call(`assign role ${roleId}`, () => m.roles.assignUsers({id: roleId}, {users}))))
  }

  async removeUserRoles(userId: string, roleIds: string[]): Promise<void> {
    const m = await this.client()
    await this.call(`remove roles from user ${userId}`, () => m.users.deleteRoles({id: userId}, {roles: roleIds}))
  }

  async rotateSecret(clientId: string): Promise<string> {
    const m = await this.client()
    const c = await this.call<{client_secret?: string}>(`rotate the secret of client ${clientId}`, () => m.clients.rotateClientSecret({client_id: clientId}))
    if (!c.client_secret) throw new OperationError(`Auth0 rotated the secret of client ${clientId} but returned no secret.`, {hint: 'Check that the Management API client has the update:client_keys scope.'})
    return c.client_secret
  }

  async verify(clientId: string, clientSecret: string, audience: string): Promise<boolean> {
    const {AuthenticationClient} = await import('auth0/legacy')
    const auth = new AuthenticationClient({domain: this.target.domain, clientId, clientSecret, fetch: this.fetchFn as never, timeoutDuration: 30_000})
    try {
      const r = await auth.oauth.clientCredentialsGrant({audience})
      return typeof r.data.access_token === 'string' && r.data.access_token.length > 0
    } catch (error) {
      const status = (error as {statusCode?: number}).statusCode
      if (status === 401 || status === 403) return false
      throw translate(error, `verify client ${clientId}`, this.target.domain)
    }
  }
}

export function translate(error: unknown, what: string, domain: string): Error {
  const e = error as {name?: string; statusCode?: number; message?: string; errorCode?: string; error?: string; error_description?: string}
  const status = e?.statusCode
  const detail = e?.error_description ?? e?.message ?? String(error)
  if (status === 401 || status === 403 || e?.name === 'AuthApiError') {
    return new OperationError(`Auth0 (${domain}) refused to ${what}: ${detail}`, {
      code: 'E_AUTH0_AUTH',
      hint: 'Check auth0.clientId / auth0.clientSecret and the scopes granted to that application on the Management API.',
      cause: error,
    })
  }
  if (status === 429) return new OperationError(`Auth0 (${domain}) kept rate-limiting the request to ${what}.`, {code: 'E_AUTH0_RATE', hint: 'Wait a minute and run the command again.', cause: error})
  if (e?.name === 'FetchError' || e?.name === 'TimeoutError') {
    return new OperationError(`Cannot reach Auth0 (${domain}) to ${what}: ${detail}`, {code: 'E_AUTH0_NETWORK', hint: 'Check the network and auth0.domain in the configuration.', cause: error})
  }
  if (error instanceof ImpressError) return error
  return new OperationError(`Auth0 (${domain}) failed to ${what}${status ? ` (HTTP ${status}${e.errorCode ? ` ${e.errorCode}` : ''})` : ''}: ${detail}`, {code: 'E_AUTH0', hint: 'Run with --verbose for the cause; fix the input or retry.', cause: error})
}
