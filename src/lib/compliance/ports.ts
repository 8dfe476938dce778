/**
 * The ports the compliance capability needs: small interfaces that the platform adapters
 * implement over the real SDKs (and tests implement with fakes).
 */
import type {ServiceId, ServiceSnapshot} from './types.js'

export interface SnapshotRequest {
  /** Accounts of leavers, for which an adapter gathers detail (e.g. IAM access key ids). */
  leavers: string[]
  signal?: AbortSignal
}

/** One service's accounts and their two-factor state. */
export interface AccountSource {
  readonly service: ServiceId
  snapshot(request: SnapshotRequest): Promise<ServiceSnapshot>
}

export interface PublicKey {
  id: number
  key: string
}

/** GitHub's public SSH keys of a user (`GET /users/{login}/keys`); null when the user does not exist. */
export interface GithubKeysPort {
  userKeys(login: string): Promise<PublicKey[] | null>
  /** Logins (lower case) of the organisation's members, where the port can tell. */
  orgMemberLogins?(): Promise<Set<string>>
}

/** Auth0 staff: users of the staff connection and their enrolled authentication methods. */
export interface Auth0StaffPort {
  staffUsers(): Promise<{user_id: string; email?: string; blocked?: boolean}[]>
  authenticationMethods(userId: string): Promise<{type: string; confirmed?: boolean}[]>
  /** PATCH /api/v2/users/{id} {blocked} (impress access revoke). */
  setBlocked?(userId: string, blocked: boolean): Promise<void>
}
