/**
 * `impress access authorized-keys USER`: the authorized_keys lines sshd asks for
 * (AuthorizedKeysCommand). The server user says which roster roles may log in (the SSH user of
 * the compute hosts: developers; the SFTP user of the filesystem host: admins); each active
 * member of those roles contributes their GitHub keys that meet the roster's key policy (the
 * one `impress compliance keys` enforces). A key below the policy, of a type it does not allow,
 * or held by more than one person is left out and logged (never printed on stdout).
 * Answers come from the local cache when fresh, from GitHub otherwise, and from a stale but
 * bounded cache when GitHub does not answer.
 */
import {fetchGithubKeys, keyOwners, keyPolicyViolation, type FetchedKey} from '../compliance/keys.js'
import type {GithubKeysPort} from '../compliance/ports.js'
import type {LoadedRoster, Member} from '../compliance/roster.js'
import {describeError} from '../compliance/check.js'
import {OperationError} from '../errors.js'
import type {AccessSettings} from './defaults.js'
import {entryAge, readKeysCache, writeKeysCache} from './key-cache.js'

export type ServerAccount = 'ssh' | 'sftp'

export interface AuthorizedKeysOptions {
  serverUser: string
  loaded: LoadedRoster
  settings: AccessSettings
  /** keysCacheKey(roster bytes, settings). */
  cacheKey: string
  cacheFile: string
  /** Refresh and stale bounds in ms (access.keys.refresh / maxStale). */
  refreshMs: number
  maxStaleMs: number
}

export interface AuthorizedKeysDeps {
  /** Built on first use: a fresh cache never loads the GitHub client. */
  github: () => Promise<(GithubKeysPort & {orgMemberLogins?(): Promise<Set<string>>}) | undefined>
  /** One line per event, for the server's log (stderr). */
  log: (line: string) => void
  now?: () => number
}

export interface SkippedKey {
  member: string
  fingerprint: string
  reason: string
}

export interface AuthorizedKeysResult {
  user: string
  account: ServerAccount | null
  /** github: fresh from GitHub; cache: younger than refresh; stale-cache: GitHub did not answer. */
  source: 'github' | 'cache' | 'stale-cache' | 'none'
  lines: string[]
  /** Members whose keys are in `lines` (from GitHub answers only). */
  members: string[]
  skipped: SkippedKey[]
  ageMs?: number
}

export function serverAccount(user: string, settings: AccessSettings): ServerAccount | null {
  if (user === settings.ssh.user) return 'ssh'
  if (user === settings.sftp.user) return 'sftp'
  return null
}

/** The `type base64` of a key line (GitHub returns no comment), or undefined when it is not one. */
function keyMaterial(line: string): string | undefined {
  const [type, blob] = line.trim().split(/\s+/)
  return type && blob && /^[a-z0-9@.-]+$/i.test(type) && /^[A-Za-z0-9+/]+={0,3}$/.test(blob) ? `${type} ${blob}` : undefined
}

/** The lines for one server account from members' GitHub keys, with what was left out and why. */
export function selectKeys(
  account: ServerAccount,
  loaded: LoadedRoster,
  settings: AccessSettings,
  fetched: {member: string; login: string; status: Member['status']; keys: FetchedKey[]; error?: string}[],
): {lines: string[]; members: string[]; skipped: SkippedKey[]} {
  const policy = loaded.roster.policy.keys
  const roles = account === 'ssh' ? settings.ssh.roles : settings.sftp.roles
  const eligible = new Set(loaded.roster.members.filter((m) => m.status === 'active' && roles.includes(m.role)).map((m) => m.email))
  const owners = keyOwners(fetched)
  const lines: string[] = []
  const members = new Set<string>()
  const skipped: SkippedKey[] = []
  for (const mk of fetched) {
    if (!eligible.has(mk.member)) continue
    if (mk.error) skipped.push({member: mk.member, fingerprint: '-', reason: `GitHub user ${mk.login}: ${mk.error}`})
    for (const k of mk.keys) {
      const shared = [...(owners.get(k.fingerprint) ?? [])].filter((o) => o !== mk.member)
      const why = keyPolicyViolation(k, policy) ?? (shared.length > 0 ? `shared with ${shared.join(', ')}` : undefined) ?? (keyMaterial(k.key) ? undefined : 'not a single-line public key')
      if (why) {
        skipped.push({member: mk.member, fingerprint: k.fingerprint, reason: why})
        continue
      }
      const line = `${account === 'sftp' ? 'restrict ' : ''}${keyMaterial(k.key)} ${mk.member}`
      if (!lines.includes(line)) lines.push(line)
      members.add(mk.member)
    }
  }
  return {lines, members: [...members], skipped}
}

export async function authorizedKeys(options: AuthorizedKeysOptions, deps: AuthorizedKeysDeps): Promise<AuthorizedKeysResult> {
  const now = deps.now?.() ?? Date.now()
  const {serverUser: user} = options
  const account = serverAccount(user, options.settings)
  if (!account) {
    deps.log(`${user} is not an impress-managed user (ssh: ${options.settings.ssh.user}, sftp: ${options.settings.sftp.user}): no keys`)
    return {user, account, source: 'none', lines: [], members: [], skipped: []}
  }
  const cached = readKeysCache(options.cacheFile)
  const age = entryAge(cached, options.cacheKey, now)
  if (cached && age !== undefined && age < options.refreshMs) return {user, account, source: 'cache', lines: cached.lines, members: [], skipped: [], ageMs: age}

  let fetched
  try {
    const github = await deps.github()
    if (!github) throw new Error('GitHub is not configured (compliance.github)')
    const [keys, members] = await Promise.all([fetchGithubKeys(options.loaded, github), github.orgMemberLogins?.()])
    // Only members of the organisation log in: removing someone from it (access revoke) ends their SSH access too.
    fetched = members ? keys.map((k) => (members.has(k.login.toLowerCase()) ? k : {...k, keys: [], error: k.error ?? `not a member of the GitHub organisation (${k.keys.length} key(s) ignored)`})) : keys
  } catch (error) {
    const why = describeError(error)
    if (cached && age !== undefined && age <= options.maxStaleMs) {
      deps.log(`GitHub did not answer (${why}); serving ${cached.lines.length} cached key(s) from ${Math.round(age / 60_000)} min ago`)
      return {user, account, source: 'stale-cache', lines: cached.lines, members: [], skipped: [], ageMs: age}
    }
    throw new OperationError(`GitHub did not answer (${why}) and no cached keys for ${user} are younger than the ${Math.round(options.maxStaleMs / 3_600_000)} h bound.`, {
      code: 'E_KEYS_UNAVAILABLE',
      hint: 'No key is authorized until GitHub answers again; check the network or the token (compliance.github).',
      cause: error,
    })
  }
  const selected = selectKeys(account, options.loaded, options.settings, fetched)
  for (const s of selected.skipped) deps.log(`left out ${s.member}'s key ${s.fingerprint}: ${s.reason}`)
  writeKeysCache(options.cacheFile, {v: 1, user, key: options.cacheKey, fetchedAt: now, lines: selected.lines})
  return {user, account, source: 'github', ...selected}
}
