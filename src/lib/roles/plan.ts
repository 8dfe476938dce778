/**
 * The plan: the difference between roles.yaml and the tenant, grouped the way a reviewer reads
 * it (roles, permissions, members, users missing the default role, expired grants), plus the
 * invariants every plan must satisfy before anything is applied. Pure functions.
 */
import type {LoadedRolesFile} from './file.js'
import {fileError, fileRoles} from './file.js'
import type {Tenant, TenantPermission, TenantRole} from './ports.js'
import {grantEnd, memberEmail, type RolesFile} from './schema.js'
import {didYouMean} from '../cli/suggest.js'

export interface MemberChange {
  role: string
  roleId?: string
  email: string
  userId: string
}
export interface PermissionChange {
  role: string
  roleId?: string
  api: string
  permission: string
}
export interface RolesPlan {
  createRoles: {name: string; description: string}[]
  updateRoles: {name: string; roleId: string; description: {from: string; to: string}}[]
  deleteRoles: {name: string; roleId: string; holders: number}[]
  addPermissions: PermissionChange[]
  removePermissions: PermissionChange[]
  addMembers: MemberChange[]
  removeMembers: (MemberChange & {reason: 'not-in-file' | 'role-deleted'})[]
  missingDefault: MemberChange[]
  expiredGrants: (MemberChange & {expires: string})[]
}

export interface PlanSummary {
  changes: number
  removals: number
  assignments: number
}

/** What the file wants, resolved against the tenant (emails → user ids, permissions → APIs). */
export interface DesiredRole {
  name: string
  description?: string
  privileged: boolean
  permissions: TenantPermission[]
  /** Non-expired members: user id → email. */
  members: Map<string, string>
  /** Expired grants: user id → [email, expires]. */
  expired: Map<string, [string, string]>
  /** Members without `expires`. */
  permanent: string[]
}

export function emptyPlan(): RolesPlan {
  return {createRoles: [], updateRoles: [], deleteRoles: [], addPermissions: [], removePermissions: [], addMembers: [], removeMembers: [], missingDefault: [], expiredGrants: []}
}

export function planChanges(p: RolesPlan): number {
  return Object.values(p).reduce((n, list: unknown[]) => n + list.length, 0)
}

export function summarize(p: RolesPlan, tenant: Tenant): PlanSummary {
  return {changes: planChanges(p), removals: p.removeMembers.length + p.expiredGrants.length, assignments: tenant.roles.reduce((n, r) => n + r.members.length, 0)}
}

/** Resolve the file against the tenant; unknown APIs, permissions, clients and users are input errors naming the line. */
export function resolveDesired(loaded: LoadedRolesFile, tenant: Tenant, now: number): DesiredRole[] {
  const {data, file, lineOf} = loaded
  const byEmail = new Map<string, string>()
  for (const u of tenant.users) if (u.email && !byEmail.has(u.email.toLowerCase())) byEmail.set(u.email.toLowerCase(), u.userId)
  const apis = new Map(tenant.apis.map((a) => [a.identifier, a]))
  for (const [i, app] of data.applications.entries()) {
    if (app.api && !apis.has(app.api)) throw fileError(file, lineOf(['applications', i, 'api']), `unknown API "${app.api}" (no such Auth0 resource server).${didYouMean(app.api, apis.keys())}`, `Use one of: ${[...apis.keys()].join(', ')}.`)
    if (app.client && !tenant.clients.some((c) => c.name === app.client)) throw fileError(file, lineOf(['applications', i, 'client']), `unknown application "${app.client}" (no such Auth0 client).${didYouMean(app.client, tenant.clients.map((c) => c.name))}`, 'Use the name of an application of the tenant.')
  }
  const out: DesiredRole[] = []
  for (const {role, app, path} of fileRoles(data)) {
    const api = app?.api ? apis.get(app.api) : undefined
    const permissions: TenantPermission[] = []
    for (const [pi, p] of role.permissions.entries()) {
      if (!api) throw fileError(file, lineOf([...path, 'permissions', pi]), `role "${role.name}" has permission "${p}" but no API`, 'Put the role under an application with an api.')
      if (!api.scopes.includes(p)) {
        throw fileError(file, lineOf([...path, 'permissions', pi]), `unknown permission "${p}" on API ${api.identifier} (role "${role.name}").${didYouMean(p, api.scopes)}`, `The API defines: ${api.scopes.join(', ') || '(none)'}.`, {permission: p, role: role.name})
      }
      permissions.push({api: api.identifier, name: p})
    }
    const members = new Map<string, string>()
    const expired = new Map<string, [string, string]>()
    const permanent: string[] = []
    for (const [mi, m] of role.members.entries()) {
      const email = memberEmail(m)
      const userId = byEmail.get(email)
      if (!userId) throw fileError(file, lineOf([...path, 'members', mi]), `unknown user ${email} in role "${role.name}" (no Auth0 user has this email).${didYouMean(email, byEmail.keys())}`, 'Check the spelling, or create the user first.', {email, role: role.name})
      const end = grantEnd(m)
      if (end !== undefined && end <= now) expired.set(userId, [email, typeof m === 'string' ? '' : m.expires])
      else members.set(userId, email)
      if (end === undefined) permanent.push(email)
    }
    out.push({name: role.name, description: role.description, privileged: Boolean(role.privileged), permissions, members, expired, permanent})
  }
  return out
}

