/** Access administration: 2FA, one account per member per service, SSH keys, leavers. */
import type {ComplianceReport} from '../../compliance/check.js'
import {SERVICE_LABELS, type Finding, type RuleId} from '../../compliance/types.js'
import type {RevocationEvidence} from '../ports.js'
import type {ClaimDefinition, Evidence, Verdict} from '../types.js'

const line = (f: Finding) => `${f.severity}: ${f.message}`
/** One line per distinct finding message (a shared key is one finding per holder). */
const lines = (fs: Finding[]) => [...new Set(fs.map(line))]

/** The verdict of some compliance rules: a failure fails; otherwise a service not read, or an unknown outcome, is unknown. */
function fromCompliance(report: ComplianceReport, rules: RuleId[], what: string, evidence: Evidence[]): Verdict {
  const findings = report.findings.filter((f) => rules.includes(f.rule))
  const failed = findings.filter((f) => f.outcome === 'fail')
  const unread = report.services.filter((s) => s.status !== 'ok').map((s) => `${SERVICE_LABELS[s.service]} ${s.status}${s.error ? ` (${s.error})` : s.notes[0] ? ` (${s.notes[0]})` : ''}`)
  const waived = report.waived.filter((w) => rules.includes(w.rule)).map((w) => `waived until ${w.expires}: ${w.rule} on ${w.service} ${w.account} (${w.reason})`)
  const read = report.services.filter((s) => s.status === 'ok').map((s) => SERVICE_LABELS[s.service])
  if (failed.length > 0) return {status: 'fails', detail: `${failed.length} ${what}`, facts: [...lines(failed), ...unread.map((u) => `not checked: ${u}`), ...waived], evidence}
  const unknown = findings.filter((f) => f.outcome === 'unknown')
  if (unread.length > 0 || unknown.length > 0) return {status: 'unknown', detail: unread.length > 0 ? `could not read ${unread.join(', ')}` : `${unknown.length} outcome(s) unknown`, facts: [...lines(unknown), ...waived], evidence}
  return {status: 'holds', detail: `checked on ${read.join(', ')} for ${report.summary.members} member(s)${waived.length > 0 ? `; ${waived.length} documented exception(s)` : ''}`, facts: waived, evidence}
}

async function complianceVerdict(ports: Parameters<ClaimDefinition['check']>[0], rules: RuleId[], what: string): Promise<Verdict> {
  const {report, sarifFile} = await ports.compliance()
  return fromCompliance(report, rules, what, sarifFile ? [{kind: 'file', ref: sarifFile, label: 'compliance findings (SARIF)'}] : [])
}

