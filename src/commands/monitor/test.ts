import {Args} from '@oclif/core'
import ms from 'ms'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {ExitCode} from '../../lib/errors.js'
import {chosenModules, monitoringSettings, monitorPorts} from '../../lib/monitor/deps.js'
import {rehearse, type RehearsalResult} from '../../lib/monitor/rehearsal.js'
import {renderRehearsal} from '../../lib/monitor/render.js'
import {writeLastTest} from '../../lib/monitor/store.js'
import {lambdaAdapter, lambdaSection} from '../../lib/platform/aws/lambda-context.js'
import {sandboxInbox} from '../../lib/platform/sandbox/mail-inbox.js'

export default class MonitorTest extends ImpressCommand<typeof MonitorTest> {
  static override summary = 'Incident rehearsal: make a scratch alias of a module fail, wait for the alarm and the notification, measure both.'
  static override description =
    'Creates a scratch alias (never the live one) at the live version, invokes it with monitoring.test.payload (default {"fail": true}), waits for the module\'s Errors alarm and, on the sandbox, for the email in the mail sink; prints the time to detect and the time to notify. The scratch alias is deleted always, also on Ctrl-C.'
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
    const test = this.ctx.env.config.monitoring?.test ?? {payload: {fail: true}, timeout: '10m', target: '5m'}
    const scale = await this.ctx.timeScale()
    const [lambda, ports] = await Promise.all([lambdaAdapter(this.ctx), monitorPorts(this.ctx)])
    const inbox = this.ctx.env.sandbox ? sandboxInbox((await this.ctx.sandbox()).url) : undefined
    const result = await rehearse(
      {module: m.module, function: m.function, liveAlias: lambdaSection(this.ctx).alias, alarmName: alarm, payload: test.payload, email: s.email, timeoutMs: Math.max(20_000, ms(test.timeout as ms.StringValue) * scale), pollMs: this.ctx.env.sandbox ? 50 : 10_000, targetMs: Math.max(1000, ms(test.target as ms.StringValue) * scale), signal: this.signal, progress: (x) => this.io.info(`  ${x}`)},
      {lambda, alarms: ports.alarms, inbox},
    )
    writeLastTest(this.ctx.env.dataDir, result)
    this.io.out(renderRehearsal(result, this.io.color))
    this.auditDetails = {module: m.module, ok: result.ok, timeToDetectMs: result.timeToDetectMs, timeToNotifyMs: result.timeToNotifyMs}
    if (!result.ok) process.exitCode = ExitCode.Violations
    return result
  }
}
