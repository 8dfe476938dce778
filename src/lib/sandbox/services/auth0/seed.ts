/**
 * The demo IMPRESS Auth0 tenant: one API and one application per module, a portal API that
 * carries the default role USER, roles with read/write permissions, ~200 platform users
 * (a few missing USER) and the staff connection `impress-staff` that compliance checks read.
 */
import {createHash} from 'node:crypto'

export interface RsScope {
  value: string
  description: string
}
export interface ResourceServer {
  id: string
  name: string
  identifier: string
  is_system?: boolean
  scopes: RsScope[]
  signing_alg: string
  token_lifetime: number
}
export interface Client {
  client_id: string
  client_secret: string
  name: string
  app_type: 'spa' | 'regular_web' | 'non_interactive' | 'native'
  description?: string
  /** A rotated secret not yet accepted by /oauth/token before this time (epoch ms). */
  secret_accept_at?: number
}
export interface Role {
  id: string
  name: string
  description: string
}
export interface RolePermission {
  resource_server_identifier: string
  permission_name: string
}
export interface AuthMethod {
  id: string
  type: string
  confirmed: boolean
  name?: string
  created_at: string
}
export interface User {
  user_id: string
  email: string
  email_verified: boolean
  name: string
  nickname: string
  picture: string
  connection: string
  created_at: string
  updated_at: string
  last_login?: string
  logins_count: number
  blocked?: boolean
  authentication_methods: AuthMethod[]
}
export interface TenantState {
  domain: string
  resourceServers: ResourceServer[]
  clients: Client[]
  roles: Role[]
  rolePermissions: Record<string, RolePermission[]>
  /** role id → user ids, in assignment order. */
  roleUsers: Record<string, string[]>
  users: User[]
  /** Requests per window and the window length (real ms). */
  rateLimit: {limit: number; windowMs: number}
  /** Simulated ms before a rotated client secret is accepted by /oauth/token. */
  secretPropagationMs: number
}

export const SANDBOX_AUTH0_DOMAIN = 'impress-sandbox.eu.auth0.com'
/** The CLI's own machine-to-machine application in the sandbox tenant (plain sandbox values). */
export const SANDBOX_OPS_CLIENT_ID = 'impress-ops-sandbox'
export const SANDBOX_OPS_CLIENT_SECRET = 'impress-ops-sandbox-client-secret'
export const STAFF_CONNECTION = 'impress-staff'
export const USER_CONNECTION = 'Username-Password-Authentication'

export const MODULE_APIS: Record<string, string[]> = {
  portal: ['read:profile', 'write:profile'],
  request: ['read:requests', 'write:requests', 'read:positions', 'write:orders'],
  compute: ['read:models', 'write:models', 'read:results'],
  etl: ['read:imports', 'write:imports'],
  message: ['read:messages', 'write:messages'],
  pdf: ['read:documents', 'write:documents'],
}

/** Staff users (email → MFA enrolled?); eve is a leaver, mallory is not on the roster. */
export const STAFF: [string, boolean][] = [
  ['alice@impress.example', true],
  ['bob@impress.example', true],
  ['carol@impress.example', false],
  ['dave@impress.example', true],
  ['eve@impress.example', true],
  ['mallory@impress.example', true],
]

export function hexId(seed: string, length = 24): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length)
}
export const roleId = (name: string) => `rol_${hexId(`role:${name}`, 16)}`
export const userId = (email: string) => `auth0|${hexId(`user:${email}`)}`
export const apiIdentifier = (module: string) => `https://${module}.impress.example/api`

const BASE_TIME = Date.parse('2024-01-15T09:00:00.000Z')

export function makeUser(email: string, index: number, connection = USER_CONNECTION, mfa = false): User {
  const created = new Date(BASE_TIME + index * 3_600_000).toISOString()
  const local = email.split('@')[0]
  return {
    user_id: userId(email),
    email,
    email_verified: true,
    name: local,
    nickname: local,
    picture: `https://s.gravatar.com/avatar/${hexId(email, 32)}?s=480&r=pg&d=identicon`,
    connection,
    created_at: created,
    updated_at: created,
    logins_count: index % 17,
    authentication_methods: mfa ? [{id: `totp|dev_${hexId(`mfa:${email}`, 16)}`, type: 'totp', confirmed: true, name: 'Authenticator app', created_at: created}] : [],
  }
}

