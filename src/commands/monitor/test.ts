import {Args} from '@oclif/core'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {ExitCode} from '../../lib/errors.js'
import {chosenModules, monitoringSettings, rehearsalSetup} from '../../lib/monitor/deps.js'
import {rehearse, type RehearsalResult} from '../../lib/monitor/rehearsal.js'
import {renderRehearsal} from '../../lib/monitor/render.js'
import {writeLastTest} from '../../lib/monitor/store.js'

export default class MonitorTest extends ImpressCommand<typeof MonitorTest> {
  static override summary = 'Incident rehearsal: make a scratch alias of a module fail, wait for the alarm and the notification, measure both.'
  static override description =
    'Creates a scratch alias (never the live one) at the live version, invokes it with monitoring.test.payload (default {"fail": true}), waits for the module\'s Errors alarm and, on the sandbox, for the email in the mail sink; prints the time to detect and the time to notify. The scratch alias is deleted always, also on Ctrl-C. `impress drill` runs the same rehearsal as one of its steps.'
  static override examples = ['<%= config.bin %> monitor test pdf --yes', '<%= config.bin %> monitor test --yes --json']
  static override mutating = true
  static handlesInterrupt = true
  static override args = {module: Args.string({description: 'Module to rehearse with (default: the first configured).'})}
  static override flags = {...mutatingFlags}

  async run(): Promise<RehearsalResult | {dryRun: true; module: string; alarm: string}> {
    const [m] = chosenModules(this.ctx, this.args.module ? [this.args.module] : [])
    const s = monitoringSettings(this.ctx)
    const alarm = `${s.prefix}${m.module}/errors`
    if (this.dryRun) {
      this.io.out(`Would make a scratch alias of ${m.function} fail, wait for ${alarm} and the notification to ${s.email ?? 'no email'}, then delete the alias.`)
      return {dryRun: true, module: m.module, alarm}
    }
    await this.confirm(`make a scratch alias of ${m.function} fail on purpose (the ${alarm} alarm will notify ${s.email ?? 'the topic'})`)
    const {options, ports} = await rehearsalSetup(this.ctx, m, this.signal, (x) => this.io.info(`  ${x}`))
    const result = await rehearse(options, ports)
    writeLastTest(this.ctx.env.dataDir, result)
    this.io.out(renderRehearsal(result, this.io.color))
    this.auditDetails = {module: m.module, ok: result.ok, timeToDetectMs: result.timeToDetectMs, timeToNotifyMs: result.timeToNotifyMs}
    if (!result.ok) process.exitCode = ExitCode.Violations
    return result
  }
}
