import {Flags} from '@oclif/core'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {UsageError} from '../../lib/errors.js'
import {checkIdentifier} from '../../lib/aurora/names.js'
import {planRestore, restoreLabel, runRestore, type RestorePlan, type RestoreResult, type RestoreSource} from '../../lib/aurora/restore.js'
import {auroraSettings} from '../../lib/aurora/settings.js'
import {createRdsPort} from '../../lib/platform/aws/rds.js'
import {parseTime} from '../../lib/time/parse-time.js'
import {renderTable} from '../../lib/ui/table.js'

export default class AuroraRestore extends ImpressCommand<typeof AuroraRestore> {
  static override summary = 'Restore the cluster into a NEW cluster with instances like the source\'s, and check it matches.'
  static override examples = [
    '<%= config.bin %> aurora restore --to-time "2h ago" --target impress-check',
    '<%= config.bin %> aurora restore --latest --target impress-drill',
    '<%= config.bin %> aurora restore --snapshot impress-impress-prod-20261120-030000 --target impress-old --json',
  ]
  static override mutating = true
  static handlesInterrupt = true
  static override flags = {
    ...mutatingFlags,
    'to-time': Flags.string({description: 'Point in time to restore to (ISO 8601 or "2h ago").', exactlyOne: ['to-time', 'latest', 'snapshot']}),
    latest: Flags.boolean({description: 'Restore to the latest restorable time.', exactlyOne: ['to-time', 'latest', 'snapshot']}),
    snapshot: Flags.string({description: 'Restore from this cluster snapshot.', exactlyOne: ['to-time', 'latest', 'snapshot']}),
    target: Flags.string({description: 'Name of the new cluster.', required: true}),
  }

  async run(): Promise<{dryRun: boolean; plan: RestorePlan; result?: Omit<RestoreResult, 'plan'>}> {
    const {cluster} = auroraSettings(this.environment)
    const target = checkIdentifier(this.flags.target, '--target')
    if (target === cluster) throw new UsageError('--target must be a new cluster, not the source.', {hint: 'A restore never overwrites; use `impress aurora rollback` to replace the cluster.'})
    const from: RestoreSource = this.flags.snapshot ? {snapshot: this.flags.snapshot} : this.flags.latest ? {latest: true} : {time: parseTime(this.flags['to-time']!, '--to-time').toISOString()}
    const deps = {aurora: await createRdsPort(this.ctx), progress: (m: string) => this.io.info(m), signal: this.signal}
    const plan = await planRestore({source: cluster, target, from}, deps)
    this.auditDetails = {source: cluster, target, from}
    this.io.info(`Plan: restore ${cluster} ${restoreLabel(from)} into ${target}, then create ${plan.instances.map((i) => `${i.id} (${i.instanceClass})`).join(', ')}.`)
    if (this.dryRun) return {dryRun: true, plan}
    const result = await runRestore({source: cluster, target, from}, deps, plan)
    this.io.out(`Restored ${cluster} ${restoreLabel(from)} into ${target}; configuration matches the source.`)
    this.io.out(`  writer endpoint  ${result.endpoints.writer}`)
    this.io.out(`  reader endpoint  ${result.endpoints.reader}`)
    this.io.out(renderTable(['instance', 'role', 'class', 'status', 'endpoint'], result.instances.map((i) => [i.id, i.role, i.instanceClass, i.status, i.endpoint]), {header: this.io.color.bold}))
    const {plan: _plan, ...rest} = result
    return {dryRun: false, plan, result: rest}
  }
}
