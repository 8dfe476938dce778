import {ImpressCommand} from '../../lib/cli/base-command.js'
import {monitoringSettings, monitorPorts} from '../../lib/monitor/deps.js'
import {renderMonitorStatus} from '../../lib/monitor/render.js'
import {monitorStatus, type MonitorStatus} from '../../lib/monitor/status.js'
import {readLastTest} from '../../lib/monitor/store.js'

export default class MonitorStatusCommand extends ImpressCommand<typeof MonitorStatusCommand> {
  static override summary = "Each managed alarm's state and when it last fired; the topic's subscriptions; the last rehearsal."
  static override examples = ['<%= config.bin %> monitor status', '<%= config.bin %> monitor status --json']

  async run(): Promise<MonitorStatus> {
    const s = monitoringSettings(this.ctx)
    const ports = await monitorPorts(this.ctx)
    const status = await monitorStatus({topic: s.topic, prefix: s.prefix, lastTest: readLastTest(this.ctx.env.dataDir)}, ports)
    this.io.out(renderMonitorStatus(status, this.io.color))
    return status
  }
}
