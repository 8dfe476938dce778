/** The auditor's report: Markdown, self-contained, with the evidence each finding rests on. */
import type {ComplianceReport} from './check.js'
import {SERVICE_LABELS, SERVICES} from './types.js'

const CELL: Record<string, string> = {pass: 'pass', fail: '**FAIL**', unknown: 'unknown', waived: 'waived', none: '—', 'not-checked': 'not checked'}

export function toMarkdown(r: ComplianceReport): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|')
  const lines: string[] = []
  lines.push('# IMPRESS access compliance report', '')
  lines.push(`- Generated: ${r.generatedAt}`, `- Roster: \`${r.roster}\``, `- Threshold (--fail-on): ${r.failOn}`)
  lines.push(`- Result: ${r.exitCode === 0 ? 'PASS' : r.exitCode === 3 ? `FAIL (${r.summary.atOrAboveFailOn} finding(s) at or above ${r.failOn})` : 'INCOMPLETE (a service could not be reached or refused the credentials)'}`)
  lines.push(`- Members compliant: ${r.summary.compliantMembers} of ${r.summary.members}; findings: ${r.summary.findings} (${r.summary.failed} failed, ${r.summary.unknown} unknown)`, '')
  lines.push('## Services', '', '| service | status | accounts | data as of | notes |', '|---|---|---|---|---|')
  for (const s of r.services) {
    lines.push(`| ${SERVICE_LABELS[s.service]} | ${s.status}${s.error ? `: ${esc(s.error)}` : ''} | ${s.accounts} | ${s.generatedAt ?? 'live'} | ${esc(s.notes.join('; '))} |`)
  }
  lines.push('', '## Member × service', '', `| member | role | status | ${SERVICES.map((s) => SERVICE_LABELS[s]).join(' | ')} |`, `|---|---|---|${SERVICES.map(() => '---').join('|')}|`)
  for (const m of r.members) {
    lines.push(`| ${esc(m.name)} <${m.email}> | ${m.role} | ${m.status} | ${SERVICES.map((s) => `${CELL[m.cells[s].status]}${m.cells[s].rules.length > 0 ? ` (${m.cells[s].rules.join(', ')})` : ''}`).join(' | ')} |`)
  }
  lines.push('', '## Findings', '')
  if (r.findings.length === 0) lines.push('None.')
  else {
    lines.push('| severity | outcome | rule | service | member | account | finding | fix |', '|---|---|---|---|---|---|---|---|')
    for (const f of r.findings) lines.push(`| ${f.severity} | ${f.outcome} | ${f.rule} | ${f.service} | ${f.member ?? '—'} | ${esc(f.account ?? '—')} | ${esc(f.message)} | ${esc(f.hint)} |`)
  }
  lines.push('', '## Exceptions applied', '')
  if (r.waived.length === 0) lines.push('None.')
  else {
    lines.push('| rule | service | account | reason | expires |', '|---|---|---|---|---|')
    for (const w of r.waived) lines.push(`| ${w.rule} | ${w.service} | ${esc(w.account)} | ${esc(w.reason)} | ${w.expires} |`)
  }
  lines.push('', 'Unknown outcomes are not passes: they name the permission the credentials lack.', '')
  return lines.join('\n')
}
