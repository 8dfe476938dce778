/**
 * `roles export`: the tenant as roles.yaml, in a stable order (applications, roles, members by
 * name/email; permissions sorted), so two exports of the same tenant are byte-identical.
 * What only the file knows (privileged, expires, rotate, secret, the rules at the top) is
 * kept from the existing file.
 */
import {stringify} from 'yaml'
import {OperationError} from '../errors.js'
import type {Tenant, TenantRole} from './ports.js'
import {memberEmail, type ApplicationEntry, type MemberEntry, type RoleEntry, type RolesFile} from './schema.js'
import {fileRoles} from './file.js'

export const SCHEMA_COMMENT = '# yaml-language-server: $schema=https://impress.example/schema/roles.schema.json'

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

export function exportRoles(tenant: Tenant, existing?: RolesFile): RolesFile {
  const previous = new Map<string, RoleEntry>()
  if (existing) for (const {role} of fileRoles(existing)) previous.set(role.name, role)
  const defaultRole = existing?.default ?? 'USER'
  const emailOf = new Map(tenant.users.map((u) => [u.userId, u.email]))
  const apps = new Map<string, ApplicationEntry>()
  for (const a of existing?.applications ?? []) apps.set(a.name, {...a, roles: []})
  const appForApi = (identifier: string): ApplicationEntry => {
    for (const a of apps.values()) if (a.api === identifier) return a
    const api = tenant.apis.find((x) => x.identifier === identifier)
    const name = api?.name.replace(/[^A-Za-z0-9_.-]/g, '-') ?? identifier.replace(/[^A-Za-z0-9_.-]/g, '-')
    const client = tenant.clients.find((c) => c.name === api?.name)
    const app: ApplicationEntry = {name, ...(client ? {client: client.name} : {}), api: identifier, roles: []}
    apps.set(name, app)
    return app
  }
  const loose: RoleEntry[] = []
  for (const r of [...tenant.roles].sort((a, b) => cmp(a.name, b.name))) {
    const entry = roleEntry(r, previous.get(r.name), r.name === defaultRole, emailOf)
    const apis = [...new Set(r.permissions.map((p) => p.api))]
    if (apis.length > 1) {
      throw new OperationError(`Role ${r.name} has permissions on several APIs (${apis.join(', ')}); roles.yaml keeps each role under one application.`, {
        code: 'E_ROLES_SHAPE',
        hint: 'Split the role in Auth0 (one role per API), then export again.',
      })
    }
    if (apis.length === 1) appForApi(apis[0]).roles.push(entry)
    else loose.push(entry)
  }
  const applications = [...apps.values()]
    .filter((a) => a.roles.length > 0 || a.rotate || a.client)
    .sort((a, b) => cmp(a.name, b.name))
    .map((a) => ({name: a.name, ...(a.client ? {client: a.client} : {}), ...(a.api ? {api: a.api} : {}), ...(a.rotate ? {rotate: true} : {}), ...(a.secret ? {secret: a.secret} : {}), roles: a.roles}))
  return {
    default: defaultRole,
    minAdmins: existing?.minAdmins ?? 1,
    maxRemovals: existing?.maxRemovals ?? '10%',
    applications,
    ...(loose.length > 0 ? {roles: loose} : {}),
  }
}

function roleEntry(r: TenantRole, prev: RoleEntry | undefined, isDefault: boolean, emailOf: Map<string, string>): RoleEntry {
  const prevMembers = new Map<string, MemberEntry>((prev?.members ?? []).map((m) => [memberEmail(m), m]))
  const members: MemberEntry[] = isDefault
    ? []
    : r.members
        .map((id) => emailOf.get(id))
        .filter((e): e is string => Boolean(e))
        .map((e) => e.toLowerCase())
        .sort(cmp)
        .map((email) => {
          const p = prevMembers.get(email)
          return p && typeof p !== 'string' ? {email, expires: p.expires} : email
        })
  return {
    name: r.name,
    ...(r.description ? {description: r.description} : {}),
    ...(prev?.privileged ? {privileged: true} : {}),
    permissions: r.permissions.map((p) => p.name).sort(cmp),
    members,
  }
}

export function renderRolesYaml(file: RolesFile): string {
  return `${SCHEMA_COMMENT}\n${stringify(file, {lineWidth: 0, indent: 2, indentSeq: true})}`
}
