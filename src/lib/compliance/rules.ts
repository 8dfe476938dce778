/**
 * The account rules: compare what each service reports with the roster and the exception
 * register. Every check has three outcomes: pass, fail and unknown (the service could not
 * tell, e.g. the token lacks a permission); an unknown is never a pass. A waived check names
 * the exception that waived it; an expired exception waives nothing and is a finding itself.
 */
import {identities, requiredServices, type Member, type Roster, type RosterException} from './roster.js'
import {RULE_INFO, SERVICE_LABELS, SERVICES, severityRank, type Finding, type RuleId, type ServiceId, type ServiceSnapshot, type ServiceStatus} from './types.js'

export type CellStatus = 'pass' | 'fail' | 'unknown' | 'waived' | 'none' | 'not-checked'

export interface MatrixCell {
  status: CellStatus
  accounts: string[]
  rules: RuleId[]
}

export interface MemberSummary {
  email: string
  name: string
  role: Member['role']
  status: Member['status']
  compliant: boolean
  cells: Record<ServiceId, MatrixCell>
}

export interface Waiver {
  rule: RuleId
  service: string
  account: string
  member?: string
  reason: string
  expires: string
}

export interface Evaluation {
  findings: Finding[]
  members: MemberSummary[]
  waived: Waiver[]
  /** Checks that passed, per service (unknowns and waivers are not counted here). */
  passed: Record<ServiceId, number>
}

export interface ServiceInput {
  status: ServiceStatus
  snapshot?: ServiceSnapshot
}

export interface EvaluateInput {
  roster: Roster
  services: Partial<Record<ServiceId, ServiceInput>>
  /** Today, YYYY-MM-DD (UTC). */
  today: string
}

/** lower-case; `name+tag@domain` → `name@domain`. */
export function normalizeEmail(email: string): string {
  const [local, domain] = email.toLowerCase().split('@')
  if (domain === undefined) return local
  return `${local.split('+')[0]}@${domain}`
}

type Owner = {kind: 'member'; member: Member} | {kind: 'bot'; name: string}

