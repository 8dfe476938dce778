import {Flags} from '@oclif/core'
import {auditActor, auditReport, recordAudit} from '../../lib/audit/record.js'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {redactArgv, redactor} from '../../lib/redact.js'

export default class AuditAcknowledge extends ImpressCommand<typeof AuditAcknowledge> {
  static override summary = 'Accept the problems `audit verify` found, with a signed entry saying who accepted them and why; mutating commands then run again.'
  static override description =
    'The entry records the digest of the log as it stands, so a later change to the accepted lines is a new problem. Not `mutating` in the usual sense: it runs on a log that does not verify, and its own entry is the acknowledgement.'
  static override examples = ['<%= config.bin %> audit acknowledge --reason "restored from backup after disk failure, see INC-42" --yes', '<%= config.bin %> audit acknowledge --reason "..." --dry-run']
  static override flags = {
    reason: Flags.string({description: 'Why the break is accepted (an incident, a restore, an investigation); recorded in the signed entry.', required: true}),
    ...mutatingFlags,
  }

  async run(): Promise<{path: string; acknowledged: boolean; line?: number; by?: string; signed?: boolean; problems: {line: number; reason: string}[]}> {
    const started = Date.now()
    const path = this.environment.auditPath
    const ports = this.ctx.auditPorts()
    // Without the key an acknowledgement would be unsigned, and worthless: fail here (exit 1) instead.
    await ports.keyring?.current()
    const report = await auditReport(path, ports)
    const problems = report.problems.filter((p) => p.acknowledgedAt === undefined).map(({line, reason}) => ({line, reason}))
    if (problems.length === 0) {
      this.io.out(`Audit log ${path} verifies: nothing to acknowledge.`)
      return {path, acknowledged: false, problems}
    }
    for (const p of problems.slice(0, 10)) this.io.info(`  line ${p.line} ${p.reason}.`)
    if (problems.length > 10) this.io.info(`  … and ${problems.length - 10} more.`)
    if (this.dryRun) {
      this.io.out(`Would record that ${auditActor().user} accepts ${problems.length} problem(s) in ${path}.`)
      return {path, acknowledged: false, problems}
    }
    await this.confirm(`record that you accept ${problems.length} problem(s) in the audit log`)
    const entry = await recordAudit(
      path,
      {time: new Date(started).toISOString(), actor: auditActor(await this.ctx.awsActor()), command: 'audit acknowledge', args: redactArgv(this.argv, redactor), env: this.environment.name, result: 'ok', exitCode: 0, durationMs: Date.now() - started},
      ports,
      {destructive: true, acknowledge: {reason: this.flags.reason, problems}},
    )
    this.io.out(`Recorded at line ${entry.seq}: ${entry.actor.user} accepted ${problems.length} problem(s)${entry.sig ? ' (signed)' : ''}. Mutating commands run again.`)
    return {path, acknowledged: true, line: entry.seq, by: entry.actor.user, signed: Boolean(entry.sig), problems}
  }
}
