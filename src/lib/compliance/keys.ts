/**
 * `impress compliance keys`: the SSH key policy. On GitHub, every active member's public keys
 * (exactly the allowed number, allowed type and size, none shared with anyone, none left
 * behind by a leaver); locally, the running developer's private keys (encrypted with a
 * passphrase, allowed type and size). Only fingerprints are ever reported, never key material.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sshpk from 'sshpk'
import {breaches} from './rules.js'
import {identities, type KeyPolicy, type LoadedRoster} from './roster.js'
import type {GithubKeysPort} from './ports.js'
import {RULE_INFO, type Finding, type RuleId, type Severity} from './types.js'

export interface KeyInfo {
  type: string
  bits: number
  fingerprint: string
}

export function inspectPublicKey(text: string): KeyInfo {
  const k = sshpk.parseKey(text, 'ssh')
  return {type: k.type, bits: k.size, fingerprint: k.fingerprint('sha256').toString()}
}

/** Why the key breaks the type/size policy, or undefined when it complies. */
export function keyPolicyViolation(info: Pick<KeyInfo, 'type' | 'bits'>, policy: KeyPolicy): string | undefined {
  const min = policy.types[info.type as keyof KeyPolicy['types']]
  const allowed = Object.entries(policy.types).map(([t, b]) => `${t} ≥ ${b} bits`).join(', ')
  if (min === undefined) return `type ${info.type} is not allowed (allowed: ${allowed})`
  if (info.bits < min) return `${info.type} ${info.bits} bits is below the minimum of ${min}`
  return undefined
}

export interface MemberKeys {
  member: string
  login: string
  status: 'active' | 'left'
  keys: KeyInfo[]
  error?: string
}

export interface KeysReport {
  policy: KeyPolicy
  members: MemberKeys[]
  local: LocalKey[]
  findings: Finding[]
  failOn: Severity
  exitCode: 0 | 1 | 3
}

const finding = (rule: RuleId, f: Omit<Finding, 'rule' | 'severity' | 'outcome' | 'hint'> & {outcome?: Finding['outcome']; hint?: string}): Finding => ({
  rule,
  outcome: f.outcome ?? 'fail',
  severity: RULE_INFO[rule].severity,
  hint: RULE_INFO[rule].hint,
  ...f,
})

/** A public key as GitHub holds it, with what the policy looks at. Key material stays in memory: reports carry MemberKeys. */
export interface FetchedKey extends KeyInfo {
  id: number
  /** The key line as GitHub returns it (`ssh-rsa AAAA…`). */
  key: string
}

export interface MemberFetchedKeys extends Omit<MemberKeys, 'keys'> {
  keys: FetchedKey[]
}

/** Every roster member's public keys on GitHub (`GET /users/{login}/keys`), `concurrency` at a time. */
export async function fetchGithubKeys(loaded: LoadedRoster, port: GithubKeysPort, concurrency = 8): Promise<MemberFetchedKeys[]> {
  const targets = loaded.roster.members.flatMap((m) => identities(m.accounts.github).map((login) => ({m, login})))
  const members: MemberFetchedKeys[] = new Array(targets.length)
  let next = 0
  await Promise.all(
    Array.from({length: Math.min(concurrency, targets.length)}, async () => {
      while (next < targets.length) {
        const i = next++
        const {m, login} = targets[i]
        const keys = await port.userKeys(login)
        members[i] = {member: m.email, login, status: m.status, keys: [], ...(keys === null ? {error: 'no such GitHub user'} : {})}
        for (const k of keys ?? []) {
          try {
            members[i].keys.push({id: k.id, key: k.key, ...inspectPublicKey(k.key)})
          } catch {
            members[i].keys.push({id: k.id, key: k.key, type: 'unparseable', bits: 0, fingerprint: `github-key-${k.id}`})
          }
        }
      }
    }),
  )
  return members
}

/** Fingerprint → the members whose GitHub accounts hold that key. */
export function keyOwners(members: Pick<MemberKeys, 'member' | 'keys'>[]): Map<string, Set<string>> {
  const owners = new Map<string, Set<string>>()
  for (const mk of members) for (const k of mk.keys) owners.set(k.fingerprint, new Set([...(owners.get(k.fingerprint) ?? []), mk.member]))
  return owners
}

