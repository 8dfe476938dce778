/**
 * Amazon CloudWatch GetMetricData (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html),
 * in the protocol @aws-sdk/client-cloudwatch 3.1163 speaks: AWS JSON 1.0 with
 * X-Amz-Target: GraniteServiceVersion20100801.<Operation> (query-compatible errors).
 * Serves the AWS/RDS metric AuroraReplicaLag of the sandbox's Aurora replicas, and the AWS/Lambda
 * metrics Invocations and Errors computed from the sandbox Lambda's invocations. See SPEC.md.
 */
import {randomUUID} from 'node:crypto'
import type {ServerResponse} from 'node:http'
import type {ErrorSpec, ServiceFactory} from '../../types.js'
import {jsonTarget} from '../../aws/json-protocol.js'
import {AwsFault, list, sendQueryError, sendQueryResult, type XmlNode, type XmlValue} from '../../aws/query.js'
import {desiredMonitoring, type AlarmSpec} from '../../../monitor/desired.js'
import {DEMO_MONITORED, DEMO_TOPIC_ARN} from '../demo-monitoring.js'
import {AlarmEvaluator, alarmFromRequest, openAlarms, type Alarm, type AlarmState, type AlarmsState} from './alarms.js'
import {INVOCATIONS_DOC, type InvocationLog} from '../lambda/index.js'
import {advance, seedState, type RdsState} from '../rds/model.js'
import {cloudwatchCatalog} from './catalog.js'
import {LAMBDA_METRICS, LAMBDA_NAMESPACE, lambdaDatapoints, matchingInvocations} from './lambda-metrics.js'

const TARGET = 'GraniteServiceVersion20100801'
/** Operations also answered over the query protocol (form in, XML out), for the AWS CLI. */
const QUERY_ACTIONS = new Set(['PutMetricAlarm', 'DescribeAlarms', 'DeleteAlarms', 'SetAlarmState'])
const MAX_QUERIES = 500
const MAX_POINTS = 100_800
const QUERY_NS = 'http://monitoring.amazonaws.com/doc/2010-08-01/'
/** DescribeAlarms page (AWS: 50, at most 100): small so paging is exercised. */
export const ALARMS_PAGE = 5

/** The request parameters of a query-protocol call as a JSON-protocol body: `A.member.1.B=x` → {A: [{B: 'x'}]}. */
export function queryToBody(form: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of form) {
    if (key === 'Action' || key === 'Version') continue
    const parts = key.split('.')
    let cur: Record<string, unknown> | unknown[] = out
    for (let i = 0; i < parts.length; i++) {
      const last = i === parts.length - 1
      let k: string | number = parts[i]
      if (k === 'member' && i + 1 < parts.length) continue
      if (parts[i - 1] === 'member') k = Number(k) - 1
      const nextIsList = parts[i + 1] === 'member'
      const holder = cur as Record<string | number, unknown>
      if (last) holder[k] = value
      else holder[k] ??= nextIsList ? [] : {}
      if (!last) cur = holder[k] as Record<string, unknown>
    }
  }
  return out
}

/** A JSON-protocol answer as a query-protocol XML result: arrays become <member> lists, epoch-second timestamps ISO. */
function toXmlResult(value: unknown): XmlValue {
  if (Array.isArray(value)) return list('member', value.map(toXmlResult))
  if (value instanceof Date) return value
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toXmlResult(v)])) as XmlNode
  return value as XmlValue
}

export function alarmFromSpec(spec: AlarmSpec, topicArnOf: (name: string) => string, now: number): Alarm {
  return {
    ...alarmFromRequest(
      {
        AlarmName: spec.name,
        AlarmDescription: spec.description,
        AlarmActions: spec.topics.map(topicArnOf),
        MetricName: spec.metricName,
        Namespace: spec.namespace,
        Statistic: spec.statistic,
        Dimensions: spec.dimensions.map((d) => ({Name: d.name, Value: d.value})),
        Period: spec.period,
        EvaluationPeriods: spec.evaluationPeriods,
        Threshold: spec.threshold,
        ComparisonOperator: spec.comparison,
        TreatMissingData: spec.treatMissingData,
      },
      now,
    ),
    StateValue: 'OK',
    StateReason: 'Threshold Crossed: no datapoint breached the threshold.',
    StateUpdatedTimestamp: now,
    StateTransitionedTimestamp: now,
  }
}

