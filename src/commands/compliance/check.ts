import fs from 'node:fs'
import {Flags} from '@oclif/core'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import {runConfiguredEdgeCheck} from '../../lib/edge/wiring.js'
import {runComplianceCheck, type ComplianceReport} from '../../lib/compliance/check.js'
import {ensureDemoRoster} from '../../lib/compliance/demo-roster.js'
import {toMarkdown} from '../../lib/compliance/markdown.js'
import {loadRoster} from '../../lib/compliance/roster.js'
import {toSarif} from '../../lib/compliance/sarif.js'
import {complianceWiring, rosterPath} from '../../lib/compliance/sources.js'
import {SERVICE_LABELS, SERVICES, SEVERITIES} from '../../lib/compliance/types.js'
import {redactor} from '../../lib/redact.js'
import {renderTable} from '../../lib/ui/table.js'

const CELL = {pass: 'ok', fail: 'FAIL', unknown: 'unknown', waived: 'waived', none: '-', 'not-checked': 'not checked'} as const

export default class ComplianceCheck extends ImpressCommand<typeof ComplianceCheck> {
  static override summary = 'Check 2FA, one account per person and leavers on AWS, GitHub, Cloudflare, Google Workspace and Auth0 against team.yaml.'
  static override description = 'Exit codes: 0 compliant; 3 a finding at or above --fail-on; 1 a service could not be reached (unless --allow-unreachable); 2 bad roster.'
  static override examples = [
    '<%= config.bin %> compliance check',
    '<%= config.bin %> compliance check --report audit.md --sarif compliance.sarif',
    '<%= config.bin %> compliance check --fail-on critical --json',
  ]
  static override outputs = {report: 'file', sarif: 'file'} as const
  static override flags = {
    'fail-on': Flags.string({description: 'Lowest severity that fails the check (exit 3).', options: [...SEVERITIES], default: 'high'}),
    'allow-unreachable': Flags.boolean({description: 'Do not fail (exit 1) when a service cannot be reached; it is still reported.'}),
    report: Flags.string({description: 'Write a Markdown report for auditors to this file.'}),
    sarif: Flags.string({description: 'Write the findings as SARIF 2.1.0 to this file (for CI code scanning).'}),
  }

  async run(): Promise<ComplianceReport> {
    const file = rosterPath(this.ctx)
    if (this.environment.source.kind === 'builtin' && ensureDemoRoster(file)) this.io.info(`Wrote the demo roster to ${file}.`)
    const loaded = loadRoster(file)
    const wiring = await complianceWiring(this.ctx)
    this.io.info(`Checking ${Object.keys(wiring.sources).join(', ') || 'no service'} against ${file}…`)
    const report = await runComplianceCheck(
      {loaded, failOn: this.flags['fail-on'] as ComplianceReport['failOn'], allowUnreachable: this.flags['allow-unreachable']},
      {sources: wiring.sources, notConfigured: wiring.notConfigured, signal: this.signal, edge: this.ctx.env.config.edge ? () => runConfiguredEdgeCheck(this.ctx) : undefined},
    )
    this.render(report)
    if (this.flags.report) fs.writeFileSync(this.flags.report, redactor.redactText(toMarkdown(report)))
    if (this.flags.sarif) fs.writeFileSync(this.flags.sarif, redactor.redactText(JSON.stringify(toSarif({findings: report.findings, rosterFile: file, memberLines: loaded.memberLines, version: this.config.version}), null, 2)))
    process.exitCode = report.exitCode
    return report
  }

  private render(r: ComplianceReport): void {
    const io = this.io
    io.out(renderTable(['service', 'status', 'accounts', 'data as of', 'notes'], r.services.map((s) => [SERVICE_LABELS[s.service], s.status, s.accounts, s.generatedAt ?? 'live', s.error ?? s.notes.join('; ')])))
    io.out()
    io.out(renderTable(['member', 'role', ...SERVICES], r.members.map((m) => [`${m.email}${m.status === 'left' ? ' (left)' : ''}`, m.role, ...SERVICES.map((s) => CELL[m.cells[s].status])])))
    io.out()
    if (r.findings.length > 0) {
      io.out(renderTable(['severity', 'outcome', 'rule', 'service', 'account', 'finding'], r.findings.map((f) => [f.severity, f.outcome, f.rule, f.service, f.account ?? '', f.message])))
      io.out()
    }
    for (const w of r.waived) io.out(`waived: ${w.rule} on ${w.service} ${w.account} until ${w.expires} (${w.reason})`)
    io.out(`${r.summary.findings} finding(s): ${SEVERITIES.map((s) => `${r.summary.bySeverity[s]} ${s}`).join(', ')}; ${r.summary.unknown} unknown; ${r.summary.compliantMembers}/${r.summary.members} members compliant`)
    if (r.summary.refused.length > 0) io.warn(`Refused: ${r.summary.refused.join(', ')} answered with an error (see notes). The check is incomplete (exit 1).`)
    else if (r.exitCode === 1) io.warn(`Not reachable: ${r.summary.unreachable.join(', ')}. The check is incomplete (exit 1); pass --allow-unreachable to accept that.`)
    else if (r.exitCode === 3) io.warn(`${r.summary.atOrAboveFailOn} finding(s) at or above ${r.failOn} (exit 3).`)
  }
}
