import {ImpressCommand} from '../../lib/cli/base-command.js'
import {OperationError} from '../../lib/errors.js'
import {defaultNotifyDeps, sendNotification, type ChannelResult} from '../../lib/notify/notify.js'
import {recordTest} from '../../lib/notify/last-test.js'
import {notifyTargets} from '../../lib/notify/targets.js'

export default class NotifyTest extends ImpressCommand<typeof NotifyTest> {
  static override summary = 'Send a test notification to the configured webhook and email.'
  static override examples = ['<%= config.bin %> notify test', '<%= config.bin %> notify test --env prod --json']

  async run(): Promise<{channels: ChannelResult[]}> {
    const targets = await notifyTargets(this.ctx)
    if (!targets.webhook && !targets.email) {
      throw new OperationError(`No notification channel is configured for ${this.ctx.env.name}.`, {code: 'E_NO_CHANNEL', hint: 'Add notify.webhook and/or notify.email + notify.smtp to the environment.'})
    }
    const channels = await sendNotification({event: 'test', status: 'ok', title: `impress test notification (${this.ctx.env.name})`, lines: ['If you read this, notifications reach you.']}, targets, defaultNotifyDeps)
    recordTest(this.ctx.env.dataDir, channels)
    for (const c of channels) this.io.out(`${c.channel.padEnd(8)} ${c.ok ? this.io.color.green('sent') : this.io.color.red(`failed: ${c.error}`)}`)
    if (channels.some((c) => !c.ok)) throw new OperationError('A notification channel failed.', {code: 'E_NOTIFY', hint: 'Check the URL / SMTP settings printed above.'})
    return {channels}
  }
}