const permKey = (p: TenantPermission) => `${p.api} ${p.name}`

export function computePlan(loaded: LoadedRolesFile, tenant: Tenant, now: number): RolesPlan {
  const desired = resolveDesired(loaded, tenant, now)
  return diff(loaded.data, desired, tenant)
}

export function diff(data: RolesFile, desired: DesiredRole[], tenant: Tenant): RolesPlan {
  const plan = emptyPlan()
  const emailOf = new Map(tenant.users.map((u) => [u.userId, u.email]))
  const byName = new Map(tenant.roles.map((r) => [r.name, r]))
  const wanted = new Set(desired.map((d) => d.name))
  for (const d of desired) {
    const t = byName.get(d.name)
    if (!t) {
      plan.createRoles.push({name: d.name, description: d.description ?? ''})
      for (const p of d.permissions) plan.addPermissions.push({role: d.name, api: p.api, permission: p.name})
      if (d.name === data.default) {
        for (const u of tenant.users) plan.missingDefault.push({role: d.name, email: u.email, userId: u.userId})
      } else {
        for (const [userId, email] of d.members) plan.addMembers.push({role: d.name, email, userId})
      }
      continue
    }
    if (d.description !== undefined && d.description !== t.description) plan.updateRoles.push({name: d.name, roleId: t.id, description: {from: t.description, to: d.description}})
    const have = new Set(t.permissions.map(permKey))
    const want = new Set(d.permissions.map(permKey))
    for (const p of d.permissions) if (!have.has(permKey(p))) plan.addPermissions.push({role: d.name, roleId: t.id, api: p.api, permission: p.name})
    for (const p of t.permissions) if (!want.has(permKey(p))) plan.removePermissions.push({role: d.name, roleId: t.id, api: p.api, permission: p.name})
    const holders = new Set(t.members)
    if (d.name === data.default) {
      for (const u of tenant.users) if (!holders.has(u.userId)) plan.missingDefault.push({role: d.name, roleId: t.id, email: u.email, userId: u.userId})
      continue
    }
    for (const [userId, email] of d.members) if (!holders.has(userId)) plan.addMembers.push({role: d.name, roleId: t.id, email, userId})
    for (const userId of t.members) {
      if (d.members.has(userId)) continue
      const exp = d.expired.get(userId)
      if (exp) plan.expiredGrants.push({role: d.name, roleId: t.id, email: exp[0], userId, expires: exp[1]})
      else plan.removeMembers.push({role: d.name, roleId: t.id, email: emailOf.get(userId) ?? userId, userId, reason: 'not-in-file'})
    }
  }
  for (const t of tenant.roles) {
    if (wanted.has(t.name)) continue
    plan.deleteRoles.push({name: t.name, roleId: t.id, holders: t.members.length})
    for (const userId of t.members) plan.removeMembers.push({role: t.name, roleId: t.id, email: emailOf.get(userId) ?? userId, userId, reason: 'role-deleted'})
  }
  sortPlan(plan)
  return plan
}

