/**
 * The logs port over @aws-sdk/client-cloudwatch-logs: FilterLogEvents pages (throttling retried
 * with backoff beyond the SDK's own attempts, the same token each time, so no line is lost or
 * repeated), log groups, metric filters and retention. Errors become impress errors here.
 */
import {OperationError, UsageError} from '../../errors.js'
import type {InsightsPort} from '../../logs/insights.js'
import type {LogsPort} from '../../monitor/ports.js'
import type {MetricFilterSpec} from '../../monitor/desired.js'
import {sleep} from '../../time/sleep.js'
import type {AwsClientConfig} from './client-config.js'
import {awsSdk} from './sdk.js'

type AwsFactory = <C extends {destroy(): void}>(Ctor: new (config: AwsClientConfig) => C) => Promise<C>

const THROTTLES = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'LimitExceededException'])
/** Attempts of one page after the SDK's own retries gave up on throttling. */
const PAGE_ATTEMPTS = 8

/** FilterLogEvents calls a second for the whole account and Region (AWS: 5, not adjustable). */
export const FILTER_QUOTA_TPS = 5

/**
 * Pacing of FilterLogEvents, shared by every module's stream: off until a call is throttled
 * (most reads never reach the quota: each stream waits for its pages), then calls are spaced to
 * 90 % of the quota, so the streams share it instead of each retrying into it again.
 */
export function filterPacer(o: {perSecond?: number; now?: () => number; wait?: (ms: number) => Promise<void>} = {}) {
  const spacing = 1000 / ((o.perSecond ?? FILTER_QUOTA_TPS) * 0.9)
  const now = o.now ?? Date.now
  const wait = o.wait ?? ((ms: number) => sleep(ms))
  let on = false
  let nextAt = 0
  return {
    get on() {
      return on
    },
    throttled(): void {
      on = true
    },
    async slot(): Promise<void> {
      if (!on) return
      const t = now()
      const at = Math.max(t, nextAt)
      nextAt = at + spacing
      if (at > t) await wait(at - t)
    },
  }
}

function awsError(op: string, error: unknown): never {
  const e = error as {name?: string; message?: string}
  if (e.name === 'InvalidParameterException') {
    throw new UsageError(`CloudWatch Logs refused the request: ${e.message}`, {hint: 'Check the filter pattern syntax: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html', cause: error})
  }
  throw new OperationError(`CloudWatch Logs ${op} failed: ${e.name}: ${e.message}`, {code: 'E_AWS', hint: 'Check the network and the logs:* permissions of your AWS identity.', cause: error})
}

