/**
 * Alarms as code: what the monitoring of the modules should be, from the `monitoring:` section
 * and its defaults (nothing to edit): per module an Errors, a Throttles and a Duration (near the
 * timeout) alarm on AWS/Lambda, a metric filter on error lines of its log group with an alarm
 * on that metric; every alarm action goes to one SNS topic. Pure: no SDK, no I/O.
 */

export interface MonitoringSettings {
  /** SNS topic name every alarm notifies. */
  topic: string
  /** Alarm name prefix marking the alarms impress manages (others are never touched). */
  prefix: string
  /** Alarm period, seconds. */
  period: number
  evaluationPeriods: number
  /** The Duration alarm fires at this fraction of the function's timeout. */
  durationRatio: number
  /** CloudWatch Logs filter pattern counted by each module's metric filter. */
  errorPattern: string
  /** Namespace of the metric filters' metrics. */
  namespace: string
}

export const DEFAULT_MONITORING: MonitoringSettings = {
  topic: 'impress-incidents',
  prefix: 'impress/',
  period: 60,
  evaluationPeriods: 1,
  durationRatio: 0.8,
  errorPattern: '?ERROR ?Exception ?"Task timed out"',
  namespace: 'Impress/Logs',
}

export interface MonitoredModule {
  module: string
  function: string
  /** Function timeout, seconds. */
  timeoutSeconds: number
}

export type AlarmKind = 'errors' | 'throttles' | 'duration' | 'log-errors'

export interface AlarmSpec {
  name: string
  module: string
  kind: AlarmKind
  description: string
  namespace: string
  metricName: string
  dimensions: {name: string; value: string}[]
  statistic: 'Sum' | 'Maximum'
  period: number
  evaluationPeriods: number
  threshold: number
  comparison: 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold'
  treatMissingData: 'notBreaching'
  /** SNS topic names the ALARM state notifies. */
  topics: string[]
}

export interface MetricFilterSpec {
  module: string
  logGroup: string
  filterName: string
  pattern: string
  namespace: string
  metricName: string
}

export const logGroupOf = (fn: string) => `/aws/lambda/${fn}`

export function desiredMonitoring(modules: MonitoredModule[], s: MonitoringSettings = DEFAULT_MONITORING): {alarms: AlarmSpec[]; filters: MetricFilterSpec[]} {
  const alarms: AlarmSpec[] = []
  const filters: MetricFilterSpec[] = []
  for (const m of [...modules].sort((a, b) => a.module.localeCompare(b.module))) {
    const base = {module: m.module, period: s.period, evaluationPeriods: s.evaluationPeriods, treatMissingData: 'notBreaching' as const, topics: [s.topic]}
    const fnDim = [{name: 'FunctionName', value: m.function}]
    alarms.push(
      {...base, name: `${s.prefix}${m.module}/errors`, kind: 'errors', description: `${m.function}: a function error (impress monitor)`, namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: fnDim, statistic: 'Sum', threshold: 0, comparison: 'GreaterThanThreshold'},
      {...base, name: `${s.prefix}${m.module}/throttles`, kind: 'throttles', description: `${m.function}: throttled invocations (impress monitor)`, namespace: 'AWS/Lambda', metricName: 'Throttles', dimensions: fnDim, statistic: 'Sum', threshold: 0, comparison: 'GreaterThanThreshold'},
      {
        ...base,
        name: `${s.prefix}${m.module}/duration`,
        kind: 'duration',
        description: `${m.function}: an invocation near its ${m.timeoutSeconds} s timeout (impress monitor)`,
        namespace: 'AWS/Lambda',
        metricName: 'Duration',
        dimensions: fnDim,
        statistic: 'Maximum',
        threshold: Math.round(m.timeoutSeconds * 1000 * s.durationRatio),
        comparison: 'GreaterThanOrEqualToThreshold',
      },
      {...base, name: `${s.prefix}${m.module}/log-errors`, kind: 'log-errors', description: `${m.function}: error lines in its log (impress monitor)`, namespace: s.namespace, metricName: `${m.module}-log-errors`, dimensions: [], statistic: 'Sum', threshold: 0, comparison: 'GreaterThanThreshold'},
    )
    filters.push({module: m.module, logGroup: logGroupOf(m.function), filterName: `${s.prefix}${m.module}/errors`, pattern: s.errorPattern, namespace: s.namespace, metricName: `${m.module}-log-errors`})
  }
  return {alarms, filters}
}