function sortPlan(p: RolesPlan): void {
  const by = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)
  p.createRoles.sort(by((x) => x.name))
  p.updateRoles.sort(by((x) => x.name))
  p.deleteRoles.sort(by((x) => x.name))
  p.addPermissions.sort(by((x) => `${x.role} ${x.permission}`))
  p.removePermissions.sort(by((x) => `${x.role} ${x.permission}`))
  p.addMembers.sort(by((x) => `${x.role} ${x.email}`))
  p.removeMembers.sort(by((x) => `${x.role} ${x.email}`))
  p.missingDefault.sort(by((x) => x.email))
  p.expiredGrants.sort(by((x) => `${x.role} ${x.email}`))
}

/** The tenant as it is after the plan is applied (what `apply` does, in memory). */
export function simulate(tenant: Tenant, plan: RolesPlan, newId: (name: string) => string = (n) => `new:${n}`): Tenant {
  const roles: TenantRole[] = tenant.roles.map((r) => ({...r, permissions: [...r.permissions], members: [...r.members]}))
  const find = (name: string) => roles.find((r) => r.name === name)!
  for (const c of plan.createRoles) roles.push({id: newId(c.name), name: c.name, description: c.description, permissions: [], members: []})
  for (const u of plan.updateRoles) find(u.name).description = u.description.to
  for (const a of plan.addPermissions) find(a.role).permissions.push({api: a.api, name: a.permission})
  for (const a of [...plan.addMembers, ...plan.missingDefault]) {
    const r = find(a.role)
    if (!r.members.includes(a.userId)) r.members.push(a.userId)
  }
  for (const x of plan.removePermissions) {
    const r = find(x.role)
    r.permissions = r.permissions.filter((p) => !(p.api === x.api && p.name === x.permission))
  }
  for (const x of [...plan.removeMembers, ...plan.expiredGrants]) {
    const r = find(x.role)
    r.members = r.members.filter((m) => m !== x.userId)
  }
  const deleted = new Set(plan.deleteRoles.map((d) => d.name))
  return {...tenant, roles: roles.filter((r) => !deleted.has(r.name))}
}

export interface Violation {
  rule: 'default-role' | 'privileged-expiry' | 'min-admins' | 'allow-delete' | 'max-removals'
  message: string
  /** The flag that lets the plan through, when one does. */
  override?: '--allow-delete' | '--allow-mass-removal'
}

export interface InvariantOptions {
  allowDelete?: boolean
  allowMassRemoval?: boolean
}

export function maxRemovalsOf(data: RolesFile, assignments: number): number {
  const v = data.maxRemovals
  if (typeof v === 'number') return v
  return Math.floor((Number.parseInt(v, 10) / 100) * assignments)
}

/** Plan-time invariants, checked before anything is applied. */
export function checkInvariants(loaded: LoadedRolesFile, tenant: Tenant, plan: RolesPlan, now: number, options: InvariantOptions = {}): Violation[] {
  const data = loaded.data
  const desired = resolveDesired(loaded, tenant, now)
  const after = simulate(tenant, plan)
  const out: Violation[] = []
  const def = after.roles.find((r) => r.name === data.default)
  const holders = new Set(def?.members ?? [])
  const without = tenant.users.filter((u) => !holders.has(u.userId))
  if (without.length > 0) out.push({rule: 'default-role', message: `${without.length} user(s) would not hold the default role ${data.default} (e.g. ${without[0].email})`})
  for (const d of desired.filter((x) => x.privileged)) {
    if (d.permanent.length > 0) out.push({rule: 'privileged-expiry', message: `privileged role ${d.name} grants ${d.permanent.join(', ')} without expires`})
    const count = after.roles.find((r) => r.name === d.name)?.members.length ?? 0
    if (count < data.minAdmins && !options.allowDelete) {
      out.push({rule: 'min-admins', message: `privileged role ${d.name} would have ${count} holder(s), fewer than minAdmins (${data.minAdmins})`, override: '--allow-delete'})
    }
  }
  if (plan.deleteRoles.length > 0 && !options.allowDelete) {
    out.push({rule: 'allow-delete', message: `the plan deletes role(s) ${plan.deleteRoles.map((d) => d.name).join(', ')}`, override: '--allow-delete'})
  }
  const s = summarize(plan, tenant)
  const max = maxRemovalsOf(data, s.assignments)
  if (s.removals > max && !options.allowMassRemoval) {
    out.push({rule: 'max-removals', message: `the plan removes ${s.removals} assignment(s), more than maxRemovals (${max} of ${s.assignments})`, override: '--allow-mass-removal'})
  }
  return out
}
