import {Flags} from '@oclif/core'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import {ViolationError} from '../../lib/errors.js'
import {auroraSettings} from '../../lib/aurora/settings.js'
import {runStatus, type AuroraStatus} from '../../lib/aurora/status.js'
import {createCloudWatchPort} from '../../lib/platform/aws/cloudwatch.js'
import {createRdsPort} from '../../lib/platform/aws/rds.js'
import {renderTable} from '../../lib/ui/table.js'

export default class AuroraStatusCommand extends ImpressCommand<typeof AuroraStatusCommand> {
  static override summary = 'Cluster state, instances, replica lag, restore window, retention and newest snapshots.'
  static override examples = ['<%= config.bin %> aurora status', '<%= config.bin %> aurora status --check   # exit 3 when the policy is broken', '<%= config.bin %> aurora status --json']
  static override flags = {
    check: Flags.boolean({description: 'Exit 3 when anything breaks the configured policy (lag, retention, snapshots, states).'}),
  }

  async run(): Promise<AuroraStatus> {
    const settings = auroraSettings(this.environment)
    const [aurora, metrics] = await Promise.all([createRdsPort(this.ctx), createCloudWatchPort(this.ctx)])
    const s = await runStatus({cluster: settings.cluster, policy: {retentionDays: settings.retentionDays, maxReplicaLagMs: settings.maxReplicaLagMs}}, {aurora, metrics})
    const c = this.io.color
    this.io.out(`${c.bold(s.cluster.id)}  ${s.cluster.status}  ${s.cluster.engine} ${s.cluster.engineVersion}`)
    this.io.out(`  endpoint        ${s.cluster.endpoint ?? '-'}`)
    this.io.out(`  reader          ${s.cluster.readerEndpoint ?? '-'}`)
    this.io.out(`  restore window  ${s.restoreWindow ? `${s.restoreWindow.earliest} .. ${s.restoreWindow.latest}` : 'none'}`)
    this.io.out(`  retention       ${s.cluster.backupRetentionDays} days (policy ${settings.retentionDays})`)
    this.io.out(`  automated       ${s.newestAutomated ? `${s.newestAutomated.id} (${s.newestAutomated.ageHours} h old)` : 'none'}`)
    this.io.out(`  manual          ${s.newestManual ? `${s.newestManual.id} (${s.newestManual.ageHours} h old)` : 'none'}`)
    this.io.out('')
    this.io.out(
      renderTable(
        ['instance', 'role', 'class', 'az', 'status', 'replica lag'],
        s.instances.map((i) => [i.id, i.role, i.instanceClass, i.az, i.status, i.role === 'writer' ? '-' : i.lagMs === undefined ? c.red('no data') : i.lagFlagged ? c.red(`${i.lagMs} ms`) : `${i.lagMs} ms`]),
        {header: c.bold},
      ),
    )
    if (s.violations.length > 0) {
      this.io.out('')
      for (const v of s.violations) this.io.out(`${c.red('✗')} ${v}`)
      if (this.flags.check) throw new ViolationError(`${s.violations.length} Aurora policy violation(s): ${s.violations.join('; ')}.`, {code: 'E_AURORA_POLICY', hint: 'Fix them, or adjust the aurora section of the configuration.', details: {violations: s.violations}})
    } else {
      this.io.out(c.green('✓ within policy'))
    }
    return s
  }
}
