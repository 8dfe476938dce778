import {ImpressCommand} from '../../lib/cli/base-command.js'
import {auditReport, type AuditReport} from '../../lib/audit/record.js'
import {renderAuditReport} from '../../lib/audit/render.js'
import {ViolationError} from '../../lib/errors.js'

export default class AuditVerify extends ImpressCommand<typeof AuditVerify> {
  static override summary = "Check the audit log: hash chain, signatures, head and anchors; exit 3 at the first line that does not verify."
  static override description = 'Says which entries are covered by an anchor outside this machine and which are not yet. See docs/audit.md for what each check detects.'
  static override examples = ['<%= config.bin %> audit verify', '<%= config.bin %> audit verify --json']

  async run(): Promise<AuditReport> {
    const report = await auditReport(this.environment.auditPath, this.ctx.auditPorts())
    for (const line of renderAuditReport(report)) this.io.out(line)
    if (!report.ok && report.break) {
      const {lineHashes: _h, lineEnds: _e, ...summary} = report
      throw new ViolationError(`Audit log ${report.path}: line ${report.break.line} ${report.break.reason}.`, {
        code: 'E_AUDIT_BROKEN',
        hint: 'Keep the file as evidence and compare it with a backup; mutating commands refuse until `impress audit acknowledge --reason "..."` records who accepted it.',
        details: {...summary, line: report.break.line, reason: report.break.reason},
      })
    }
    const {lineHashes: _h, lineEnds: _e, ...summary} = report
    return summary as AuditReport
  }
}