/** Role name → [module of its API, permissions, description]. */
export const SEED_ROLES: Record<string, [string, string[], string]> = {
  USER: ['portal', ['read:profile'], 'Every IMPRESS user'],
  'platform-admin': ['portal', ['read:profile', 'write:profile'], 'Administers the IMPRESS platform'],
  'request-reader': ['request', ['read:requests', 'read:positions'], 'Reads requests and positions'],
  'request-writer': ['request', ['read:requests', 'write:requests', 'read:positions', 'write:orders'], 'Creates requests and orders'],
  'request-admin': ['request', ['read:requests', 'write:requests', 'read:positions', 'write:orders'], 'Administers requests'],
  'compute-reader': ['compute', ['read:models', 'read:results'], 'Reads models and results'],
  'compute-writer': ['compute', ['read:models', 'write:models', 'read:results'], 'Runs and edits models'],
  'etl-operator': ['etl', ['read:imports', 'write:imports'], 'Runs imports'],
  'message-reader': ['message', ['read:messages'], 'Reads messages'],
  'message-writer': ['message', ['read:messages', 'write:messages'], 'Sends messages'],
  'pdf-reader': ['pdf', ['read:documents'], 'Reads generated documents'],
}

export const platformEmail = (i: number) => `user${String(i).padStart(3, '0')}@impress.example`
/** Platform users without USER (the drift `plan` reports). */
export const MISSING_USER = [17, 58, 103, 144, 191]
/** Role name → member emails in the seeded tenant. */
export const SEED_MEMBERS: Record<string, string[]> = {
  'platform-admin': ['alice@impress.example', 'bob@impress.example'],
  'request-admin': ['alice@impress.example', 'dave@impress.example', 'user007@impress.example'],
  'request-writer': ['user010@impress.example', 'user011@impress.example', 'user012@impress.example', 'user013@impress.example', 'user014@impress.example', 'user015@impress.example'],
  'request-reader': ['user020@impress.example', 'user021@impress.example', 'user022@impress.example', 'user023@impress.example', 'user024@impress.example'],
  'compute-reader': ['user030@impress.example', 'user031@impress.example', 'user032@impress.example'],
  'compute-writer': ['carol@impress.example', 'user033@impress.example'],
  'etl-operator': ['dave@impress.example', 'user040@impress.example', 'eve@impress.example'],
  'message-reader': ['user050@impress.example', 'user051@impress.example'],
  'message-writer': ['user052@impress.example'],
  'pdf-reader': ['user060@impress.example', 'user061@impress.example', 'user062@impress.example'],
}

export function seedTenant(domain: string): TenantState {
  const resourceServers: ResourceServer[] = [
    {
      id: hexId('rs:management'),
      name: 'Auth0 Management API',
      identifier: `https://${domain}/api/v2/`,
      is_system: true,
      scopes: ['read:users', 'update:users', 'read:roles', 'create:roles', 'update:roles', 'delete:roles', 'read:clients', 'update:client_keys', 'read:resource_servers'].map((v) => ({value: v, description: v})),
      signing_alg: 'RS256',
      token_lifetime: 86_400,
    },
    ...Object.entries(MODULE_APIS).map(([m, scopes]) => ({
      id: hexId(`rs:${m}`),
      name: `impress-${m}`,
      identifier: apiIdentifier(m),
      scopes: scopes.map((s) => ({value: s, description: s.replace(':', ' ')})),
      signing_alg: 'RS256',
      token_lifetime: 86_400,
    })),
  ]
  const clients: Client[] = [
    {client_id: SANDBOX_OPS_CLIENT_ID, client_secret: SANDBOX_OPS_CLIENT_SECRET, name: 'impress-ops', app_type: 'non_interactive', description: 'The impress CLI'},
    {client_id: 'backend-m2m', client_secret: 'sandbox-initial-secret-0001', name: 'impress-backend', app_type: 'non_interactive', description: 'IMPRESS backend (machine to machine)'},
    ...Object.keys(MODULE_APIS).map((m) => ({
      client_id: hexId(`client:${m}`, 32),
      client_secret: hexId(`client-secret:${m}`, 48),
      name: `impress-${m}`,
      app_type: (m === 'portal' ? 'spa' : m === 'etl' ? 'non_interactive' : 'regular_web') as Client['app_type'],
    })),
  ]
  const users: User[] = []
  for (let i = 1; i <= 200; i++) users.push(makeUser(platformEmail(i), i))
  STAFF.forEach(([email, mfa], k) => users.push(makeUser(email, 201 + k, STAFF_CONNECTION, mfa)))
  const roles: Role[] = []
  const rolePermissions: Record<string, RolePermission[]> = {}
  const roleUsers: Record<string, string[]> = {}
  for (const [name, [module, perms, description]] of Object.entries(SEED_ROLES)) {
    const id = roleId(name)
    roles.push({id, name, description})
    rolePermissions[id] = perms.map((p) => ({resource_server_identifier: apiIdentifier(module), permission_name: p}))
    roleUsers[id] = name === 'USER' ? users.filter((_, i) => !MISSING_USER.includes(i + 1)).map((u) => u.user_id) : (SEED_MEMBERS[name] ?? []).map(userId)
  }
  return {domain, resourceServers, clients, roles, rolePermissions, roleUsers, users, rateLimit: {limit: 50, windowMs: 1000}, secretPropagationMs: 10_000}
}
