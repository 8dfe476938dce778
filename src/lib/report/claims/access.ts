/** Access administration: 2FA, one account per member per service, SSH keys, leavers. */
import type {ComplianceReport} from '../../compliance/check.js'
import {SERVICE_LABELS, type Finding, type RuleId} from '../../compliance/types.js'
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
]
