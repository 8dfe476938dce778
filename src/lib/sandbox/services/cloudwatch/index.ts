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
import {AwsFault, renderQueryFault} from '../../aws/query.js'
import {INVOCATIONS_DOC, type InvocationLog} from '../lambda/index.js'
import {advance, seedState, type RdsState} from '../rds/model.js'
import {cloudwatchCatalog} from './catalog.js'
import {LAMBDA_METRICS, LAMBDA_NAMESPACE, lambdaDatapoints, matchingInvocations} from './lambda-metrics.js'

const TARGET = 'GraniteServiceVersion20100801'
const MAX_QUERIES = 500
const MAX_POINTS = 100_800

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
  }

  return {
    name: 'cloudwatch',
    catalog: cloudwatchCatalog,
    handlerNames: () => Object.keys(handlers),
    matches: (req) => req.awsService === 'monitoring' || jsonTarget(req)?.prefix === TARGET,
    // Older AWS CLIs speak the query protocol to CloudWatch: named apart so the catalog refuses them.
    operation: (req) => jsonTarget(req)?.operation ?? (req.form().get('Action') ? `${req.form().get('Action')} (query protocol)` : 'Unknown'),
    handle(req, res) {
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
      if (!jsonTarget(req)) return renderQueryFault(res, error)
      if (error.kind === 'throttle') sendError(res, 400, 'Throttling', 'Rate exceeded', {'retry-after': String(error.retryAfterSeconds ?? 1)})
      else if (error.kind === 'server') sendError(res, error.status, error.status === 503 ? 'ServiceUnavailable' : 'InternalServiceFault', error.message)
      else sendError(res, error.status, error.code ?? 'InvalidParameterValue', error.message)
    },
  }
}