/** The demo platform's alarms: those of DEMO_MONITORED (functions time out after 10 s, as seeded). */
export function demoAlarms(now: number): AlarmsState {
  const {alarms} = desiredMonitoring(DEMO_MONITORED.map((m) => ({module: m, function: `impress-${m}`, timeoutSeconds: 10})))
  return {alarms: alarms.map((a) => alarmFromSpec(a, () => DEMO_TOPIC_ARN, now - 7 * 86_400_000))}
}

interface MetricQuery {
  Id?: string
  Label?: string
  ReturnData?: boolean
  MetricStat?: {Metric?: {Namespace?: string; MetricName?: string; Dimensions?: {Name: string; Value: string}[]}; Period?: number; Stat?: string; Unit?: string}
  Expression?: string
}

function send(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value)
  res.writeHead(status, {'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID(), 'content-length': Buffer.byteLength(body), ...headers})
  res.end(body)
}

function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  send(res, status, {__type: `com.amazonaws.cloudwatch#${code}`, message}, {'x-amzn-query-error': `${code};${status >= 500 ? 'Receiver' : 'Sender'}`, ...headers})
}

/** Deterministic replica lag (ms) for an instance at a time: about 0.4–0.95 s, like the IMPRESS replica. */
export function replicaLagAt(instanceId: string, t: number): number {
  let h = 0
  for (const ch of instanceId) h = (h * 31 + ch.charCodeAt(0)) >>> 0
  const phase = (h % 1000) / 1000
  return Math.round(650 + 250 * Math.sin((t / 600_000 + phase) * 2 * Math.PI) + 40 * Math.sin(t / 37_000))
}

function epochSeconds(v: unknown, field: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return Date.parse(v) / 1000
  throw new AwsFault(400, 'InvalidParameterValue', `The parameter ${field} must be a timestamp.`)
}

