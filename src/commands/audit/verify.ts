import {ImpressCommand} from '../../lib/cli/base-command.js'
import {verifyAudit, type VerifyResult} from '../../lib/audit/log.js'
import {ViolationError} from '../../lib/errors.js'

export default class AuditVerify extends ImpressCommand<typeof AuditVerify> {
  static override summary = 'Check the audit log\'s hash chain: exit 3 at the first edited, removed or reordered line.'
  static override examples = ['<%= config.bin %> audit verify', '<%= config.bin %> audit verify --json']

  async run(): Promise<VerifyResult> {
    const result = verifyAudit(this.environment.auditPath)
    if (!result.ok && result.break) {
      throw new ViolationError(`Audit log ${result.path}: line ${result.break.line} ${result.break.reason}.`, {
        code: 'E_AUDIT_BROKEN',
        hint: 'Keep the file as evidence and compare it with a backup; do not append to it until this is understood.',
        details: {path: result.path, line: result.break.line, reason: result.break.reason, lines: result.lines},
      })
    }
    this.io.out(`Audit log ${result.path}: ${result.lines} entr${result.lines === 1 ? 'y' : 'ies'}, chain intact.`)
    return result
  }
}
