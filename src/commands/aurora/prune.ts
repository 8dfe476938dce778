import {Flags} from '@oclif/core'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {auroraSettings} from '../../lib/aurora/settings.js'
import {applyPrune, planPrune, type PrunePlan} from '../../lib/aurora/snapshots.js'
import {createRdsPort} from '../../lib/platform/aws/rds.js'
import {renderTable} from '../../lib/ui/table.js'

export default class AuroraPrune extends ImpressCommand<typeof AuroraPrune> {
  static override summary = 'Delete manual snapshots older than retentionDays, except keep=true and the newest N.'
  static override examples = ['<%= config.bin %> aurora prune --dry-run', '<%= config.bin %> aurora prune --yes', '<%= config.bin %> aurora prune --keep-newest 3']
  static override mutating = true
  static override flags = {
    ...mutatingFlags,
    'keep-newest': Flags.integer({description: 'Never delete the newest N manual snapshots (default: aurora.keepNewest, 1).', min: 0}),
  }

  async run(): Promise<{cluster: string; plan: PrunePlan; deleted: string[]; dryRun: boolean}> {
    const settings = auroraSettings(this.environment)
    const aurora = await createRdsPort(this.ctx)
    const plan = planPrune(await aurora.listSnapshots(settings.cluster), {retentionDays: settings.retentionDays, keepNewest: this.flags['keep-newest'] ?? settings.keepNewest}, new Date())
    const rows = [...plan.delete.map((d) => [d.id, d.createdAt, 'delete', `${d.ageDays} days old`]), ...plan.keep.map((k) => [k.id, k.createdAt, 'keep', k.reason])]
    this.io.out(rows.length > 0 ? renderTable(['snapshot', 'created', 'action', 'why'], rows, {header: this.io.color.bold}) : 'No manual snapshots.')
    this.auditDetails = {cluster: settings.cluster, delete: plan.delete.map((d) => d.id)}
    if (this.dryRun || plan.delete.length === 0) {
      this.io.out(plan.delete.length === 0 ? 'Nothing to prune.' : `Dry run: ${plan.delete.length} snapshot(s) would be deleted.`)
      return {cluster: settings.cluster, plan, deleted: [], dryRun: this.dryRun}
    }
    await this.confirm(`delete ${plan.delete.length} manual snapshot(s) of ${settings.cluster}`)
    const deleted = await applyPrune(plan, {aurora, progress: (m) => this.io.info(m)})
    this.io.out(`Deleted ${deleted.length} snapshot(s).`)
    return {cluster: settings.cluster, plan, deleted, dryRun: false}
  }
}
