/**
 * `impress monitor plan / apply`: the drift between the desired monitoring (desired.ts) and
 * CloudWatch + SNS (missing, changed and extra alarms; missing metric filters; missing and
 * unconfirmed subscriptions), and the steps that remove it. Apply converges: every step is an
 * upsert (PutMetricAlarm, PutMetricFilter, CreateTopic, Subscribe), so a rerun after a crash
 * finishes the plan without a duplicate alarm or subscription.
 */
import type {AlarmSpec, MetricFilterSpec} from './desired.js'
import type {AlarmInfo, AlarmsPort, LogsPort, Subscription, TopicsPort} from './ports.js'

export interface SubscriptionTarget {
  protocol: 'email' | 'https' | 'http'
  endpoint: string
}

export interface DesiredState {
  topic: string
  prefix: string
  alarms: AlarmSpec[]
  filters: MetricFilterSpec[]
  subscriptions: SubscriptionTarget[]
  retentionDays?: number
}

export interface AlarmChange {
  name: string
  module: string
  fields: string[]
}

export interface MonitorPlan {
  topic: {name: string; arn?: string; exists: boolean}
  alarms: {missing: {name: string; module: string; kind: string}[]; changed: AlarmChange[]; extra: string[]; unchanged: number}
  filters: {missing: {filterName: string; logGroup: string}[]; changed: {filterName: string; logGroup: string}[]; unchanged: number}
  retention: {group: string; from?: number; to: number}[]
  subscriptions: {missing: SubscriptionTarget[]; unconfirmed: SubscriptionTarget[]; confirmed: number}
  drift: boolean
  summary: {changes: number}
}

export interface MonitorPorts {
  alarms: AlarmsPort
  logs: LogsPort
  topics: TopicsPort
}

/** Fields of an alarm that impress owns, compared one by one. */
function alarmDiff(want: AlarmSpec, have: AlarmInfo): string[] {
  const out: string[] = []
  const cmp = (field: string, a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b) && out.push(field)
  cmp('description', want.description, have.description)
  cmp('metric', `${want.namespace}/${want.metricName}`, `${have.namespace}/${have.metricName}`)
  cmp('dimensions', want.dimensions, have.dimensions)
  cmp('statistic', want.statistic, have.statistic)
  cmp('period', want.period, have.period)
  cmp('evaluationPeriods', want.evaluationPeriods, have.evaluationPeriods)
  cmp('threshold', want.threshold, have.threshold)
  cmp('comparison', want.comparison, have.comparison)
  cmp('treatMissingData', want.treatMissingData, have.treatMissingData)
  cmp('actions', [...want.topics].sort(), [...have.topics].sort())
  if (!have.actionsEnabled) out.push('actionsEnabled')
  return out
}

const sameTarget = (s: Subscription, t: SubscriptionTarget) => s.protocol === t.protocol && s.endpoint.toLowerCase() === t.endpoint.toLowerCase()