export async function githubKeyFindings(loaded: LoadedRoster, port: GithubKeysPort, concurrency = 8): Promise<{members: MemberKeys[]; findings: Finding[]}> {
  const policy = loaded.roster.policy.keys
  const hasLeavers = loaded.roster.members.some((m) => m.status === 'left')
  const [fetched, orgMembers] = await Promise.all([fetchGithubKeys(loaded, port, concurrency), hasLeavers && port.orgMemberLogins ? port.orgMemberLogins() : undefined])
  const members: MemberKeys[] = fetched.map((m) => ({...m, keys: m.keys.map(({type, bits, fingerprint}) => ({type, bits, fingerprint}))}))
  const findings: Finding[] = []
  for (const mk of members) {
    if (mk.status === 'left') {
      // A leaver's keys stay on their own GitHub account; they open our hosts only while the
      // login is in the organisation (authorized-keys admits members only). Unknown membership: flag.
      const inOrg = orgMembers === undefined || orgMembers.has(mk.login.toLowerCase())
      if (mk.keys.length > 0 && inOrg)
        findings.push(finding('leaver-key', {service: 'github', member: mk.member, account: mk.login, message: `${mk.member} has left but GitHub user ${mk.login}${orgMembers ? ' is still in the organisation and' : ''} still has ${mk.keys.length} key(s): ${mk.keys.map((k) => k.fingerprint).join(', ')}.`}))
      continue
    }
    if (mk.keys.length !== policy.perDeveloper)
      findings.push(finding('key-count', {service: 'github', member: mk.member, account: mk.login, message: `${mk.login} has ${mk.keys.length} SSH key(s) on GitHub; the policy is exactly ${policy.perDeveloper}.`}))
    for (const k of mk.keys) {
      const why = keyPolicyViolation(k, policy)
      if (why) findings.push(finding('key-type', {service: 'github', member: mk.member, account: mk.login, message: `${mk.login}'s key ${k.fingerprint}: ${why}.`}))
    }
  }
  for (const [fp, who] of keyOwners(members)) {
    if (who.size < 2) continue
    for (const member of who) findings.push(finding('key-shared', {service: 'github', member, account: fp, message: `Key ${fp} is used by ${[...who].join(' and ')}.`}))
  }
  return {members, findings}
}

export interface LocalKey {
  path: string
  encrypted: boolean | null
  type?: string
  bits?: number
  fingerprint?: string
  error?: string
}

/** ~/.ssh/id_* private keys (not the .pub files). */
export function defaultLocalKeyPaths(home = os.homedir()): string[] {
  const dir = path.join(home, '.ssh')
  try {
    return fs
      .readdirSync(dir)
      .filter((f) => f.startsWith('id_') && !f.endsWith('.pub'))
      .map((f) => path.join(dir, f))
  } catch {
    return []
  }
}

export function inspectLocalKey(file: string): LocalKey {
  let data: Buffer
  try {
    data = fs.readFileSync(file)
  } catch (error) {
    return {path: file, encrypted: null, error: `cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`}
  }
  try {
    const k = sshpk.parsePrivateKey(data, 'auto', {filename: path.basename(file)})
    return {path: file, encrypted: false, type: k.type, bits: k.size, fingerprint: k.fingerprint('sha256').toString()}
  } catch (error) {
    if ((error as Error).name !== 'KeyEncryptedError') return {path: file, encrypted: null, error: 'not an SSH private key sshpk can parse'}
  }
  // Encrypted: the type and size come from the public half beside it.
  try {
    const info = inspectPublicKey(fs.readFileSync(`${file}.pub`, 'utf8'))
    return {path: file, encrypted: true, ...info}
  } catch {
    return {path: file, encrypted: true, error: `encrypted; type and size unknown without ${path.basename(file)}.pub`}
  }
}

export function localKeyFindings(keys: LocalKey[], policy: KeyPolicy): Finding[] {
  const out: Finding[] = []
  for (const k of keys) {
    if (k.encrypted === null) {
      out.push(finding('key-unreadable', {service: 'local', account: k.path, message: `${k.path}: ${k.error}.`}))
      continue
    }
    if (!k.encrypted) out.push(finding('key-unencrypted', {service: 'local', account: k.path, message: `${k.path} (${k.fingerprint}) has no passphrase.`, hint: `Add one: ssh-keygen -p -f ${k.path}`}))
    if (k.type && k.bits !== undefined) {
      const why = keyPolicyViolation({type: k.type, bits: k.bits}, policy)
      if (why) out.push(finding('key-type', {service: 'local', account: k.path, message: `${k.path} (${k.fingerprint}): ${why}.`}))
    } else out.push(finding('key-type', {service: 'local', account: k.path, outcome: 'unknown', message: `${k.path}: ${k.error}.`, missingPermission: `the public key ${path.basename(k.path)}.pub`}))
  }
  return out
}

export interface KeysOptions {
  loaded: LoadedRoster
  failOn: Severity
  /** Check these local private keys too (undefined: GitHub only). */
  localPaths?: string[]
}

export async function runKeysCheck(options: KeysOptions, deps: {github?: GithubKeysPort}): Promise<KeysReport> {
  const policy = options.loaded.roster.policy.keys
  const gh = deps.github ? await githubKeyFindings(options.loaded, deps.github) : {members: [], findings: []}
  const local = (options.localPaths ?? []).map(inspectLocalKey)
  const findings = [...gh.findings, ...localKeyFindings(local, policy)]
  return {policy, members: gh.members, local, findings, failOn: options.failOn, exitCode: breaches(findings, options.failOn).length > 0 ? 3 : 0}
}
