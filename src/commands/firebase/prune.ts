import {Flags} from '@oclif/core'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {listBackups} from '../../lib/firebase/list.js'
import {applyPrune, planPrune, type PrunePlanEntry} from '../../lib/firebase/prune.js'
import {exportObjects} from '../../lib/firebase/wiring.js'
import {defaultBackupRoot, storeAt} from '../../lib/platform/firebase/targets.js'
import {renderTable} from '../../lib/ui/table.js'

export default class FirebasePrune extends ImpressCommand<typeof FirebasePrune> {
  static override summary = 'Delete Firebase backups outside the retention policy (keep the last N, plus one per week for M weeks); a managed export\'s objects are deleted from its bucket.'
  static override examples = ['<%= config.bin %> firebase prune --keep-last 7 --keep-weeks 8 --dry-run', '<%= config.bin %> firebase prune --keep-last 3 --yes']
  static override mutating = true
  static override flags = {
    ...mutatingFlags,
    in: Flags.string({description: 'Directory or s3://bucket/prefix (default: <firebase.backups>/<env>).'}),
    'keep-last': Flags.integer({description: 'Complete backups to keep, newest first.', default: 7, min: 1}),
    'keep-weeks': Flags.integer({description: 'Also keep the newest backup of each of the last M weeks.', default: 8, min: 0}),
    'include-incomplete': Flags.boolean({description: 'Also delete incomplete backups older than the newest complete one.'}),
  }

  async run(): Promise<{location: string; plan: PrunePlanEntry[]; deleted: string[]}> {
    const store = await storeAt(this.ctx, this.flags.in ?? defaultBackupRoot(this.ctx))
    const plan = planPrune(await listBackups({store}), {keepLast: this.flags['keep-last'], keepWeeks: this.flags['keep-weeks'], includeIncomplete: this.flags['include-incomplete']}, new Date())
    const doomed = plan.filter((p) => p.action === 'delete')
    this.auditDetails = {location: store.location, delete: doomed.map((p) => p.id)}
    if (plan.length > 0) this.io.out(renderTable(['BACKUP', 'ACTION', 'REASON'], plan.map((p) => [p.id, p.action, p.reason])))
    if (doomed.length === 0 || this.dryRun) {
      this.io.out(doomed.length === 0 ? `Nothing to prune in ${store.location}.` : `Plan: delete ${doomed.length} backup(s) (dry run: nothing deleted).`)
      return {location: store.location, plan, deleted: []}
    }
    await this.confirm(`delete ${doomed.length} backup(s) from ${store.location}`)
    const deleted = await applyPrune(plan, {store, objects: exportObjects(this.ctx)})
    this.io.out(`Deleted ${deleted.length} backup(s) from ${store.location}.`)
    return {location: store.location, plan, deleted}
  }
}
