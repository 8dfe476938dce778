/**
 * CloudWatch metric alarms (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html):
 * stored definitions and states, evaluated on the sandbox clock (a Period of 60 s lasts
 * 60 s × time scale) from the metrics the sandbox has: AWS/Lambda Errors, Throttles, Duration,
 * Invocations (from the Lambda invocation log) and the metrics of CloudWatch Logs metric
 * filters (events matching the filter in the window). A state change runs the alarm's actions:
 * SNS topics get the alarm notification.
 */
import type {ServiceContext} from '../../types.js'
import {AwsFault} from '../../aws/query.js'
import {INVOCATIONS_DOC, type InvocationLog, type InvocationRecord} from '../lambda/index.js'
import {compileFilterPattern} from '../logs/filter-pattern.js'
import {scan, startCursor} from '../logs/query.js'
import {openLogs} from '../logs/store.js'
import {openSns, publish} from '../sns/index.js'
import {SANDBOX_ACCOUNT} from '../sts.js'
import {LAMBDA_METRICS, LAMBDA_NAMESPACE, matchingInvocations} from './lambda-metrics.js'

const REGION = 'eu-west-1'
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'
const OPERATORS = ['GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold'] as const
const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const
const MISSING = ['breaching', 'notBreaching', 'ignore', 'missing'] as const

export interface Alarm {
  AlarmName: string
  AlarmArn: string
  AlarmDescription?: string
  ActionsEnabled: boolean
  OKActions: string[]
  AlarmActions: string[]
  InsufficientDataActions: string[]
  MetricName: string
  Namespace: string
  Statistic: string
  Dimensions: {Name: string; Value: string}[]
  Period: number
  EvaluationPeriods: number
  DatapointsToAlarm?: number
  Threshold: number
  ComparisonOperator: string
  TreatMissingData?: string
  Unit?: string
  StateValue: AlarmState
  StateReason: string
  StateReasonData?: string
  /** epoch ms */
  StateUpdatedTimestamp: number
  StateTransitionedTimestamp: number
  AlarmConfigurationUpdatedTimestamp: number
}

export interface AlarmsState {
  alarms: Alarm[]
}

export function openAlarms(ctx: ServiceContext, seed: () => AlarmsState = () => ({alarms: []})) {
  return ctx.state.open<AlarmsState>('cloudwatch', 'alarms', seed)
}

const invalid = (message: string) => new AwsFault(400, 'InvalidParameterValue', message)
const missingParam = (name: string) => new AwsFault(400, 'MissingParameter', `The parameter ${name} is required.`)
const notModelled = (what: string) => new AwsFault(501, 'NotImplemented', `${what} is not modelled by the sandbox.`)

const asNumber = (v: unknown, name: string): number | undefined => {
  if (v === undefined || v === null || v === '') return undefined
  const n = typeof v === 'number' ? v : Number(v)
  if (!Number.isFinite(n)) throw invalid(`The parameter ${name} must be a number.`)
  return n
}
const asString = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v))
const asList = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : [])

