import {Flags} from '@oclif/core'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import {ConfigError, OperationError} from '../../lib/errors.js'
import {eventsNotification, runEdgeEvents, type EdgeEventsReport} from '../../lib/edge/events.js'
import {edgeWiring} from '../../lib/edge/wiring.js'
import {defaultNotifyDeps, sendNotification, type ChannelResult} from '../../lib/notify/notify.js'
import {notifyTargets} from '../../lib/notify/targets.js'
import {parseTime} from '../../lib/time/parse-time.js'
import {renderTable} from '../../lib/ui/table.js'

export default class EdgeEvents extends ImpressCommand<typeof EdgeEvents> {
  static override summary = 'List Cloudflare security events (WAF, DDoS mitigation) on the configured hostnames\' zones; --notify sends a summary.'
  static override examples = ['<%= config.bin %> edge events', '<%= config.bin %> edge events --since 7d --json', '<%= config.bin %> edge events --since 1h --notify']
  static override flags = {
    since: Flags.string({description: 'How far back: a duration (24h, 30m, 7d) or an ISO 8601 time.', default: '24h'}),
    limit: Flags.integer({description: 'At most this many events per zone.', default: 1000, min: 1, max: 10_000}),
    notify: Flags.boolean({description: 'Send a summary through the notify targets when there are events.'}),
  }

  async run(): Promise<EdgeEventsReport & {notified?: ChannelResult[]}> {
    const since = parseTime(this.flags.since, '--since')
    const w = await edgeWiring(this.ctx)
    if (!w.zones) throw new ConfigError('Cloudflare is not configured for edge events.', {hint: 'Set CLOUDFLARE_API_TOKEN or edge.cloudflare.token (a token with Analytics Read).'})
    const r = await runEdgeEvents({hostnames: w.hostnames, since, until: new Date(), limit: this.flags.limit}, {zones: w.zones})
    if (r.events.length > 0) this.io.out(renderTable(['TIME (UTC)', 'ZONE', 'HOST', 'SOURCE', 'ACTION', 'CLIENT', 'REQUEST'], r.events.map((e) => [e.datetime.replace('T', ' ').replace('Z', ''), e.zone, e.host, e.source, e.action, `${e.clientIP} ${e.clientCountryName}`, `${e.method} ${e.path}`])))
    this.io.out(`${r.summary.total} security event(s) since ${r.since} on ${r.zones.join(', ') || 'no zone'}${r.summary.ddos > 0 ? `; ${r.summary.ddos} from DDoS mitigation` : ''}.`)
    if (r.truncated.length > 0) this.io.warn(`At least --limit ${this.flags.limit} events on ${r.truncated.join(', ')}: the list is incomplete.`)
    if (!this.flags.notify) return r
    if (r.events.length === 0) {
      this.io.info('No events: nothing to notify.')
      return {...r, notified: []}
    }
    const targets = await notifyTargets(this.ctx)
    if (!targets.webhook && !targets.email) throw new OperationError(`No notification channel is configured for ${this.ctx.env.name}.`, {code: 'E_NO_CHANNEL', hint: 'Add notify.webhook and/or notify.email + notify.smtp to the environment.'})
    const notified = await sendNotification(eventsNotification(r, this.ctx.env.name), targets, defaultNotifyDeps)
    for (const c of notified) this.io.info(`notified ${c.channel}: ${c.ok ? 'sent' : `failed: ${c.error}`}`)
    if (notified.some((c) => !c.ok)) throw new OperationError('A notification channel failed.', {code: 'E_NOTIFY', hint: 'Check the webhook URL / SMTP settings (`impress notify test`).'})
    return {...r, notified}
  }
}