export const cloudwatchService: ServiceFactory = (ctx) => {
  const rds = () => ctx.state.open<RdsState>('rds', 'rds', () => seedState())
  const replicas = (): Set<string> => {
    const s = rds()
    if (advance(s.data, Date.now())) s.save()
    const out = new Set<string>()
    for (const c of s.data.clusters) {
      const members = s.data.instances.filter((i) => i.clusterResourceId === c.resourceId)
      members.slice(1).filter((i) => i.status === 'available').forEach((i) => out.add(i.id))
    }
    return out
  }

  const lambdaInvocations = () => ctx.state.open<InvocationLog>('lambda', INVOCATIONS_DOC, () => ({records: []})).data.records
  const STATS = new Set(['Sum', 'SampleCount', 'Average', 'Maximum', 'Minimum'])
  const alarms = () => openAlarms(ctx, () => demoAlarms(Date.now()))
  const evaluator = new AlarmEvaluator(ctx)
  let timer: NodeJS.Timeout | undefined

  const handlers: Record<string, (body: Record<string, unknown>) => unknown> = {
    GetMetricData(b) {
      const queries = (Array.isArray(b.MetricDataQueries) ? b.MetricDataQueries : []) as MetricQuery[]
      if (queries.length === 0 || queries.length > MAX_QUERIES) throw new AwsFault(400, 'InvalidParameterValue', 'MetricDataQueries must contain between 1 and 500 queries.')
      const start = epochSeconds(b.StartTime, 'StartTime')
      const end = epochSeconds(b.EndTime, 'EndTime')
      if (end <= start) throw new AwsFault(400, 'InvalidParameterValue', 'The parameter StartTime must be less than the parameter EndTime.')
      const descending = b.ScanBy !== 'TimestampAscending'
      const live = replicas()
      const now = Date.now() / 1000
      let points = 0
      const results = queries.map((q) => {
        if (!q.Id || !/^[a-z][a-zA-Z0-9_]*$/.test(q.Id)) throw new AwsFault(400, 'InvalidParameterValue', 'The value for each Id must start with a lower-case letter and contain only letters, numbers and underscores.')
        if (q.Expression) throw new AwsFault(400, 'InvalidParameterValue', 'Metric math expressions are not supported by the sandbox.')
        const stat = q.MetricStat
        const period = stat?.Period ?? 0
        if (!stat?.Metric?.MetricName || period < 1 || (period >= 60 && period % 60 !== 0)) throw new AwsFault(400, 'InvalidParameterValue', 'MetricStat must name a metric and a Period of 1, 5, 10, 30 or a multiple of 60 seconds.')
        const instance = stat.Metric.Dimensions?.find((d) => d.Name === 'DBInstanceIdentifier')?.Value
        const known = stat.Metric.Namespace === 'AWS/RDS' && stat.Metric.MetricName === 'AuroraReplicaLag' && instance !== undefined && live.has(instance)
        let ts: number[] = []
        let values: number[] = []
        if (stat.Metric.Namespace === LAMBDA_NAMESPACE && (LAMBDA_METRICS as readonly string[]).includes(stat.Metric.MetricName)) {
          if (!STATS.has(stat.Stat ?? '')) throw new AwsFault(400, 'InvalidParameterValue', `The sandbox serves the statistics ${[...STATS].join(', ')} of ${LAMBDA_NAMESPACE} metrics, not "${stat.Stat ?? ''}".`)
          const matching = matchingInvocations(lambdaInvocations(), stat.Metric.Dimensions)
          if (matching) ({timestamps: ts, values} = lambdaDatapoints(matching, stat.Metric.MetricName, stat.Stat!, start, end, period))
        } else if (known) {
          const first = Math.ceil(start / period) * period
          for (let t = first; t < Math.min(end, now); t += period) {
            ts.push(t)
            values.push(replicaLagAt(instance!, t * 1000))
          }
        }
        points += ts.length
        if (descending) {
          ts.reverse()
          values.reverse()
        }
        return {Id: q.Id, Label: q.Label ?? stat.Metric.MetricName, Timestamps: ts, Values: values, StatusCode: 'Complete'}
      })
      if (points > MAX_POINTS) throw new AwsFault(400, 'InvalidParameterValue', 'Too many datapoints requested.')
      return {MetricDataResults: results, Messages: []}
    },
    PutMetricAlarm(b) {
      if (b.Tags !== undefined && Array.isArray(b.Tags) && b.Tags.length > 0) throw new AwsFault(501, 'NotImplemented', 'Alarm tags are not modelled by the sandbox.')
      const now = Date.now()
      const def = alarmFromRequest(b, now)
      const s = alarms()
      const existing = s.data.alarms.find((a) => a.AlarmName === def.AlarmName)
      if (existing) Object.assign(existing, def)
      else {
        if (s.data.alarms.length >= 5000) throw new AwsFault(400, 'LimitExceeded', 'The maximum number of alarms has been reached.')
        s.data.alarms.push({...def, StateValue: 'INSUFFICIENT_DATA', StateReason: 'Unchecked: Initial alarm creation', StateUpdatedTimestamp: now, StateTransitionedTimestamp: now})
        s.data.alarms.sort((x, y) => (x.AlarmName < y.AlarmName ? -1 : 1))
      }
      s.save()
      return {}
    },
    DescribeAlarms(b) {
      if (b.ActionPrefix !== undefined || b.ParentsOfAlarmName !== undefined || b.ChildrenOfAlarmName !== undefined) throw new AwsFault(501, 'NotImplemented', 'DescribeAlarms ActionPrefix / ParentsOfAlarmName / ChildrenOfAlarmName are not modelled by the sandbox.')
      evaluator.tick()
      const names = Array.isArray(b.AlarmNames) ? (b.AlarmNames as unknown[]).map(String) : undefined
      const prefix = b.AlarmNamePrefix === undefined ? undefined : String(b.AlarmNamePrefix)
      if (names && prefix !== undefined) throw new AwsFault(400, 'InvalidParameterCombination', 'AlarmNames and AlarmNamePrefix cannot be used together.')
      const state = b.StateValue === undefined ? undefined : String(b.StateValue)
      if (state !== undefined && !['OK', 'ALARM', 'INSUFFICIENT_DATA'].includes(state)) throw new AwsFault(400, 'InvalidParameterValue', 'The parameter StateValue must be OK, ALARM or INSUFFICIENT_DATA.')
      const types = Array.isArray(b.AlarmTypes) ? (b.AlarmTypes as unknown[]).map(String) : ['MetricAlarm']
      const max = b.MaxRecords === undefined ? ALARMS_PAGE : Number(b.MaxRecords)
      if (!Number.isInteger(max) || max < 1 || max > 100) throw new AwsFault(400, 'InvalidParameterValue', 'The parameter MaxRecords must be between 1 and 100.')
      const all = types.includes('MetricAlarm') ? alarms().data.alarms.filter((a) => (!names || names.includes(a.AlarmName)) && (prefix === undefined || a.AlarmName.startsWith(prefix)) && (!state || a.StateValue === state)) : []
      const start = b.NextToken === undefined ? 0 : Number.parseInt(Buffer.from(String(b.NextToken), 'base64url').toString('utf8'), 10)
      if (!Number.isInteger(start) || start < 0 || start > all.length) throw new AwsFault(400, 'InvalidNextToken', 'The NextToken is invalid.')
      const size = Math.min(max, ALARMS_PAGE)
      const slice = all.slice(start, start + size)
      const next = start + size < all.length ? Buffer.from(String(start + size)).toString('base64url') : undefined
      return {MetricAlarms: slice.map(alarmOut), CompositeAlarms: [], ...(next ? {NextToken: next} : {})}
    },
    DeleteAlarms(b) {
      const names = Array.isArray(b.AlarmNames) ? (b.AlarmNames as unknown[]).map(String) : []
      if (names.length === 0 || names.length > 100) throw new AwsFault(400, 'InvalidParameterValue', 'AlarmNames must contain between 1 and 100 names.')
      const s = alarms()
      const missing = names.filter((n) => !s.data.alarms.some((a) => a.AlarmName === n))
      if (missing.length > 0) throw new AwsFault(404, 'ResourceNotFound', `${missing.join(', ')}: alarm not found.`)
      s.data.alarms = s.data.alarms.filter((a) => !names.includes(a.AlarmName))
      s.save()
      return {}
    },
    SetAlarmState(b) {
      const a = alarms().data.alarms.find((x) => x.AlarmName === String(b.AlarmName ?? ''))
      if (!a) throw new AwsFault(404, 'ResourceNotFound', `${String(b.AlarmName ?? '')}: alarm not found.`)
      const state = String(b.StateValue ?? '') as AlarmState
      if (!['OK', 'ALARM', 'INSUFFICIENT_DATA'].includes(state)) throw new AwsFault(400, 'InvalidParameterValue', 'The parameter StateValue must be OK, ALARM or INSUFFICIENT_DATA.')
      if (!b.StateReason) throw new AwsFault(400, 'MissingParameter', 'The parameter StateReason is required.')
      if (b.StateReasonData !== undefined) {
        try {
          JSON.parse(String(b.StateReasonData))
        } catch {
          throw new AwsFault(400, 'InvalidFormat', 'StateReasonData must be JSON.')
        }
      }
      evaluator.transition(a, state, String(b.StateReason), b.StateReasonData === undefined ? undefined : String(b.StateReasonData), Date.now())
      alarms().save()
      return {}
    },
  }
  const alarmOut = (a: Alarm) => ({
    ...a,
    StateUpdatedTimestamp: a.StateUpdatedTimestamp / 1000,
    StateTransitionedTimestamp: a.StateTransitionedTimestamp / 1000,
    AlarmConfigurationUpdatedTimestamp: a.AlarmConfigurationUpdatedTimestamp / 1000,
  })
  const alarmOutXml = (a: ReturnType<typeof alarmOut>) => ({
    ...a,
    StateUpdatedTimestamp: new Date(a.StateUpdatedTimestamp * 1000),
    StateTransitionedTimestamp: new Date(a.StateTransitionedTimestamp * 1000),
    AlarmConfigurationUpdatedTimestamp: new Date(a.AlarmConfigurationUpdatedTimestamp * 1000),
  })

  const isQuery = (req: import('../../types.js').SandboxRequest) => jsonTarget(req) === undefined && req.awsService === 'monitoring'
  return {
    name: 'cloudwatch',
    catalog: cloudwatchCatalog,
    handlerNames: () => Object.keys(handlers),
    matches: (req) => req.awsService === 'monitoring' || jsonTarget(req)?.prefix === TARGET,
    // Older AWS CLIs speak the query protocol to CloudWatch: the alarm operations are answered in
    // it (XML); anything else is named apart so the catalog refuses it.
    operation: (req) => {
      const json = jsonTarget(req)?.operation
      if (json) return json
      const action = req.form().get('Action')
      if (!action) return 'Unknown'
      return QUERY_ACTIONS.has(action) ? action : `${action} (query protocol)`
    },
    handle(req, res) {
      if (isQuery(req)) {
        // The query protocol (AWS CLI v1/v2 before CloudWatch moved to JSON): form in, XML out.
        const action = req.form().get('Action') ?? ''
        try {
          const h = handlers[action]
          if (!h) throw new AwsFault(400, 'InvalidAction', `The action ${action || '(none)'} is not valid for this web service.`)
          let out = h(queryToBody(req.form())) as Record<string, unknown>
          if (action === 'DescribeAlarms') out = {...out, MetricAlarms: (out.MetricAlarms as ReturnType<typeof alarmOut>[]).map(alarmOutXml)}
          sendQueryResult(res, action, QUERY_NS, Object.keys(out).length === 0 ? undefined : (toXmlResult(out) as XmlNode))
        } catch (error) {
          if (error instanceof AwsFault) sendQueryError(res, error.status, error.code, error.message)
          else throw error
        }
        return
      }
      const op = jsonTarget(req)?.operation ?? ''
      const h = handlers[op]
      try {
        if (!h) throw new AwsFault(400, 'InvalidAction', `The action ${op || '(none)'} is not valid for this web service.`)
        send(res, 200, h(req.json<Record<string, unknown>>()))
      } catch (error) {
        if (error instanceof AwsFault) sendError(res, error.status, error.code, error.message)
        else throw error
      }
    },
    renderError(req, res, error: ErrorSpec) {
      if (isQuery(req)) {
        if (error.kind === 'throttle') sendQueryError(res, 400, 'Throttling', 'Rate exceeded', {'retry-after': String(error.retryAfterSeconds ?? 1)})
        else sendQueryError(res, error.status, error.kind === 'server' ? 'InternalServiceFault' : (error.code ?? 'InvalidParameterValue'), error.message)
        return
      }
      if (error.kind === 'throttle') sendError(res, 400, 'Throttling', 'Rate exceeded', {'retry-after': String(error.retryAfterSeconds ?? 1)})
      else if (error.kind === 'server') sendError(res, error.status, error.status === 503 ? 'ServiceUnavailable' : 'InternalServiceFault', error.message)
      else sendError(res, error.status, error.code ?? 'InvalidParameterValue', error.message)
    },
    seed: () => void alarms(),
    describe: () => ({alarms: alarms().data.alarms.map((a) => ({name: a.AlarmName, state: a.StateValue}))}),
    async start() {
      // Alarms are evaluated on the sandbox clock: every 10 simulated seconds (20 ms to 1 s real).
      const every = Math.min(1000, Math.max(20, ctx.clock.real(10_000)))
      timer = setInterval(() => {
        try {
          if (alarms().data.alarms.length > 0) evaluator.tick()
        } catch {
          // an evaluation error must not stop the host; the next tick tries again
        }
      }, every)
      timer.unref?.()
      return {}
    },
    async stop() {
      if (timer) clearInterval(timer)
      timer = undefined
    },
  }
}