/** Validate a PutMetricAlarm request into an alarm definition (state fields are kept by the caller). */
export function alarmFromRequest(b: Record<string, unknown>, now: number): Omit<Alarm, 'StateValue' | 'StateReason' | 'StateUpdatedTimestamp' | 'StateTransitionedTimestamp'> {
  const name = asString(b.AlarmName)
  if (!name) throw missingParam('AlarmName')
  if (name.length > 255) throw invalid('The parameter AlarmName must be at most 255 characters.')
  if (b.Metrics !== undefined) throw notModelled('Alarms on metric math (Metrics)')
  if (b.ExtendedStatistic !== undefined) throw notModelled('ExtendedStatistic (percentiles)')
  if (b.ThresholdMetricId !== undefined) throw notModelled('Anomaly detection alarms (ThresholdMetricId)')
  if (b.EvaluateLowSampleCountPercentile !== undefined) throw notModelled('EvaluateLowSampleCountPercentile')
  const metricName = asString(b.MetricName)
  const namespace = asString(b.Namespace)
  if (!metricName) throw missingParam('MetricName')
  if (!namespace) throw missingParam('Namespace')
  const statistic = asString(b.Statistic)
  if (!statistic || !(STATISTICS as readonly string[]).includes(statistic)) throw invalid(`The parameter Statistic must be one of ${STATISTICS.join(', ')}.`)
  const period = asNumber(b.Period, 'Period')
  if (period === undefined || !(period === 10 || period === 30 || (period >= 60 && period % 60 === 0))) throw invalid('The parameter Period must be 10, 30 or a multiple of 60.')
  const evaluationPeriods = asNumber(b.EvaluationPeriods, 'EvaluationPeriods')
  if (evaluationPeriods === undefined || evaluationPeriods < 1 || !Number.isInteger(evaluationPeriods)) throw invalid('The parameter EvaluationPeriods must be a positive integer.')
  if (period * evaluationPeriods > 86_400 * 7) throw invalid('The evaluation period (Period × EvaluationPeriods) must not exceed one week.')
  const datapoints = asNumber(b.DatapointsToAlarm, 'DatapointsToAlarm')
  if (datapoints !== undefined && (datapoints < 1 || datapoints > evaluationPeriods)) throw invalid('DatapointsToAlarm must be between 1 and EvaluationPeriods.')
  const threshold = asNumber(b.Threshold, 'Threshold')
  if (threshold === undefined) throw missingParam('Threshold')
  const op = asString(b.ComparisonOperator)
  if (!op) throw missingParam('ComparisonOperator')
  if (!(OPERATORS as readonly string[]).includes(op)) {
    if (op.includes('Band')) throw notModelled(`The comparison operator ${op}`)
    throw invalid(`The parameter ComparisonOperator must be one of ${OPERATORS.join(', ')}.`)
  }
  const treat = asString(b.TreatMissingData)
  if (treat !== undefined && !(MISSING as readonly string[]).includes(treat)) throw invalid(`The parameter TreatMissingData must be one of ${MISSING.join(', ')}.`)
  const actions = (key: string) => {
    const list = asList<string>(b[key]).map(String)
    if (list.length > 5) throw invalid(`The parameter ${key} must contain at most 5 actions.`)
    for (const a of list) if (!/^arn:aws:sns:/.test(a)) throw notModelled(`The action ${a} (only SNS topic actions are)`)
    return list
  }
  const dims = asList<{Name?: unknown; Value?: unknown}>(b.Dimensions).map((d) => ({Name: String(d.Name ?? ''), Value: String(d.Value ?? '')}))
  if (dims.length > 30) throw invalid('The parameter Dimensions must contain at most 30 dimensions.')
  return {
    AlarmName: name,
    AlarmArn: `arn:aws:cloudwatch:${REGION}:${SANDBOX_ACCOUNT}:alarm:${name}`,
    ...(asString(b.AlarmDescription) === undefined ? {} : {AlarmDescription: asString(b.AlarmDescription)}),
    ActionsEnabled: b.ActionsEnabled === undefined ? true : b.ActionsEnabled === true || b.ActionsEnabled === 'true',
    OKActions: actions('OKActions'),
    AlarmActions: actions('AlarmActions'),
    InsufficientDataActions: actions('InsufficientDataActions'),
    MetricName: metricName,
    Namespace: namespace,
    Statistic: statistic,
    Dimensions: dims,
    Period: period,
    EvaluationPeriods: evaluationPeriods,
    ...(datapoints === undefined ? {} : {DatapointsToAlarm: datapoints}),
    Threshold: threshold,
    ComparisonOperator: op,
    ...(treat === undefined ? {} : {TreatMissingData: treat}),
    ...(asString(b.Unit) === undefined ? {} : {Unit: asString(b.Unit)}),
    AlarmConfigurationUpdatedTimestamp: now,
  }
}

