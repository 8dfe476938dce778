import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {desiredState, monitorPorts} from '../../lib/monitor/deps.js'
import {applyMonitoring, type ApplyResult} from '../../lib/monitor/plan.js'
import {renderMonitorPlan} from '../../lib/monitor/render.js'

export default class MonitorApply extends ImpressCommand<typeof MonitorApply> {
  static override summary = 'Create or update the alarms, metric filters, topic and subscriptions the configuration asks for.'
  static override description =
    'Shows the plan, asks for confirmation (without a terminal: --yes, or exit 4), then converges: topic, subscriptions, metric filters, retention, alarms, and deletes the managed alarms no longer configured. Every step is an upsert: a rerun after an interruption finishes the plan without duplicates. Plans again at the end.'
  static override examples = ['<%= config.bin %> monitor apply', '<%= config.bin %> monitor apply --dry-run', '<%= config.bin %> monitor apply --yes --json']
  static override mutating = true
  static handlesInterrupt = true
  static override flags = {...mutatingFlags}

  async run(): Promise<ApplyResult> {
    const [want, ports] = await Promise.all([desiredState(this.ctx), monitorPorts(this.ctx)])
    const result = await applyMonitoring(want, ports, {
      dryRun: this.dryRun,
      signal: this.signal,
      progress: (m) => this.io.info(`  ${m}`),
      confirm: async (plan) => {
        this.io.out(renderMonitorPlan(plan, this.io.color))
        await this.confirm(`apply ${plan.summary.changes} monitoring change(s)`)
      },
    })
    if (!result.applied) this.io.out(renderMonitorPlan(result, this.io.color))
    else this.io.out(result.after?.drift ? renderMonitorPlan(result.after, this.io.color) : this.io.color.green(`Applied ${result.summary.changes} change(s); a new plan finds no drift.`))
    this.auditDetails = {applied: result.applied, changes: result.summary.changes, missingAlarms: result.alarms.missing.length, extraAlarms: result.alarms.extra.length}
    return result
  }
}