export async function createLogsPort(aws: AwsFactory, o: {backoffMs?: number} = {}): Promise<LogsPort> {
  const sdk = awsSdk('@aws-sdk/client-cloudwatch-logs')
  // One client for every module's stream: FilterLogEvents has one quota for the whole account.
  const client = await aws(sdk.CloudWatchLogsClient)
  // The SDK's logger middleware copies every response through its sensitive-data filter for a
  // logger that discards it (a copy of every event of every page); impress logs no SDK output.
  client.middlewareStack.remove('loggerMiddleware')
  const pacer = filterPacer()
  // Inside the retry middleware: every attempt is paced, and a throttled one switches pacing on.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'FilterLogEventsCommand') return next(args)
      await pacer.slot()
      try {
        return await next(args)
      } catch (error) {
        if (THROTTLES.has((error as {name?: string}).name ?? '')) pacer.throttled()
        throw error
      }
    },
    {step: 'finalizeRequest', priority: 'low', name: 'impressFilterPacing', override: true},
  )
  const stats = {requests: 0, throttled: 0}
  const base = o.backoffMs ?? 200
  return {
    stats,
    async filterPage(q, signal) {
      for (let attempt = 1; ; attempt++) {
        stats.requests++
        try {
          const r = await client.send(
            new sdk.FilterLogEventsCommand({logGroupName: q.group, startTime: q.start, endTime: q.end, filterPattern: q.pattern, limit: q.limit, nextToken: q.token}),
            {abortSignal: signal},
          )
          return {
            events: (r.events ?? []).map((e) => ({eventId: e.eventId ?? `${e.timestamp}:${e.logStreamName}:${e.message}`, timestamp: e.timestamp ?? 0, message: e.message ?? '', logStreamName: e.logStreamName ?? ''})),
            ...(r.nextToken ? {nextToken: r.nextToken} : {}),
          }
        } catch (error) {
          const name = (error as {name?: string}).name ?? ''
          if (signal?.aborted) throw signal.reason ?? error
          if (name === 'ResourceNotFoundException') return {events: [], missing: true}
          if (THROTTLES.has(name) && attempt < PAGE_ATTEMPTS) {
            stats.throttled++
            await sleep(Math.min(5000, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2), signal)
            continue
          }
          awsError('FilterLogEvents', error)
        }
      }
    },
    async logGroups(prefix) {
      const out: {name: string; retentionInDays?: number}[] = []
      try {
        for await (const page of sdk.paginateDescribeLogGroups({client}, {logGroupNamePrefix: prefix})) {
          stats.requests++
          for (const g of page.logGroups ?? []) out.push({name: g.logGroupName ?? '', ...(g.retentionInDays ? {retentionInDays: g.retentionInDays} : {})})
        }
      } catch (error) {
        awsError('DescribeLogGroups', error)
      }
      return out
    },
    async metricFilters(group) {
      const out: MetricFilterSpec[] = []
      try {
        for await (const page of sdk.paginateDescribeMetricFilters({client}, {logGroupName: group})) {
          stats.requests++
          for (const f of page.metricFilters ?? []) {
            const t = f.metricTransformations?.[0]
            out.push({module: '', logGroup: group, filterName: f.filterName ?? '', pattern: f.filterPattern ?? '', namespace: t?.metricNamespace ?? '', metricName: t?.metricName ?? ''})
          }
        }
      } catch (error) {
        if ((error as {name?: string}).name === 'ResourceNotFoundException') return []
        awsError('DescribeMetricFilters', error)
      }
      return out
    },
    async putMetricFilter(f) {
      stats.requests++
      try {
        await client.send(new sdk.PutMetricFilterCommand({logGroupName: f.logGroup, filterName: f.filterName, filterPattern: f.pattern, metricTransformations: [{metricName: f.metricName, metricNamespace: f.namespace, metricValue: '1', defaultValue: 0}]}))
      } catch (error) {
        if ((error as {name?: string}).name !== 'ResourceNotFoundException') awsError('PutMetricFilter', error)
        // Lambda creates the group on the first invocation; a filter needs it now.
        await client.send(new sdk.CreateLogGroupCommand({logGroupName: f.logGroup})).catch((e: unknown) => {
          if ((e as {name?: string}).name !== 'ResourceAlreadyExistsException') awsError('CreateLogGroup', e)
        })
        await client.send(new sdk.PutMetricFilterCommand({logGroupName: f.logGroup, filterName: f.filterName, filterPattern: f.pattern, metricTransformations: [{metricName: f.metricName, metricNamespace: f.namespace, metricValue: '1', defaultValue: 0}]})).catch((e: unknown) => awsError('PutMetricFilter', e))
      }
    },
    async putRetention(group, days) {
      stats.requests++
      await client.send(new sdk.PutRetentionPolicyCommand({logGroupName: group, retentionInDays: days})).catch((e: unknown) => awsError('PutRetentionPolicy', e))
    },
  }
}

/** Logs Insights over the SDK: a malformed query, or one the sandbox does not model, is bad input (exit 2). */
export async function createInsightsPort(aws: AwsFactory): Promise<InsightsPort> {
  const sdk = awsSdk('@aws-sdk/client-cloudwatch-logs')
  const client = await aws(sdk.CloudWatchLogsClient)
  const fail = (op: string) => (error: unknown): never => {
    const e = error as {name?: string; message?: string}
    if (e.name === 'MalformedQueryException' || e.name === 'NotImplemented') {
      throw new UsageError(`Logs Insights refused the query: ${e.message}`, {hint: 'Query syntax: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html', cause: error})
    }
    return awsError(op, error)
  }
  return {
    async start(q) {
      const r = await client.send(new sdk.StartQueryCommand({logGroupNames: q.groups, startTime: Math.floor(q.start / 1000), endTime: Math.floor(q.end / 1000), queryString: q.query, limit: q.limit})).catch(fail('StartQuery'))
      return r.queryId ?? ''
    },
    async results(queryId) {
      const r = await client.send(new sdk.GetQueryResultsCommand({queryId})).catch(fail('GetQueryResults'))
      const s = r.statistics ?? {}
      return {
        status: r.status ?? 'Unknown',
        rows: (r.results ?? []).map((fields) => Object.fromEntries(fields.map((f) => [f.field ?? '', f.value ?? '']))),
        statistics: {recordsMatched: s.recordsMatched ?? 0, recordsScanned: s.recordsScanned ?? 0, bytesScanned: s.bytesScanned ?? 0},
      }
    },
    async stop(queryId) {
      await client.send(new sdk.StopQueryCommand({queryId})).catch(fail('StopQuery'))
    },
  }
}
