/**
 * `impress access revoke MEMBER`: offboarding in one plan. The roster says where the member
 * has accounts; each service says what those accounts hold now (grants, one write each); the
 * plan is shown and confirmed, applied service by service with a journal (a rerun continues
 * and never repeats a done step), and verified by the compliance rules on what the services
 * hold afterwards. A service that fails leaves the others done: the member is then "partly
 * revoked", with what remains. Guard rails refuse (exit 4) before anything is written.
 */
import {evaluate} from '../compliance/rules.js'
import {identities, type LoadedRoster, type Member} from '../compliance/roster.js'
import {SERVICE_LABELS, SERVICES, type Finding, type ServiceId, type ServiceSnapshot} from '../compliance/types.js'
import {describeError} from '../compliance/check.js'
import {RefusedError, UsageError} from '../errors.js'
import {Journal} from '../journal/journal.js'
import type {AccessWriter, Grant} from './ports.js'

/** Services whose accounts are e-mail addresses: the member's e-mail is tried when the roster names none. */
const EMAIL_SERVICES: ServiceId[] = ['cloudflare', 'google', 'auth0']
export const REVOKE_JOURNAL = 'access-revoke'

export interface ServicePlan {
  service: ServiceId
  accounts: string[]
  grants: Grant[]
  /** Why this service is not part of the plan (not configured) or could not be read. */
  skipped?: string
  error?: string
}

export interface RevokePlan {
  member: {email: string; name: string; role: Member['role']; status: Member['status']}
  services: ServicePlan[]
  writes: number
  warnings: string[]
  force?: {reason: string}
}

export interface StepResult {
  service: ServiceId
  grant: Grant
  status: 'done' | 'already-done' | 'failed' | 'not-run'
  error?: string
}

export interface RevokeResult {
  plan: RevokePlan
  status: 'planned' | 'nothing-to-revoke' | 'revoked' | 'partly-revoked'
  steps: StepResult[]
  /** Compliance findings about the member after the writes (leaver-access: what remains). */
  remaining: Finding[]
  journal?: string
}

export interface RevokeOptions {
  loaded: LoadedRoster
  members: string[]
  force?: {reason: string}
  maxRevocations: number
}

export interface RevokeDeps {
  writers: Partial<Record<ServiceId, AccessWriter>>
  notConfigured: Partial<Record<ServiceId, string>>
  /** The caller's own account per service (self-revocation warning). */
  self?: () => Promise<Partial<Record<ServiceId, string>>>
  now?: () => Date
}

function matches(m: Member, who: string): boolean {
  const w = who.toLowerCase()
  return m.email.toLowerCase() === w || m.name.toLowerCase() === w || SERVICES.some((s) => identities(m.accounts[s]).some((a) => a.toLowerCase() === w))
}

export function memberAccounts(m: Member, service: ServiceId): string[] {
  const listed = identities(m.accounts[service])
  return listed.length > 0 ? listed : EMAIL_SERVICES.includes(service) ? [m.email] : []
}

/** Resolve the members and apply the guard rails that need no service (exit 2 / exit 4). */
export function selectMembers(options: RevokeOptions): Member[] {
  const {roster, file} = options.loaded
  if (options.members.length === 0) throw new UsageError('Name the member to revoke.', {hint: 'impress access revoke alice@impress.example'})
  const found = options.members.map((who) => {
    const m = roster.members.find((x) => matches(x, who))
    if (!m) throw new UsageError(`No member "${who}" in the roster ${file}.`, {hint: `Use a member's e-mail, name or account from team.yaml (e.g. ${roster.members[0]?.email ?? 'name@example.com'}).`})
    return m
  })
  const unique = [...new Set(found)]
  if (unique.length > options.maxRevocations)
    throw new RefusedError(`Refusing to revoke ${unique.length} members at once: access.maxRevocations is ${options.maxRevocations}.`, {
      code: 'E_TOO_MANY_REVOCATIONS',
      hint: 'Revoke one member at a time, or raise access.maxRevocations in the configuration for a planned mass offboarding.',
    })
  for (const m of unique) {
    if (SERVICES.every((s) => identities(m.accounts[s]).length === 0))
      throw new UsageError(`${m.name} (${m.email}) has no account on any service in the roster.`, {hint: 'Record the accounts under `accounts:` in team.yaml (github, aws, cloudflare, google, auth0), then plan again.'})
    if (m.status !== 'left' && !options.force)
      throw new RefusedError(`${m.name} (${m.email}) is not marked as a leaver in the roster.`, {
        code: 'E_NOT_A_LEAVER',
        hint: `Set status: left and a left: date for ${m.email} in team.yaml first, or pass --force --reason "why" (recorded in the audit log).`,
      })
  }
  return unique
}

