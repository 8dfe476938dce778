/**
 * The ports of the access capability: what a service grants one account (each grant removed
 * by exactly one write), removing a grant, and who administers the service. Implemented by
 * the platform adapters (IAM, GitHub, Cloudflare, Google Directory, Auth0 staff).
 */
import type {ServiceId} from '../compliance/types.js'

export interface Grant {
  service: ServiceId
  /** The account on the service (IAM user, GitHub login, e-mail). */
  account: string
  /** e.g. access-key, login-profile, org-member, account-member, user. */
  kind: string
  /** What the write acts on (key id, member id, user id…). */
  id: string
  /** One line for the plan: "delete access key AKIA…". */
  action: string
}

export interface AccessWriter {
  readonly service: ServiceId
  /** What `account` holds on the service now, in the order the writes must run (empty: nothing). */
  grants(account: string): Promise<Grant[]>
  /** Remove one grant with one write; a grant already gone counts as removed. */
  revoke(grant: Grant): Promise<void>
  /** Accounts that administer the service (lower-case), for the last-admin rule; undefined: the service has no such notion here. */
  admins?(): Promise<string[] | undefined>
  /** The account the credentials act as, when the service can tell (self-revocation warning). */
  self?(): Promise<string | undefined>
}
