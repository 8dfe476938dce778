import {Flags} from '@oclif/core'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import {ExitCode, ViolationError} from '../../lib/errors.js'
import {desiredState, monitorPorts} from '../../lib/monitor/deps.js'
import {planMonitoring, type MonitorPlan} from '../../lib/monitor/plan.js'
import {renderMonitorPlan} from '../../lib/monitor/render.js'

export default class MonitorPlanCommand extends ImpressCommand<typeof MonitorPlanCommand> {
  static override summary = 'Show the drift between the monitoring configuration and CloudWatch / SNS.'
  static override description =
    'Alarms as code: per module an Errors, a Throttles and a Duration (near the timeout) alarm, a metric filter on error lines with its alarm, every action to one SNS topic with support@ (and a webhook, if configured) subscribed. Lists missing, changed and extra alarms, missing metric filters and missing or unconfirmed subscriptions.'
  static override examples = ['<%= config.bin %> monitor plan', '<%= config.bin %> monitor plan --exit-code   # exit 3 on drift (scheduled CI job)', '<%= config.bin %> monitor plan --json']
  static override flags = {
    'exit-code': Flags.boolean({description: 'Exit 3 when there is drift.'}),
  }

  async run(): Promise<MonitorPlan> {
    const [want, ports] = await Promise.all([desiredState(this.ctx), monitorPorts(this.ctx)])
    const plan = await planMonitoring(want, ports)
    this.io.out(renderMonitorPlan(plan, this.io.color))
    if (this.flags['exit-code'] && plan.drift) {
      if (this.jsonEnabled()) {
        process.exitCode = ExitCode.Violations
        return plan
      }
      throw new ViolationError(`The monitoring differs from the configuration (${plan.summary.changes} change(s), ${plan.subscriptions.unconfirmed.length} unconfirmed subscription(s)).`, {
        code: 'E_MONITOR_DRIFT',
        hint: 'Review the plan, then run `impress monitor apply`.',
      })
    }
    return plan
  }
}
