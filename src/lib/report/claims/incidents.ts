/** Incidents: notification targets and the last test that reached them. */
import {fmt} from '../../drill/run.js'
import type {ClaimDefinition} from '../types.js'

/** A test older than this no longer shows the targets work. */
const TEST_MAX_AGE_MS = 90 * 86_400_000

export const incidentClaims: ClaimDefinition[] = [
  {
    id: 'incidents.notify-targets',
    section: 'Incidents',
    sentence: () => 'Incidents notify the team: notification targets (webhook, e-mail) are configured.',
    rerun: 'impress notify test',
    async check(ports) {
      const n = await ports.notify()
      return n.channels.length > 0 ? {status: 'holds', detail: `configured: ${n.channels.join(', ')}`} : {status: 'fails', detail: 'no notification target is configured (notify.webhook, notify.email + notify.smtp)'}
    },
  },
  {
    id: 'incidents.notify-delivered',
    section: 'Incidents',
    sentence: () => 'The last test notification reached every target.',
    rerun: 'impress notify test',
    async check(ports, _settings, now) {
      const n = await ports.notify()
      if (!n.last) return {status: 'fails', detail: 'no test notification was ever sent from here (`impress notify test`)'}
      const age = now.getTime() - Date.parse(n.last.at)
      const facts = n.last.channels.map((c) => `${c.channel}: ${c.ok ? 'delivered' : `failed (${c.error ?? 'error'})`}`)
      const missing = n.channels.filter((c) => !n.last!.channels.some((x) => x.channel === c && x.ok))
      const when = `on ${n.last.at} (${fmt(Math.max(0, age))} ago)`
      if (missing.length > 0) return {status: 'fails', detail: `the last test ${when} did not reach ${missing.join(', ')}`, facts}
      if (age > TEST_MAX_AGE_MS) return {status: 'fails', detail: `the last test was ${when}: more than 90 days ago`, facts}
      return {status: 'holds', detail: `delivered to ${n.last.channels.map((c) => c.channel).join(', ')} ${when}`, facts}
    },
  },
]