export const accessClaims: ClaimDefinition[] = [
  {
    id: 'access.two-factor',
    section: 'Access administration',
    sentence: () => 'Every member has two-factor authentication on Google, AWS, Cloudflare, GitHub and Auth0 (and the AWS root user has MFA).',
    rerun: 'impress compliance check',
    check: (ports) => complianceVerdict(ports, ['mfa-disabled', 'root-mfa'], 'account(s) without two-factor authentication'),
  },
  {
    id: 'access.one-account',
    section: 'Access administration',
    sentence: () => 'Each member holds one account per service, and every account belongs to a member (or a listed service account).',
    rerun: 'impress compliance check',
    check: (ports) => complianceVerdict(ports, ['duplicate-account', 'unknown-account'], 'duplicate or unowned account(s)'),
  },
  {
    id: 'access.ssh-keys',
    section: 'Access administration',
    sentence: () => "Each developer has exactly one SSH key, of an allowed type and size, shared with nobody; passphrases are checked on each developer's machine (`impress compliance keys --local`).",
    rerun: 'impress compliance keys',
    async check(ports) {
      const keys = await ports.keys()
      const findings = keys.findings.filter((f) => ['key-count', 'key-type', 'key-shared'].includes(f.rule))
      const policy = `${Object.entries(keys.policy.types).map(([t, b]) => `${t} ≥ ${b} bits`).join(', ')}; ${keys.policy.perDeveloper} per developer`
      const unreadable = keys.members.filter((m) => m.error).map((m) => `${m.login}: ${m.error}`)
      if (findings.some((f) => f.outcome === 'fail')) return {status: 'fails', detail: `${findings.length} key finding(s) (policy: ${policy})`, facts: [...lines(findings), ...unreadable]}
      if (findings.length > 0 || unreadable.length > 0) return {status: 'unknown', detail: 'some keys could not be read', facts: [...lines(findings), ...unreadable]}
      return {status: 'holds', detail: `${keys.members.filter((m) => m.status === 'active').length} developer(s) within the key policy (${policy})`}
    },
  },
  {
    id: 'access.leavers',
    section: 'Access administration',
    sentence: () => 'People who have left the company hold no account and no SSH key on any service.',
    rerun: 'impress compliance check',
    async check(ports) {
      const [compliance, keys] = await Promise.allSettled([ports.compliance(), ports.keys()])
      if (compliance.status === 'rejected') throw compliance.reason
      const accounts = fromCompliance(compliance.value.report, ['leaver-access'], 'account(s) still held by leavers', compliance.value.sarifFile ? [{kind: 'file', ref: compliance.value.sarifFile, label: 'compliance findings (SARIF)'}] : [])
      const keyFindings = keys.status === 'fulfilled' ? keys.value.findings.filter((f) => f.rule === 'leaver-key') : []
      if (keyFindings.length > 0) {
        return {status: 'fails', detail: `${accounts.status === 'fails' ? `${accounts.detail}; ` : ''}${keyFindings.length} leaver SSH key finding(s)`, facts: [...(accounts.status === 'fails' ? (accounts.facts ?? []) : []), ...lines(keyFindings)], evidence: accounts.evidence}
      }
      if (accounts.status === 'holds' && keys.status === 'rejected') return {status: 'unknown', detail: `accounts checked, but SSH keys could not be: ${(keys.reason as Error).message}`}
      return accounts
    },
  },
  {
    id: 'access.revocation',
    section: 'Access administration',
    sentence: (s) => `A leaver's access is revoked on every service by their last day${s.revokeWithinDays ? ` (or within ${s.revokeWithinDays} day(s) of it)` : ''}, and each revocation is recorded in the signed audit log.`,
    rerun: 'impress audit log --command "access revoke"',
    check: async (ports, _settings, now) => revocationVerdict(await ports.revocations(), await ports.audit(), now),
  },
]

const DAY = 86_400_000

/** Each leaver whose last day is past needs a recorded, timely `access revoke` in a log that verifies. */
export function revocationVerdict(e: RevocationEvidence, audit: {ok: boolean; break?: {line: number; reason: string}}, now: Date): Verdict {
  if (!audit.ok) return {status: 'unknown', detail: `the audit log does not verify (line ${audit.break?.line}: ${audit.break?.reason}), so its revocation records prove nothing`}
  const due = e.leavers.filter((l) => l.left !== '' && Date.parse(l.left) + DAY <= now.getTime())
  if (due.length === 0) return {status: 'holds', detail: `no leaver is due (${e.leavers.length} leaver(s) on the roster)`}
  const facts: string[] = []
  const problems: string[] = []
  for (const l of due) {
    const done = e.records.filter((r) => r.member.toLowerCase() === l.email.toLowerCase() && (r.status === 'revoked' || r.status === 'nothing-to-revoke'))
    const first = done[0]
    const deadline = Date.parse(l.left) + (e.withinDays + 1) * DAY
    if (!first) {
      const partly = e.records.some((r) => r.member.toLowerCase() === l.email.toLowerCase())
      problems.push(`${l.email}: no completed revocation recorded${partly ? ' (only a partial or failed one)' : ''}`)
      facts.push(`${l.name} <${l.email}> left on ${l.left}: ${partly ? 'revocation started but not completed' : 'no `impress access revoke` in the audit log'}`)
      continue
    }
    const late = Math.ceil((Date.parse(first.time) - deadline) / DAY)
    facts.push(`${l.name} <${l.email}> left on ${l.left}: revoked ${first.time.slice(0, 10)} by ${first.actor}${late > 0 ? `, ${late} day(s) late` : ''}`)
    if (late > 0) problems.push(`${l.email}: revoked ${late} day(s) after the deadline`)
  }
  return problems.length > 0
    ? {status: 'fails', detail: problems.join('; '), facts}
    : {status: 'holds', detail: `${due.length} leaver(s), each revoked in time and recorded in the audit log`, facts}
}
