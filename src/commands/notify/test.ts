import {ImpressCommand} from '../../lib/cli/base-command.js'
import {OperationError} from '../../lib/errors.js'
import {defaultNotifyDeps, sendNotification, type ChannelResult} from '../../lib/notify/notify.js'
import {recordTest} from '../../lib/notify/last-test.js'
import {notifyTargets, unconfiguredChannels} from '../../lib/notify/targets.js'

export default class NotifyTest extends ImpressCommand<typeof NotifyTest> {
  static override summary = 'Send a test notification to each configured target (webhook, email) and say what each answered.'
  static override examples = ['<%= config.bin %> notify test', '<%= config.bin %> notify test --env prod --json']

  async run(): Promise<{channels: ChannelResult[]; notConfigured: {channel: string; missing: string}[]}> {
    const targets = await notifyTargets(this.ctx)
    const notConfigured = unconfiguredChannels(targets, this.ctx)
    if (!targets.webhook && !targets.email) {
      throw new OperationError(`No notification channel is configured for ${this.ctx.env.name}.`, {code: 'E_NO_CHANNEL', hint: 'Add notify.webhook and/or notify.email + notify.smtp to the environment.', details: {channels: [], notConfigured}})
    }
    const channels = await sendNotification({event: 'test', status: 'ok', title: `impress test notification (${this.ctx.env.name})`, lines: ['If you read this, notifications reach you.']}, targets, defaultNotifyDeps)
    recordTest(this.ctx.env.dataDir, channels)
    const c = this.io.color
    for (const ch of channels) this.io.out(`${ch.channel.padEnd(8)} ${(ch.target ?? '').padEnd(40)} ${ch.ok ? c.green('sent') : c.red(`failed: ${ch.error}`)}`)
    for (const n of notConfigured) this.io.out(`${n.channel.padEnd(8)} ${'(not configured)'.padEnd(40)} not tried: set ${n.missing}`)
    const failed = channels.filter((ch) => !ch.ok)
    if (failed.length > 0) {
      throw new OperationError(`${failed.length} of ${channels.length} notification target(s) failed: ${failed.map((f) => `${f.channel} ${f.target ?? ''} (${f.error})`).join('; ')}.`, {
        code: 'E_NOTIFY',
        hint: 'Check the URL / SMTP settings printed above.',
        details: {channels, notConfigured},
      })
    }
    return {channels, notConfigured}
  }
}
