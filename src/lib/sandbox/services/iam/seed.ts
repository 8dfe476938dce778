/**
 * The demo IMPRESS AWS account, with deliberate violations: no MFA on the root user, dave
 * with a console password and no MFA (his exception has expired), eve (a leaver) with an
 * active access key, and temp-contractor, whom nobody put on the roster.
 */
export interface IamUser {
  UserName: string
  UserId: string
  Path: string
  CreateDate: string
  PasswordLastUsed?: string
  LoginProfile?: {CreateDate: string; PasswordResetRequired: boolean}
  MFADevices: {SerialNumber: string; EnableDate: string}[]
  AccessKeys: {AccessKeyId: string; Status: 'Active' | 'Inactive'; CreateDate: string; LastUsedDate?: string}[]
  /** Group names the user is in (absent: none). */
  Groups?: string[]
  /** Managed policies attached to the user (absent: none). */
  AttachedPolicies?: {PolicyName: string; PolicyArn: string}[]
  /** Inline policy names (absent: none). */
  InlinePolicies?: string[]
}

export interface IamState {
  createdAt: string
  rootMfa: boolean
  rootPasswordLastUsed?: string
  users: IamUser[]
  report?: {startedAt: number; readyAt: number; completedAt?: number; csv: string}
}

export function iamUser(name: string, options: {console?: boolean; mfa?: boolean; keys?: ('Active' | 'Inactive')[]; path?: string} = {}): IamUser {
  const created = '2025-03-01T09:00:00.000Z'
  const tag = name.toUpperCase().replace(/[^A-Z0-9]/g, '').padEnd(8, 'X').slice(0, 8)
  return {
    UserName: name,
    UserId: `AIDA${tag}EXAMPLE01`,
    Path: options.path ?? '/',
    CreateDate: created,
    ...(options.console ? {PasswordLastUsed: '2026-11-20T08:15:00.000Z', LoginProfile: {CreateDate: created, PasswordResetRequired: false}} : {}),
    MFADevices: options.mfa ? [{SerialNumber: `arn:aws:iam::000000000000:mfa/${name}`, EnableDate: created}] : [],
    AccessKeys: (options.keys ?? []).map((Status, i) => ({AccessKeyId: `AKIA${tag}${String(i + 1).padStart(8, '0')}`, Status, CreateDate: created, LastUsedDate: '2026-11-01T10:00:00.000Z'})),
  }
}

export function demoIam(): IamState {
  return {
    createdAt: '2024-01-15T12:00:00.000Z',
    rootMfa: false,
    rootPasswordLastUsed: '2026-02-02T10:00:00.000Z',
    users: [
      iamUser('alice', {console: true, mfa: true}),
      iamUser('dave', {console: true, mfa: false, keys: ['Active']}),
      iamUser('eve', {console: false, keys: ['Active', 'Inactive']}),
      iamUser('ci-deploy', {path: '/service/', keys: ['Active']}),
      iamUser('temp-contractor', {console: true, mfa: false}),
    ],
  }
}
