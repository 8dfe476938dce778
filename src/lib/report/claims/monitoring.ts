/**
 * Incidents (issue 21): every module watched by its alarms, routed to support@, the last
 * rehearsal delivered within its target; every module's logs searchable and kept for a set
 * retention. Both read the monitor capability's own plan and status (evidence.ts).
 */
import {fmt} from '../../drill/run.js'
import type {ClaimDefinition} from '../types.js'

/** A rehearsal older than this no longer shows the alarms reach anyone. */
const TEST_MAX_AGE_MS = 90 * 86_400_000

export const monitoringClaims: ClaimDefinition[] = [
  {
    id: 'incidents.alarms',
    section: 'Incidents',
    sentence: () => 'Backend exceptions are monitored and automatically notify support@: every module has its alarms, they reach a confirmed support@ subscription, and the last incident rehearsal was notified within its target.',
    rerun: 'impress monitor plan && impress monitor test --yes',
    async check(ports, _settings, now) {
      const m = await ports.monitoring()
      const problems: string[] = []
      const facts: string[] = []
      const unwatched = [...new Set([...m.plan.alarms.missing.map((a) => a.module), ...m.plan.alarms.changed.map((a) => a.module)])].sort()
      for (const x of m.modules) {
        const missing = m.plan.alarms.missing.filter((a) => a.module === x.module).map((a) => a.kind)
        facts.push(`${x.module}: ${missing.length === 0 ? 'alarms in place' : `missing ${missing.join(', ')} alarm(s)`}`)
      }
      if (unwatched.length > 0) problems.push(`alarms missing or drifted for ${unwatched.join(', ')} (impress monitor apply)`)
      if (m.plan.alarms.extra.length > 0) facts.push(`${m.plan.alarms.extra.length} alarm(s) not in the configuration`)
      const sub = m.email ? m.subscriptions.find((s) => s.protocol === 'email' && s.endpoint.toLowerCase() === m.email!.toLowerCase()) : undefined
      if (!m.email) problems.push('no incident e-mail address is configured (monitoring.email or notify.email)')
      else if (!m.plan.topic.exists) problems.push(`the topic ${m.plan.topic.name} does not exist`)
      else if (!sub) problems.push(`${m.email} is not subscribed to ${m.plan.topic.name}`)
      else if (!sub.confirmed) problems.push(`${m.email}'s subscription to ${m.plan.topic.name} is not confirmed yet`)
      else if (!m.email.toLowerCase().startsWith('support@')) facts.push(`the incident address ${m.email} is not a support@ address`)
      if (sub?.confirmed) facts.push(`${m.plan.topic.name} → ${m.email} (confirmed)`)
      const t = m.lastTest
      if (!t) problems.push('no incident rehearsal has run from here (impress monitor test)')
      else {
        const age = now.getTime() - Date.parse(t.finishedAt || t.failedAt)
        facts.push(`last rehearsal on ${t.module} at ${t.failedAt}: detected ${t.timeToDetectMs === undefined ? 'never' : `in ${fmt(t.timeToDetectMs)}`}, notified ${t.timeToNotifyMs === undefined ? t.notification : `in ${fmt(t.timeToNotifyMs)}`} (target ${fmt(t.targetMs)})`)
        if (t.notification !== 'received' || t.timeToNotifyMs === undefined) problems.push(`the last rehearsal's notification was ${t.notification}`)
        else if (t.timeToNotifyMs > t.targetMs) problems.push(`the last rehearsal notified after ${fmt(t.timeToNotifyMs)}, over its ${fmt(t.targetMs)} target`)
        if (age > TEST_MAX_AGE_MS) problems.push(`the last rehearsal was ${fmt(age)} ago: more than 90 days`)
      }
      return problems.length === 0
        ? {status: 'holds', detail: `${m.modules.length} module(s) alarmed, routed to ${m.email}; the last rehearsal was notified in ${fmt(t!.timeToNotifyMs!)} (target ${fmt(t!.targetMs)})`, facts}
        : {status: 'fails', detail: problems.join('; '), facts}
    },
  },
  {
    id: 'logs.searchable',
    section: 'Incidents',
    sentence: () => 'APIs and batches expose searchable logs: every module has its log group, kept for a set retention period.',
    rerun: 'impress monitor plan',
    async check(ports) {
      const m = await ports.monitoring()
      const rows = m.modules.map((x) => ({x, g: m.logGroups.find((g) => g.name === x.group)}))
      const facts = rows.map(({x, g}) => `${x.module}: ${g ? `${g.name}, ${g.retentionInDays ? `kept ${g.retentionInDays} days` : 'kept forever (no retention set)'}` : `no log group ${x.group}`}`)
      const missing = rows.filter((r) => !r.g).map((r) => r.x.module)
      const forever = rows.filter((r) => r.g && !r.g.retentionInDays).map((r) => r.x.module)
      if (missing.length === 0 && forever.length === 0) return {status: 'holds', detail: `${rows.length} module log group(s), each with a retention (impress logs, impress logs --query)`, facts}
      return {status: 'fails', detail: [missing.length ? `no log group for ${missing.join(', ')}` : '', forever.length ? `no retention set on ${forever.join(', ')} (impress monitor apply sets it)` : ''].filter(Boolean).join('; '), facts}
    },
  },
]