function aggregate(v: number[], stat: string): number {
  if (stat === 'SampleCount') return v.length
  if (stat === 'Average') return v.reduce((a, b) => a + b, 0) / v.length
  if (stat === 'Maximum') return Math.max(...v)
  if (stat === 'Minimum') return Math.min(...v)
  return v.reduce((a, b) => a + b, 0)
}

function breaches(value: number, a: Alarm): boolean {
  switch (a.ComparisonOperator) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= a.Threshold
    case 'GreaterThanThreshold':
      return value > a.Threshold
    case 'LessThanThreshold':
      return value < a.Threshold
    default:
      return value <= a.Threshold
  }
}

/** Recent Lambda invocation records (the log is appended in time order): newest first scan, stops past the window. */
function recentInvocations(records: InvocationRecord[], from: number): InvocationRecord[] {
  let i = records.length
  // Records are appended when an invocation ends: allow for one slow invocation out of order.
  while (i > 0 && records[i - 1].t >= from - 900_000) i--
  return records.slice(i).filter((r) => r.t + r.durationMs >= from)
}

export class AlarmEvaluator {
  private readonly lastEvaluated = new Map<string, number>()
  constructor(private readonly ctx: ServiceContext) {}

  /** Samples (value, epoch ms) of an alarm's metric in [from, to). */
  private samples(a: Alarm, from: number, to: number): {t: number; v: number}[] {
    if (a.Namespace === LAMBDA_NAMESPACE && (LAMBDA_METRICS as readonly string[]).includes(a.MetricName)) {
      const log = this.ctx.state.open<InvocationLog>('lambda', INVOCATIONS_DOC, () => ({records: []})).data.records
      // A datapoint counts from the invocation's end, when Lambda publishes it: on a scaled clock a
      // period can be shorter than an invocation, and an alarm must still see it.
      const matching = matchingInvocations(recentInvocations(log, from), a.Dimensions) ?? []
      return matching
        .map((r) => ({...r, t: r.t + r.durationMs}))
        .filter((r) => r.t >= from && r.t < to)
        .map((r) => ({t: r.t, v: a.MetricName === 'Errors' ? (r.error ? 1 : 0) : a.MetricName === 'Duration' ? r.durationMs : a.MetricName === 'Throttles' ? 0 : 1}))
    }
    if (a.Dimensions.length > 0) return []
    const out: {t: number; v: number}[] = []
    for (const g of openLogs(this.ctx.state).data.groups) {
      for (const f of g.metricFilters) {
        const tr = f.metricTransformations.find((x) => x.metricName === a.MetricName && x.metricNamespace === a.Namespace)
        if (!tr) continue
        const match = compileFilterPattern(f.filterPattern)
        let cursor: ReturnType<typeof startCursor> | undefined = startCursor(g, from)
        while (cursor) {
          const r = scan(g, cursor, {start: from, end: to - 1, match, limit: 10_000, budget: 50_000})
          for (const e of r.events) out.push({t: e.timestamp, v: Number(tr.metricValue)})
          cursor = r.next
        }
      }
    }
    return out
  }