export function evaluate(input: EvaluateInput): Evaluation {
  const {roster, today} = input
  const findings: Finding[] = []
  const waived: Waiver[] = []
  const passed = Object.fromEntries(SERVICES.map((s) => [s, 0])) as Record<ServiceId, number>
  const active: RosterException[] = []
  const ownerOfAccount = (service: string, account: string): string | undefined => {
    const m = roster.members.find((x) => x.email.toLowerCase() === account.toLowerCase() || identities(x.accounts[service as ServiceId]).some((a) => a.toLowerCase() === account.toLowerCase()))
    return m?.email
  }
  for (const e of roster.exceptions) {
    if (e.expires >= today) {
      active.push(e)
      continue
    }
    const info = RULE_INFO['exception-expired']
    findings.push({
      rule: 'exception-expired',
      outcome: 'fail',
      severity: info.severity,
      service: e.service === 'local' ? 'local' : e.service,
      member: ownerOfAccount(e.service, e.account),
      account: e.account,
      message: `The exception for ${e.rule} on ${e.service} account ${e.account} expired on ${e.expires} ("${e.reason}"); it waives nothing now.`,
      hint: info.hint,
    })
  }
  const waiverFor = (rule: RuleId, service: ServiceId, account: string, member?: Member) =>
    active.find((e) => e.rule === rule && e.service === service && (e.account.toLowerCase() === account.toLowerCase() || (member !== undefined && e.account.toLowerCase() === member.email.toLowerCase())))

  const cells = new Map<string, Record<ServiceId, MatrixCell>>()
  for (const m of roster.members) {
    cells.set(m.email, Object.fromEntries(SERVICES.map((s) => [s, {status: 'none', accounts: [], rules: []} as MatrixCell])) as Record<ServiceId, MatrixCell>)
  }
  const rank: Record<CellStatus, number> = {'not-checked': -1, none: 0, pass: 1, waived: 2, unknown: 3, fail: 4}
  const mark = (member: Member | undefined, service: ServiceId, status: CellStatus, rule?: RuleId) => {
    if (!member) return
    const cell = cells.get(member.email)![service]
    if (rank[status] > rank[cell.status]) cell.status = status
    if (rule && status !== 'pass' && !cell.rules.includes(rule)) cell.rules.push(rule)
  }

  /** Record the outcome of one check. */
  const outcome = (
    rule: RuleId,
    result: 'pass' | 'fail' | 'unknown',
    c: {service: ServiceId; member?: Member; account: string; message: string; missingPermission?: string},
  ) => {
    if (result === 'pass') {
      passed[c.service]++
      mark(c.member, c.service, 'pass')
      return
    }
    const w = waiverFor(rule, c.service, c.account, c.member)
    if (w) {
      waived.push({rule, service: c.service, account: c.account, member: c.member?.email, reason: w.reason, expires: w.expires})
      mark(c.member, c.service, 'waived', rule)
      return
    }
    const info = RULE_INFO[rule]
    findings.push({
      rule,
      outcome: result,
      severity: info.severity,
      service: c.service,
      member: c.member?.email,
      account: c.account,
      message: c.message,
      hint: result === 'unknown' && c.missingPermission ? `Grant the credentials ${c.missingPermission}, then run the check again.` : info.hint,
      ...(c.missingPermission ? {missingPermission: c.missingPermission} : {}),
    })
    mark(c.member, c.service, result, rule)
  }

  for (const service of SERVICES) {
    const label = SERVICE_LABELS[service]
    const svc = input.services[service]
    if (!svc || svc.status !== 'ok' || !svc.snapshot) {
      for (const m of roster.members) cells.get(m.email)![service].status = 'not-checked'
      continue
    }
    const snap = svc.snapshot
    const byId = new Map<string, Owner>()
    const byEmail = new Map<string, Member>()
    for (const m of roster.members) {
      for (const id of identities(m.accounts[service])) byId.set(id.toLowerCase(), {kind: 'member', member: m})
      byEmail.set(normalizeEmail(m.email), m)
    }
    for (const b of roster.serviceAccounts) for (const id of identities(b.accounts[service])) byId.set(id.toLowerCase(), {kind: 'bot', name: b.name})

    const held = new Map<string, string[]>()
    for (const acc of snap.accounts) {
      let owner = byId.get(acc.id.toLowerCase())
      if (!owner) {
        const viaEmail = [acc.email, acc.id.includes('@') ? acc.id : undefined].filter((x): x is string => Boolean(x)).map((e) => byEmail.get(normalizeEmail(e)))[0]
        if (viaEmail) owner = {kind: 'member', member: viaEmail}
      }
      if (!acc.active) continue
      if (!owner) {
        const extra = acc.notes?.length ? ` (${acc.notes.join('; ')})` : ''
        outcome('unknown-account', 'fail', {service, account: acc.id, message: `${label} account ${acc.id}${extra} belongs to nobody on the roster.`})
        continue
      }
      if (owner.kind === 'bot') continue
      const m = owner.member
      const list = held.get(m.email) ?? []
      list.push(acc.id)
      held.set(m.email, list)
      cells.get(m.email)![service].accounts.push(acc.id)
      if (m.status === 'left') {
        const extra = acc.notes?.length ? ` (${acc.notes.join('; ')})` : ''
        outcome('leaver-access', 'fail', {service, member: m, account: acc.id, message: `${m.name} left on ${m.left} but still holds ${label} account ${acc.id}${extra}.`})
        continue
      }
      if (acc.mfa === true || acc.mfa === 'n/a') outcome('mfa-disabled', 'pass', {service, member: m, account: acc.id, message: ''})
      else if (acc.mfa === false) outcome('mfa-disabled', 'fail', {service, member: m, account: acc.id, message: `${m.name}'s ${label} account ${acc.id} has two-factor authentication off.`})
      else
        outcome('mfa-disabled', 'unknown', {
          service,
          member: m,
          account: acc.id,
          message: `${m.name}'s ${label} account ${acc.id}: two-factor state unknown${acc.mfaUnknownReason ? ` (${acc.mfaUnknownReason})` : ''}.`,
          missingPermission: acc.mfaUnknownReason ?? 'read access to the two-factor state',
        })
    }
    for (const m of roster.members) {
      if (m.status === 'left') continue
      const accs = held.get(m.email) ?? []
      if (requiredServices(roster, m.role).includes(service)) {
        if (accs.length === 0) {
          const expected = identities(m.accounts[service])
          outcome('missing-account', 'fail', {
            service,
            member: m,
            account: expected[0] ?? m.email,
            message: `${m.name} (${m.role}) has no ${label} account${expected.length > 0 ? `: ${expected.join(', ')} was not found` : ' and none is recorded in the roster'}.`,
          })
        } else outcome('missing-account', 'pass', {service, member: m, account: accs[0], message: ''})
      }
      if (accs.length > 1) outcome('duplicate-account', 'fail', {service, member: m, account: accs.join(', '), message: `${m.name} holds ${accs.length} ${label} accounts: ${accs.join(', ')}.`})
    }
    if (service === 'aws' && snap.root) {
      const r = snap.root.mfa
      outcome('root-mfa', r === true ? 'pass' : r === false ? 'fail' : 'unknown', {
        service,
        account: 'root',
        message: r === false ? 'The AWS account root user has no MFA device (AccountMFAEnabled = 0).' : 'The AWS root user MFA state is unknown.',
        missingPermission: r === null ? (snap.root.reason ?? 'iam:GetAccountSummary') : undefined,
      })
    }
  }

  findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.service.localeCompare(b.service) || (a.member ?? '~').localeCompare(b.member ?? '~') || a.rule.localeCompare(b.rule))
  const named = new Set(findings.map((f) => f.member).filter(Boolean))
  const members = roster.members.map((m) => ({email: m.email, name: m.name, role: m.role, status: m.status, compliant: !named.has(m.email), cells: cells.get(m.email)!}))
  return {findings, members, waived, passed}
}

/** Does any finding reach the --fail-on threshold? Unknowns count: they are never a pass. */
export function breaches(findings: Finding[], failOn: Finding['severity']): Finding[] {
  return findings.filter((f) => severityRank(f.severity) >= severityRank(failOn))
}
