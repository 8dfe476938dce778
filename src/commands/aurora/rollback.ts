import {Flags} from '@oclif/core'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {abortRollback, rollbackStatus, statusFooter, runRollback, type AbortReport, type RollbackPlanView, type RollbackReport, type RollbackStatus} from '../../lib/aurora/rollback.js'
import {actorName, auroraSettings} from '../../lib/aurora/settings.js'
import {createRdsPort} from '../../lib/platform/aws/rds.js'
import {runShell} from '../../lib/aurora/verify-command.js'
import {parseTime} from '../../lib/time/parse-time.js'
import {renderTable} from '../../lib/ui/table.js'

export default class AuroraRollback extends ImpressCommand<typeof AuroraRollback> {
  static override summary = 'Roll the cluster back to a point in time: restore, swap identifiers, keep the original aside. Resumable.'
  static override examples = [
    '<%= config.bin %> aurora rollback --to-time "2026-11-20T03:00:00Z" --dry-run',
    '<%= config.bin %> aurora rollback --to-time "2h ago" --verify ./scripts/check-db.sh',
    '<%= config.bin %> aurora rollback            # resume an interrupted rollback',
    '<%= config.bin %> aurora rollback --status',
    '<%= config.bin %> aurora rollback --abort --yes',
  ]
  static override mutating = true
  static handlesInterrupt = true
  static override flags = {
    ...mutatingFlags,
    'to-time': Flags.string({description: 'Point in time to roll back to (ISO 8601 or "2h ago"); omit to resume.', exclusive: ['status', 'abort']}),
    verify: Flags.string({description: 'Command run after the swap (env IMPRESS_DB_ENDPOINT…); non-zero fails the rollback.', multiple: true}),
    status: Flags.boolean({description: 'Show the newest rollback: running or interrupted, how to resume, who holds the lock (user, host, pid, since; stale if gone). Changes nothing.', exclusive: ['abort']}),
    abort: Flags.boolean({description: 'Undo an unfinished rollback: swap names back, delete the restored cluster.'}),
  }

  async run(): Promise<RollbackReport | RollbackStatus | AbortReport> {
    const {cluster} = auroraSettings(this.environment)
    const dataDir = this.environment.dataDir
    if (this.flags.status) return this.showStatus(rollbackStatus(cluster, dataDir, this.environment.name))
    const aurora = await createRdsPort(this.ctx)
    const deps = {aurora, dataDir, actor: actorName(await this.ctx.awsActor()), signal: this.signal, runCommand: runShell, progress: (m: string) => this.io.info(m),
      showPlan: (p: RollbackPlanView) => this.showPlan(p), confirm: (action: string) => this.confirm(action)}
    if (this.flags.abort) {
      const r = await abortRollback({cluster, dryRun: this.dryRun}, deps)
      this.auditDetails = {cluster, abort: r.journal, actions: r.actions}
      for (const a of r.actions) this.io.out(`- ${a}`)
      this.io.out(`Rollback ${r.journal} aborted; kept: ${r.kept.join(', ')}.`)
      return r
    }
    const time = this.flags['to-time'] ? parseTime(this.flags['to-time'], '--to-time') : undefined
    this.auditDetails = {cluster, toTime: time?.toISOString()}
    const r = await runRollback({cluster, time, verify: this.flags.verify, dryRun: this.dryRun}, deps)
    this.auditDetails = {cluster, toTime: r.targetTime, journal: r.journal, aside: r.aside, safetySnapshot: r.safetySnapshot, resumed: r.resumed}
    if (r.dryRun) return r
    this.io.out(`${cluster} now holds the data of ${r.targetTime} (restored as ${r.restoredFrom}, endpoint ${r.endpointUnchanged ? 'unchanged' : 'CHANGED'}: ${r.endpoint}).`)
    this.io.out(`The original cluster is kept as ${r.aside}; safety snapshot ${r.safetySnapshot}.`)
    return r
  }

  private showPlan(p: RollbackPlanView): void {
    const lines = [
      `Rollback plan for ${p.cluster}${p.resume ? ` (resuming ${p.resume.journal}; done: ${p.resume.done.join(', ') || 'nothing'})` : ''}`,
      `  target time     ${p.targetTime}  (window ${p.window ? `${p.window.earliest} .. ${p.window.latest}` : 'unknown'})`,
      `  1. safety snapshot  ${p.safetySnapshot}`,
      `  2. restore into     ${p.restored.id} with ${p.restored.instances.map((i) => `${i.id} (${i.role}, ${i.instanceClass})`).join(', ')}`,
      `  3. rename           ${p.swap.original} -> ${p.swap.aside} (kept, never deleted)`,
      `  4. rename           ${p.swap.restored} -> ${p.swap.original} (applications keep their endpoint)`,
      '  5. verify',
    ]
    this.io.info(lines.join('\n'))
  }

  private showStatus(s: RollbackStatus): RollbackStatus {
    const j = s.journal
    if (!j) this.io.out(`No rollback of ${s.cluster} on record.`)
    else {
      this.io.out(`Rollback ${j.id}: ${s.state.toUpperCase()} (to ${j.params.targetTime}, started ${j.createdAt}, last step at ${j.updatedAt})${s.next ? `; next step: ${s.next}` : ''}`)
      this.io.out(renderTable(['step', 'status', 'started', 'ended', 'error'], j.steps.map((st) => [st.name, st.status, st.startedAt, st.endedAt, st.error]), {header: this.io.color.bold}))
    }
    for (const line of statusFooter(s)) this.io.out(line)
    return s
  }
}