  /** The state an alarm's metric puts it in now, with the reason. */
  evaluate(a: Alarm, now: number): {state: AlarmState; reason: string; data: string} | undefined {
    // A late tick (a busy host) widens the period so that no datapoint falls between two evaluations.
    const last = this.lastEvaluated.get(a.AlarmName)
    this.lastEvaluated.set(a.AlarmName, now)
    const period = Math.max(1, this.ctx.clock.real(a.Period * 1000), last === undefined ? 0 : now - last)
    const n = a.EvaluationPeriods
    const from = now - n * period
    const samples = this.samples(a, from, now)
    const buckets: number[][] = Array.from({length: n}, () => [])
    for (const s of samples) buckets[Math.min(n - 1, Math.floor((s.t - from) / period))].push(s.v)
    const values = buckets.map((b) => (b.length === 0 ? undefined : aggregate(b, a.Statistic)))
    const treat = a.TreatMissingData ?? 'missing'
    const present = values.filter((v): v is number => v !== undefined)
    const needed = a.DatapointsToAlarm ?? n
    let breaching = present.filter((v) => breaches(v, a)).length
    if (treat === 'breaching') breaching += values.length - present.length
    const data = JSON.stringify({version: '1.0', queryDate: new Date(now).toISOString(), statistic: a.Statistic, period: a.Period, recentDatapoints: present, threshold: a.Threshold, evaluatedDatapoints: present.length})
    if (breaching >= needed) {
      const worst = present.find((v) => breaches(v, a))
      return {state: 'ALARM', reason: `Threshold Crossed: ${breaching} out of the last ${n} datapoints [${worst ?? 'missing'}] ${a.ComparisonOperator.replace(/([A-Z])/g, ' $1').trim().toLowerCase()} (${a.Threshold}).`, data}
    }
    if (present.length === 0 && treat === 'missing') return {state: 'INSUFFICIENT_DATA', reason: `Insufficient Data: ${n} datapoints were unknown.`, data}
    if (present.length === 0 && treat === 'ignore') return undefined
    return {state: 'OK', reason: `Threshold Crossed: no datapoint out of the last ${n} breached the threshold (${a.Threshold}).`, data}
  }

  /** Evaluate every alarm; run the actions of those whose state changed. */
  tick(now = Date.now()): void {
    const s = openAlarms(this.ctx)
    let changed = false
    for (const a of s.data.alarms) {
      const r = this.evaluate(a, now)
      if (!r || r.state === a.StateValue) continue
      this.transition(a, r.state, r.reason, r.data, now)
      changed = true
    }
    if (changed) s.save()
  }

  /** Change an alarm's state (evaluation or SetAlarmState) and notify its topics. */
  transition(a: Alarm, state: AlarmState, reason: string, data: string | undefined, now: number): void {
    const old = a.StateValue
    a.StateValue = state
    a.StateReason = reason
    a.StateReasonData = data
    a.StateUpdatedTimestamp = now
    a.StateTransitionedTimestamp = now
    if (!a.ActionsEnabled || old === state) return
    const targets = state === 'ALARM' ? a.AlarmActions : state === 'OK' ? a.OKActions : a.InsufficientDataActions
    const topics = new Set(openSns(this.ctx).data.topics.map((t) => t.arn))
    const message = JSON.stringify({
      AlarmName: a.AlarmName,
      AlarmDescription: a.AlarmDescription ?? null,
      AWSAccountId: SANDBOX_ACCOUNT,
      AlarmConfigurationUpdatedTimestamp: new Date(a.AlarmConfigurationUpdatedTimestamp).toISOString(),
      NewStateValue: state,
      NewStateReason: reason,
      StateChangeTime: new Date(now).toISOString(),
      Region: 'EU (Ireland)',
      AlarmArn: a.AlarmArn,
      OldStateValue: old,
      OKActions: a.OKActions,
      AlarmActions: a.AlarmActions,
      InsufficientDataActions: a.InsufficientDataActions,
      Trigger: {MetricName: a.MetricName, Namespace: a.Namespace, StatisticType: 'Statistic', Statistic: a.Statistic.toUpperCase(), Unit: a.Unit ?? null, Dimensions: a.Dimensions.map((d) => ({value: d.Value, name: d.Name})), Period: a.Period, EvaluationPeriods: a.EvaluationPeriods, ComparisonOperator: a.ComparisonOperator, Threshold: a.Threshold, TreatMissingData: a.TreatMissingData ?? 'missing'},
    })
    for (const arn of targets) if (topics.has(arn)) publish(this.ctx, arn, message, `${state}: "${a.AlarmName}" in EU (Ireland)`.slice(0, 100))
  }
}
