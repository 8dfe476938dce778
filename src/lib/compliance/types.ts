/**
 * The vocabulary of the compliance check: services, rules, severities, what an adapter
 * reports about a service (a snapshot of its accounts) and what the check reports back.
 */

export const SERVICES = ['aws', 'github', 'cloudflare', 'google', 'auth0'] as const
export type ServiceId = (typeof SERVICES)[number]

export const SERVICE_LABELS: Record<ServiceId, string> = {
  aws: 'AWS IAM',
  github: 'GitHub',
  cloudflare: 'Cloudflare',
  google: 'Google Workspace',
  auth0: 'Auth0 staff',
}

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const
export type Severity = (typeof SEVERITIES)[number]

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s)
}

export const CHECK_RULES = ['mfa-disabled', 'unknown-account', 'missing-account', 'duplicate-account', 'leaver-access', 'root-mfa', 'exception-expired', 'edge-https-only'] as const
export const KEY_RULES = ['key-count', 'key-type', 'key-shared', 'leaver-key', 'key-unencrypted', 'key-unreadable'] as const
export const RULES = [...CHECK_RULES, ...KEY_RULES] as const
export type RuleId = (typeof RULES)[number]

export interface RuleInfo {
  severity: Severity
  title: string
  hint: string
}

export const RULE_INFO: Record<RuleId, RuleInfo> = {
  'mfa-disabled': {severity: 'high', title: 'Two-factor authentication is off', hint: 'Ask the person to enrol a second factor (security key or authenticator app), or remove the account.'},
  'unknown-account': {severity: 'high', title: 'Account not on the roster', hint: 'Remove the account, or add its owner (or the bot) to team.yaml.'},
  'missing-account': {severity: 'medium', title: 'Member lacks an account their role needs', hint: 'Create the account, or record the identity in team.yaml.'},
  'duplicate-account': {severity: 'medium', title: 'More than one account for one member', hint: 'Keep one account per person per service and remove the others.'},
  'leaver-access': {severity: 'critical', title: 'A leaver still holds an account', hint: 'Remove (or suspend) the account and revoke its keys and tokens today.'},
  'root-mfa': {severity: 'critical', title: 'The AWS root account has no MFA', hint: 'Enable a hardware MFA device on the root user and lock its credentials away.'},
  'edge-https-only': {severity: 'high', title: 'A public hostname is not HTTPS-only', hint: 'Run `impress edge check` for the failing checks: turn Always Use HTTPS on, SSL full/strict, TLS >= 1.2 and HSTS in Cloudflare, enforce HTTPS on GitHub Pages.'},
  'exception-expired': {severity: 'medium', title: 'An exception has expired', hint: 'Fix the waived condition, or renew the exception with a new expiry and reason.'},
  'key-count': {severity: 'medium', title: 'Developer does not have exactly one SSH key', hint: 'Keep exactly one SSH key on GitHub (Settings → SSH and GPG keys) and delete the others.'},
  'key-type': {severity: 'high', title: 'SSH key type or size outside the policy', hint: 'Generate a new key (ssh-keygen -t rsa -b 4096), upload it and delete the old one.'},
  'key-shared': {severity: 'high', title: 'One SSH key is used by several people', hint: 'Each person generates their own key; delete the shared one everywhere.'},
  'leaver-key': {severity: 'critical', title: 'A leaver still has SSH keys that open the hosts (GitHub organisation member)', hint: 'Run `impress access revoke <email>`: once the login is out of the organisation its keys open nothing.'},
  'key-unencrypted': {severity: 'high', title: 'Private key without a passphrase', hint: 'Add a passphrase: ssh-keygen -p -f <key>.'},
  'key-unreadable': {severity: 'medium', title: 'Private key could not be parsed', hint: 'Check that the file is an SSH private key (OpenSSH or PEM).'},
}

/** Two-factor state as a service reports it. `null`: unknown (permission missing, field null). */
export type MfaState = boolean | null | 'n/a'

export interface ServiceAccount {
  /** The service's identifier: GitHub login, IAM user name, e-mail on the others. */
  id: string
  email?: string
  displayName?: string
  /** False for suspended, pending or disabled accounts: they grant no access. */
  active: boolean
  mfa: MfaState
  /** The permission that would have told the MFA state, when mfa is null. */
  mfaUnknownReason?: string
  /** e.g. 'outside collaborator', 'console password, access key AKIA… active'. */
  notes?: string[]
}

export interface ServiceSnapshot {
  service: ServiceId
  accounts: ServiceAccount[]
  /** AWS only: root account MFA (GetAccountSummary AccountMFAEnabled). */
  root?: {mfa: boolean | null; reason?: string}
  /** When the data was produced (the IAM credential report's generation time). */
  generatedAt?: string
  notes?: string[]
}

export type Outcome = 'pass' | 'fail' | 'unknown' | 'waived'

export interface Finding {
  rule: RuleId
  outcome: 'fail' | 'unknown'
  severity: Severity
  service: ServiceId | 'roster' | 'local' | 'edge'
  /** The roster member (e-mail) the finding is about, when there is one. */
  member?: string
  account?: string
  message: string
  hint: string
  /** For unknown outcomes: the permission the credentials lack. */
  missingPermission?: string
}

/** unreachable: no answer (connection, 5xx after retries); error: it answered with a refusal (e.g. bad token). */
export type ServiceStatus = 'ok' | 'unreachable' | 'error' | 'not-configured'

export interface ServiceResult {
  service: ServiceId
  status: ServiceStatus
  accounts: number
  generatedAt?: string
  durationMs: number
  error?: string
  notes: string[]
}