/** The plan for one member: what each configured service holds, and the guard rails that need the services. */
export async function planRevocation(member: Member, options: RevokeOptions, deps: RevokeDeps): Promise<RevokePlan> {
  const services = await Promise.all(
    SERVICES.map(async (service): Promise<ServicePlan> => {
      const accounts = memberAccounts(member, service)
      const writer = deps.writers[service]
      if (accounts.length === 0) return {service, accounts, grants: [], skipped: 'no account in the roster'}
      if (!writer) return {service, accounts, grants: [], skipped: `not configured: ${deps.notConfigured[service] ?? 'no adapter'}`}
      try {
        const [grants, admins] = await Promise.all([Promise.all(accounts.map((a) => writer.grants(a))).then((g) => g.flat()), writer.admins?.()])
        const held = accounts.filter((a) => grants.some((g) => g.account === a)).map((a) => a.toLowerCase())
        if (admins && held.some((a) => admins.includes(a)) && admins.every((a) => held.includes(a)))
          throw new RefusedError(`${member.email} is the last admin of ${SERVICE_LABELS[service]}: revoking would leave nobody to administer it.`, {
            code: 'E_LAST_ADMIN',
            hint: `Make someone else an admin of ${SERVICE_LABELS[service]} first, then run the revocation again.`,
          })
        return {service, accounts, grants}
      } catch (error) {
        if (error instanceof RefusedError) throw error
        return {service, accounts, grants: [], error: describeError(error)}
      }
    }),
  )
  const warnings: string[] = []
  const self: Partial<Record<ServiceId, string>> = (await deps.self?.().catch(() => ({}))) ?? {}
  for (const sp of services) {
    const mine = self[sp.service]
    if (mine && sp.grants.some((g) => g.account.toLowerCase() === mine.toLowerCase()))
      warnings.push(`This removes YOUR OWN access: the ${SERVICE_LABELS[sp.service]} account ${mine} these credentials act as.`)
  }
  for (const sp of services) if (sp.error) warnings.push(`${SERVICE_LABELS[sp.service]} could not be read (${sp.error}): its grants are not in this plan.`)
  return {
    member: {email: member.email, name: member.name, role: member.role, status: member.status},
    services,
    writes: services.reduce((n, s) => n + s.grants.length, 0),
    warnings,
    ...(options.force ? {force: options.force} : {}),
  }
}

export const stepName = (g: Grant) => `${g.service}/${g.kind}/${g.account}/${g.id}`

/** Apply the plan service by service; each grant is one journaled step. */
export async function applyRevocation(plan: RevokePlan, deps: RevokeDeps & {dataDir: string; onStep?: (s: StepResult) => void}): Promise<{steps: StepResult[]; journal: Journal}> {
  const journal = Journal.findRunning(deps.dataDir, REVOKE_JOURNAL, plan.member.email) ?? Journal.create(deps.dataDir, REVOKE_JOURNAL, plan.member.email, {member: plan.member.email, ...(plan.force ? {force: plan.force.reason} : {})})
  const steps: StepResult[] = []
  for (const sp of plan.services) {
    let failed: string | undefined
    for (const grant of sp.grants) {
      const name = stepName(grant)
      if (failed) {
        steps.push({service: sp.service, grant, status: 'not-run', error: `after the failure on ${sp.service}`})
        continue
      }
      if (journal.isDone(name)) {
        steps.push({service: sp.service, grant, status: 'already-done'})
        deps.onStep?.(steps.at(-1)!)
        continue
      }
      try {
        await journal.run(name, async () => {
          await deps.writers[sp.service]!.revoke(grant)
          return {action: grant.action}
        })
        steps.push({service: sp.service, grant, status: 'done'})
      } catch (error) {
        failed = describeError(error)
        steps.push({service: sp.service, grant, status: 'failed', error: failed})
      }
      deps.onStep?.(steps.at(-1)!)
    }
  }
  return {steps, journal}
}

