/** Human output of `impress monitor plan / apply / status / test`. */
import type {ChalkInstance} from 'chalk'
import {renderTable} from '../ui/table.js'
import type {MonitorPlan} from './plan.js'
import type {RehearsalResult} from './rehearsal.js'
import type {MonitorStatus} from './status.js'

export function renderMonitorPlan(p: MonitorPlan, c: ChalkInstance): string {
  const lines: string[] = []
  if (!p.topic.exists) lines.push(c.green(`+ topic ${p.topic.name}`))
  for (const s of p.subscriptions.missing) lines.push(c.green(`+ subscription ${s.protocol}:${s.endpoint}`))
  for (const s of p.subscriptions.unconfirmed) lines.push(c.yellow(`! subscription ${s.protocol}:${s.endpoint} is pending confirmation (the recipient must follow the link in the confirmation message)`))
  for (const f of p.filters.missing) lines.push(c.green(`+ metric filter ${f.filterName} on ${f.logGroup}`))
  for (const f of p.filters.changed) lines.push(c.yellow(`~ metric filter ${f.filterName} on ${f.logGroup}`))
  for (const r of p.retention) lines.push(c.yellow(`~ retention of ${r.group}: ${r.from ?? 'never expire'} → ${r.to} days`))
  for (const a of p.alarms.missing) lines.push(c.green(`+ alarm ${a.name}`))
  for (const a of p.alarms.changed) lines.push(c.yellow(`~ alarm ${a.name} (${a.fields.join(', ')})`))
  for (const a of p.alarms.extra) lines.push(c.red(`- alarm ${a} (not in the configuration)`))
  const head = p.drift
    ? `${p.summary.changes} change(s)${p.subscriptions.unconfirmed.length > 0 ? `, ${p.subscriptions.unconfirmed.length} unconfirmed subscription(s)` : ''}; ${p.alarms.unchanged} alarm(s) and ${p.filters.unchanged} metric filter(s) as configured.`
    : `No drift: ${p.alarms.unchanged} alarm(s), ${p.filters.unchanged} metric filter(s), topic ${p.topic.name} with ${p.subscriptions.confirmed} confirmed subscription(s).`
  return [head, ...lines].join('\n')
}

export function renderMonitorStatus(s: MonitorStatus, c: ChalkInstance): string {
  const state = (v: string) => (v === 'ALARM' ? c.red(v) : v === 'OK' ? c.green(v) : c.yellow(v))
  const table = renderTable(
    ['alarm', 'state', 'since', 'last fired'],
    s.alarms.map((a) => [a.name, state(a.state), a.stateUpdatedAt ?? '', a.lastAlarmAt ?? '']),
  )
  const subs = s.subscriptions.map((x) => `  ${x.protocol}:${x.endpoint} ${x.confirmed ? c.green('confirmed') : c.yellow('pending confirmation')}`)
  const test = s.lastTest ? `Last rehearsal ${s.lastTest.finishedAt} (${s.lastTest.module}): detected in ${s.lastTest.timeToDetectMs} ms, notified in ${s.lastTest.timeToNotifyMs ?? '?'} ms.` : 'No rehearsal yet (impress monitor test).'
  return [`${s.alarms.length} alarm(s): ${s.counts.ALARM} in ALARM, ${s.counts.OK} OK, ${s.counts.INSUFFICIENT_DATA} without data.`, table, `Topic ${s.topic}${s.topicArn ? '' : ' (missing)'}:`, ...(subs.length > 0 ? subs : ['  no subscription']), test].join('\n')
}

export function renderRehearsal(r: RehearsalResult, c: ChalkInstance): string {
  const ms = (v: number | undefined) => (v === undefined ? 'not measured' : `${(v / 1000).toFixed(2)} s`)
  return [
    `${r.ok ? c.green('Rehearsal passed') : c.red('Rehearsal failed')}: ${r.module} failed on the scratch alias ${r.alias} at ${r.failedAt}.`,
    `  alarm ${r.alarm}: ${r.detectedAt ? `ALARM at ${r.detectedAt}` : 'did not fire'} (time to detect ${ms(r.timeToDetectMs)})`,
    `  notification to ${r.notifyTarget}: ${r.notification} (time to notify ${ms(r.timeToNotifyMs)}, target ${ms(r.targetMs)})`,
    `  clean-up: scratch alias ${r.cleanedUp ? 'deleted' : c.red('NOT deleted')}`,
  ].join('\n')
}