export async function planMonitoring(want: DesiredState, ports: MonitorPorts): Promise<MonitorPlan> {
  const groups = [...new Set(want.filters.map((f) => f.logGroup))]
  const [topicArn, current, filters, logGroups] = await Promise.all([
    ports.topics.find(want.topic),
    ports.alarms.list(want.prefix),
    Promise.all(groups.map((g) => ports.logs.metricFilters(g))).then((l) => l.flat()),
    want.retentionDays === undefined ? Promise.resolve([]) : ports.logs.logGroups('/aws/lambda/'),
  ])
  const subs = topicArn ? await ports.topics.subscriptions(topicArn) : []
  const byName = new Map(current.map((a) => [a.name, a]))
  const missing = want.alarms.filter((a) => !byName.has(a.name)).map((a) => ({name: a.name, module: a.module, kind: a.kind}))
  const changed = want.alarms.flatMap((a) => {
    const have = byName.get(a.name)
    const fields = have ? alarmDiff(a, have) : []
    return fields.length > 0 ? [{name: a.name, module: a.module, fields}] : []
  })
  const wanted = new Set(want.alarms.map((a) => a.name))
  const extra = current.filter((a) => !wanted.has(a.name)).map((a) => a.name)
  const filterKey = (f: {logGroup: string; filterName: string}) => `${f.logGroup}\u0000${f.filterName}`
  const haveFilters = new Map(filters.map((f) => [filterKey(f), f]))
  const missingFilters = want.filters.filter((f) => !haveFilters.has(filterKey(f)))
  const changedFilters = want.filters.filter((f) => {
    const h = haveFilters.get(filterKey(f))
    return h && (h.pattern !== f.pattern || h.metricName !== f.metricName || h.namespace !== f.namespace)
  })
  const retention =
    want.retentionDays === undefined
      ? []
      : groups.flatMap((g) => {
          const have = logGroups.find((x) => x.name === g)
          return have?.retentionInDays === want.retentionDays ? [] : [{group: g, ...(have?.retentionInDays ? {from: have.retentionInDays} : {}), to: want.retentionDays!}]
        })
  const missingSubs = want.subscriptions.filter((t) => !subs.some((s) => sameTarget(s, t)))
  const unconfirmed = want.subscriptions.filter((t) => subs.some((s) => sameTarget(s, t) && !s.confirmed))
  const changes = (topicArn ? 0 : 1) + missing.length + changed.length + extra.length + missingFilters.length + changedFilters.length + retention.length + missingSubs.length
  return {
    topic: {name: want.topic, ...(topicArn ? {arn: topicArn} : {}), exists: Boolean(topicArn)},
    alarms: {missing, changed, extra, unchanged: want.alarms.length - missing.length - changed.length},
    filters: {missing: missingFilters.map((f) => ({filterName: f.filterName, logGroup: f.logGroup})), changed: changedFilters.map((f) => ({filterName: f.filterName, logGroup: f.logGroup})), unchanged: want.filters.length - missingFilters.length - changedFilters.length},
    retention,
    subscriptions: {missing: missingSubs, unconfirmed, confirmed: want.subscriptions.length - missingSubs.length - unconfirmed.length},
    drift: changes > 0 || unconfirmed.length > 0,
    summary: {changes},
  }
}

export interface ApplyResult extends MonitorPlan {
  applied: boolean
  /** The plan after applying: only unconfirmed subscriptions may remain (a person must click the link). */
  after?: MonitorPlan
}

export interface ApplyOptions {
  dryRun: boolean
  signal?: AbortSignal
  confirm(plan: MonitorPlan): Promise<void>
  progress?(step: string): void
}

/** Plan, confirm, converge (topic, subscriptions, metric filters, retention, alarms, extra alarms last), plan again. */
export async function applyMonitoring(want: DesiredState, ports: MonitorPorts, o: ApplyOptions): Promise<ApplyResult> {
  const plan = await planMonitoring(want, ports)
  if (o.dryRun || plan.summary.changes === 0) return {...plan, applied: false}
  await o.confirm(plan)
  const stop = () => o.signal?.throwIfAborted()
  const arn = plan.topic.arn ?? (await ports.topics.create(want.topic))
  if (!plan.topic.arn) o.progress?.(`created topic ${want.topic}`)
  for (const s of plan.subscriptions.missing) {
    stop()
    const r = await ports.topics.subscribe(arn, s.protocol, s.endpoint)
    o.progress?.(`subscribed ${s.protocol}:${s.endpoint}${r.confirmed ? '' : ' (pending confirmation: the recipient must follow the link AWS sent)'}`)
  }
  const filterNames = new Set([...plan.filters.missing, ...plan.filters.changed].map((f) => `${f.logGroup}\u0000${f.filterName}`))
  for (const f of want.filters.filter((x) => filterNames.has(`${x.logGroup}\u0000${x.filterName}`))) {
    stop()
    await ports.logs.putMetricFilter(f)
    o.progress?.(`metric filter ${f.filterName} on ${f.logGroup}`)
  }
  for (const r of plan.retention) {
    stop()
    await ports.logs.putRetention(r.group, r.to)
    o.progress?.(`retention ${r.to} days on ${r.group}`)
  }
  const alarmNames = new Set([...plan.alarms.missing.map((a) => a.name), ...plan.alarms.changed.map((a) => a.name)])
  const topicArnOf = (name: string) => (name === want.topic ? arn : arn.replace(/[^:]+$/, name))
  for (const a of want.alarms.filter((x) => alarmNames.has(x.name))) {
    stop()
    await ports.alarms.put(a, a.topics.map(topicArnOf))
    o.progress?.(`alarm ${a.name}`)
  }
  if (plan.alarms.extra.length > 0) {
    stop()
    await ports.alarms.delete(plan.alarms.extra)
    o.progress?.(`deleted ${plan.alarms.extra.length} alarm(s) no longer in the configuration`)
  }
  const after = await planMonitoring(want, ports)
  return {...plan, applied: true, after}
}
