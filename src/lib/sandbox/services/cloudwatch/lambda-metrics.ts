/**
 * The AWS/Lambda invocation metrics the sandbox can answer, computed from the sandbox Lambda
 * service's invocation log (lambda/invocations.json): `Invocations` and `Errors`, with the
 * dimension sets Lambda publishes
 * (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics.html, "Viewing metrics"):
 * none (every function), `FunctionName`, `FunctionName + Resource` (`function:version` or
 * `function:alias`, as invoked) and `FunctionName + Resource + ExecutedVersion` (alias
 * invocations only: which version behind a weighted alias ran). A query must name exactly one of
 * these sets, as in CloudWatch, where a metric is identified by all of its dimensions.
 */
import type {InvocationRecord} from '../lambda/index.js'

export const LAMBDA_NAMESPACE = 'AWS/Lambda'
export const LAMBDA_METRICS = ['Invocations', 'Errors', 'Duration', 'Throttles'] as const

export interface Dimension {
  Name: string
  Value: string
}

/** The invocations a metric with these dimensions counts, or undefined if Lambda publishes no such series. */
export function matchingInvocations(records: InvocationRecord[], dimensions: Dimension[] = []): InvocationRecord[] | undefined {
  const d = new Map(dimensions.map((x) => [x.Name, x.Value]))
  if (d.size !== dimensions.length) return undefined // a dimension named twice
  const names = [...d.keys()].sort().join(',')
  const fn = d.get('FunctionName')
  const resourceOf = (r: InvocationRecord) => (r.qualifier ? `${r.fn}:${r.qualifier}` : undefined)
  switch (names) {
    case '':
      return records
    case 'FunctionName':
      return records.filter((r) => r.fn === fn)
    case 'FunctionName,Resource':
      return records.filter((r) => r.fn === fn && resourceOf(r) === d.get('Resource'))
    case 'ExecutedVersion,FunctionName,Resource':
      return records.filter((r) => r.fn === fn && r.alias !== undefined && resourceOf(r) === d.get('Resource') && r.executedVersion === d.get('ExecutedVersion'))
    default:
      return undefined
  }
}

/**
 * Datapoints of `metric` for the matching invocations in [start, end) (epoch seconds): one per
 * period that had invocations (CloudWatch returns none for periods without data), at the
 * period's start. Per invocation, `Invocations` is 1, `Errors` is 1 for a function error, else 0,
 * `Duration` its duration in ms, `Throttles` 0 (the sandbox has no concurrency limit: it never throttles).
 */
export function lambdaDatapoints(
  records: InvocationRecord[],
  metric: string,
  stat: string,
  start: number,
  end: number,
  period: number,
): {timestamps: number[]; values: number[]} {
  const buckets = new Map<number, number[]>()
  for (const r of records) {
    const t = r.t / 1000
    if (t < start || t >= end) continue
    const b = Math.floor(t / period) * period
    const v = metric === 'Errors' ? (r.error ? 1 : 0) : metric === 'Duration' ? r.durationMs : metric === 'Throttles' ? 0 : 1
    const list = buckets.get(b)
    if (list) list.push(v)
    else buckets.set(b, [v])
  }
  const timestamps = [...buckets.keys()].sort((a, b) => a - b)
  const values = timestamps.map((t) => aggregate(buckets.get(t)!, stat))
  return {timestamps, values}
}

function aggregate(v: number[], stat: string): number {
  switch (stat) {
    case 'SampleCount':
      return v.length
    case 'Average':
      return v.reduce((a, b) => a + b, 0) / v.length
    case 'Maximum':
      return Math.max(...v)
    case 'Minimum':
      return Math.min(...v)
    default:
      return v.reduce((a, b) => a + b, 0) // Sum
  }
}
