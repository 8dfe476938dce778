/**
 * The ports the roles capability works through. The Auth0 adapter
 * (src/lib/platform/auth0/management.ts) and the Secrets Manager adapter
 * (src/lib/platform/aws/secrets.ts) implement them; tests may pass in-memory versions.
 */

export interface TenantApi {
  identifier: string
  name: string
  scopes: string[]
}
export interface TenantClient {
  clientId: string
  name: string
  appType: string
}
export interface TenantPermission {
  api: string
  name: string
}
export interface TenantRole {
  id: string
  name: string
  description: string
  permissions: TenantPermission[]
  /** User ids holding the role. */
  members: string[]
}
export interface TenantUser {
  userId: string
  email: string
}
export interface Tenant {
  apis: TenantApi[]
  clients: TenantClient[]
  roles: TenantRole[]
  users: TenantUser[]
}

export interface RolesTenantPort {
  /** The whole tenant, never truncated (every list is checked against its reported total). */
  readTenant(): Promise<Tenant>
  createRole(name: string, description: string): Promise<string>
  updateRole(roleId: string, description: string): Promise<void>
  deleteRole(roleId: string): Promise<void>
  addPermissions(roleId: string, permissions: TenantPermission[]): Promise<void>
  removePermissions(roleId: string, permissions: TenantPermission[]): Promise<void>
  /** Assign a role to many users (batched by the adapter). */
  assignUsers(roleId: string, userIds: string[]): Promise<void>
  /** Remove roles from one user. */
  removeUserRoles(userId: string, roleIds: string[]): Promise<void>
}

export interface ClientSecretPort {
  /** Auth0 rotate-secret: the new secret (never printed). */
  rotateSecret(clientId: string): Promise<string>
  /** Can this client obtain a token with this secret (client credentials)? */
  verify(clientId: string, clientSecret: string, audience: string): Promise<boolean>
}

export interface SecretStorePort {
  /** Store a new version of a secret; idempotent on `token`. */
  put(secretId: string, value: string, token: string): Promise<{arn: string; versionId: string}>
  /** The current value (JSON text), to keep other fields of a stored document. */
  current(secretId: string): Promise<string | undefined>
}