/**
 * The compliance rules on what the services hold now: the member is evaluated as a leaver, so
 * every account still active is a leaver-access finding. Grants are read again from each
 * service (not from reports that may be hours old, like IAM's credential report).
 */
export async function verifyRevocation(plan: RevokePlan, member: Member, loaded: LoadedRoster, deps: RevokeDeps): Promise<Finding[]> {
  const inputs: Partial<Record<ServiceId, {status: 'ok' | 'error'; snapshot?: ServiceSnapshot}>> = {}
  await Promise.all(
    plan.services.map(async (sp) => {
      const writer = deps.writers[sp.service]
      if (!writer || sp.accounts.length === 0 || sp.skipped) return
      try {
        const grants = (await Promise.all(sp.accounts.map((a) => writer.grants(a)))).flat()
        const held = [...new Set(grants.map((g) => g.account))]
        inputs[sp.service] = {status: 'ok', snapshot: {service: sp.service, accounts: held.map((id) => ({id, active: true, mfa: 'n/a' as const, notes: grants.filter((g) => g.account === id).map((g) => g.kind)}))}}
      } catch {
        inputs[sp.service] = {status: 'error'}
      }
    }),
  )
  const asLeaver: Member = {...member, status: 'left', left: member.left ?? (deps.now?.() ?? new Date()).toISOString().slice(0, 10)}
  const roster = {...loaded.roster, members: [asLeaver], exceptions: []}
  const evaluation = evaluate({roster, services: inputs, today: (deps.now?.() ?? new Date()).toISOString().slice(0, 10)})
  const unverified: Finding[] = Object.entries(inputs)
    .filter(([, v]) => v.status === 'error')
    .map(([s]) => ({rule: 'leaver-access', outcome: 'unknown', severity: 'critical', service: s as ServiceId, member: member.email, message: `${SERVICE_LABELS[s as ServiceId]} could not be read to verify the revocation.`, hint: 'Run the revocation again when the service answers.'}))
  return [...evaluation.findings.filter((f) => f.member === member.email), ...unverified]
}

export function revocationStatus(plan: RevokePlan, steps: StepResult[], remaining: Finding[]): RevokeResult['status'] {
  const incomplete = steps.some((s) => s.status === 'failed' || s.status === 'not-run') || remaining.length > 0 || plan.services.some((s) => s.error)
  if (incomplete) return 'partly-revoked'
  return plan.writes === 0 ? 'nothing-to-revoke' : 'revoked'
}

export interface RunRevokeHooks {
  dataDir: string
  dryRun: boolean
  /** Show the plan (and its warnings) before anything is written. */
  show(plan: RevokePlan): void
  /** Ask (or require --yes); throws RefusedError when declined. */
  confirm(plan: RevokePlan): Promise<void>
  onStep?: (s: StepResult) => void
  /** After writes: forget cached authorized_keys answers, so the next login asks again. */
  afterWrites?: () => void
}

/** Plan → show → confirm → apply → verify, for each member (at most access.maxRevocations). */
export async function runRevoke(options: RevokeOptions, deps: RevokeDeps, hooks: RunRevokeHooks): Promise<RevokeResult[]> {
  const members = selectMembers(options)
  const plans = await Promise.all(members.map((m) => planRevocation(m, options, deps)))
  const results: RevokeResult[] = []
  for (const [i, plan] of plans.entries()) {
    hooks.show(plan)
    if (hooks.dryRun) {
      results.push({plan, status: 'planned', steps: [], remaining: []})
      continue
    }
    if (plan.writes > 0) await hooks.confirm(plan)
    const {steps, journal} = plan.writes > 0 ? await applyRevocation(plan, {...deps, dataDir: hooks.dataDir, onStep: hooks.onStep}) : {steps: [], journal: undefined}
    if (steps.some((s) => s.status === 'done')) hooks.afterWrites?.()
    const remaining = await verifyRevocation(plan, members[i], options.loaded, deps)
    const status = revocationStatus(plan, steps, remaining)
    if (journal) journal.setStatus(status === 'partly-revoked' ? 'running' : 'done')
    results.push({plan, status, steps, remaining, ...(journal ? {journal: journal.file} : {})})
  }
  return results
}
