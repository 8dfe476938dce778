/**
 * Amazon CloudWatch Logs (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/),
 * AWS JSON 1.1 with X-Amz-Target: Logs_20140328.<Operation>: log groups and streams, events,
 * FilterLogEvents with the filter pattern syntax and nextToken paging, retention, metric
 * filters. The demo Lambda groups carry a week of generated history. See SPEC.md.
 */
import {createHash, randomUUID} from 'node:crypto'
import {performance} from 'node:perf_hooks'
import type {ServerResponse} from 'node:http'
import type {ErrorSpec, ServiceFactory} from '../../types.js'
import {jsonTarget, renderAwsJsonFault, sendAwsJson, sendAwsJsonError} from '../../aws/json-protocol.js'
import {AwsFault} from '../../aws/query.js'
import {SANDBOX_ACCOUNT} from '../sts.js'
import {DEMO_MODULES} from '../lambda/index.js'
import {desiredMonitoring} from '../../../monitor/desired.js'
import {DEMO_MONITORED} from '../demo-monitoring.js'
import {compileFilterPattern, InvalidPattern, UnsupportedPattern, type Matcher} from './filter-pattern.js'
import {decodeCursor, encodeCursor, scan, startCursor} from './query.js'
import {appendEvents, demoHistory, newGroup, openLogs, seededCount, streamNameFor, type LogGroup, type LogsState} from './store.js'
import {logsCatalog} from './catalog.js'
import {MalformedQuery, parseQuery, runQuery, UnsupportedQuery, type QueryOutcome, type QueryRecord} from './insights.js'

const TARGET = 'Logs_20140328'
const REGION = 'eu-west-1'
/** FilterLogEvents returns at most this many events per call (AWS: 10,000): small so paging is exercised. */
export const FILTER_PAGE = 500
/** Events examined per FilterLogEvents call before it answers with a nextToken (AWS also stops early). */
export const SCAN_BUDGET = 5_000
/** A FilterLogEvents page holds at most 1 MB of events (AWS), counted as for PutLogEvents: message bytes + 26. */
export const FILTER_PAGE_BYTES = 1_048_576
/**
 * What a benchmark may switch to model the real service (read at each call; unset: the small
 * defaults above). IMPRESS_SANDBOX_LOGS_PAGE_EVENTS: events per FilterLogEvents page (AWS: up
 * to 10,000; the scan budget stays 10x the page). IMPRESS_SANDBOX_LOGS_FILTER_TPS: the account's
 * FilterLogEvents quota in calls per second (AWS: 5 per account and Region, not adjustable);
 * a call over it is a ThrottlingException, as AWS answers.
 */
export function filterLimits(env: NodeJS.ProcessEnv = process.env): {page: number; budget: number; tps: number} {
  const page = Math.min(10_000, Math.max(1, Math.floor(Number(env.IMPRESS_SANDBOX_LOGS_PAGE_EVENTS)) || FILTER_PAGE))
  const tps = Math.max(0, Number(env.IMPRESS_SANDBOX_LOGS_FILTER_TPS) || 0)
  return {page, budget: Math.max(SCAN_BUDGET, page * 10), tps}
}
/** DescribeLogGroups / DescribeMetricFilters / DescribeLogStreams page (AWS: 50). */
export const DESCRIBE_PAGE = 3
/** Events a day in each demo group's history; IMPRESS_SANDBOX_LOG_EVENTS_PER_DAY overrides it (benchmarks). */
export const DEMO_EVENTS_PER_DAY = 576
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]
const MAX_BATCH_EVENTS = 10_000
const MAX_BATCH_BYTES = 1_048_576
/** Insights: results kept per service (AWS keeps them 7 days), log groups per query (AWS: 50). */
const MAX_QUERIES = 100
const MAX_QUERY_GROUPS = 50
/** GetQueryResults answers Running this many times before Complete, so clients' polling is exercised. */
export const QUERY_RUNNING_POLLS = 1

const invalid = (message: string) => new AwsFault(400, 'InvalidParameterException', message)
const notFound = (message: string) => new AwsFault(400, 'ResourceNotFoundException', message)
const notModelled = (message: string) => new AwsFault(501, 'NotImplemented', `${message} (not modelled by the sandbox)`)
const groupArn = (name: string) => `arn:aws:logs:${REGION}:${SANDBOX_ACCOUNT}:log-group:${name}`

function str(b: Record<string, unknown>, key: string, required = false): string | undefined {
  const v = b[key]
  if (v === undefined || v === null) {
    if (required) throw invalid(`1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`)
    return undefined
  }
  if (typeof v !== 'string') throw new AwsFault(400, 'SerializationException', `${key} must be a string`)
  return v
}

function num(b: Record<string, unknown>, key: string): number | undefined {
  const v = b[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new AwsFault(400, 'SerializationException', `${key} must be a number`)
  return v
}

export function compilePatternOrFault(pattern: string | undefined): Matcher {
  try {
    return compileFilterPattern(pattern)
  } catch (error) {
    if (error instanceof InvalidPattern) throw invalid(error.message)
    if (error instanceof UnsupportedPattern) throw notModelled(error.message)
    throw error
  }
}

function page<T>(items: T[], token: string | undefined, limit: number | undefined): {slice: T[]; next?: string} {
  const max = Math.min(DESCRIBE_PAGE, limit ?? DESCRIBE_PAGE)
  const start = token ? Number.parseInt(Buffer.from(token, 'base64url').toString('utf8'), 10) : 0
  if (!Number.isInteger(start) || start < 0) throw invalid('The specified nextToken is invalid.')
  const slice = items.slice(start, start + max)
  return {slice, next: start + max < items.length ? Buffer.from(String(start + max)).toString('base64url') : undefined}
}

export function demoLogsState(now: number, perDay = Number(process.env.IMPRESS_SANDBOX_LOG_EVENTS_PER_DAY) || DEMO_EVENTS_PER_DAY): LogsState {
  const {filters} = desiredMonitoring(DEMO_MONITORED.map((m) => ({module: m, function: `impress-${m}`, timeoutSeconds: 10})))
  return {
    groups: DEMO_MODULES.map((m) => {
      const g = newGroup(`/aws/lambda/impress-${m}`, now - 90 * 86_400_000)
      g.seeded = demoHistory(m, now, perDay, m === 'pdf' ? 1024 : 512)
      // Retention is set on three of the five groups: `logs` can show which ones are kept forever.
      if (m !== 'compute' && m !== 'message') g.retentionInDays = 30
      for (const f of filters.filter((x) => x.module === m)) g.metricFilters.push({filterName: f.filterName, filterPattern: f.pattern, metricTransformations: [{metricName: f.metricName, metricNamespace: f.namespace, metricValue: '1'}], creationTime: now - 7 * 86_400_000})
      return g
    }),
  }
}

export const logsService: ServiceFactory = (ctx) => {
  const db = () => openLogs(ctx.state, () => demoLogsState(Date.now()))
  const findGroup = (b: Record<string, unknown>): LogGroup => {
    const ident = str(b, 'logGroupIdentifier')
    const name = str(b, 'logGroupName') ?? (ident?.startsWith('arn:') ? ident.replace(/^arn:aws:logs:[^:]*:\d+:log-group:/, '').replace(/:\*$/, '') : ident)
    if (name === undefined) throw invalid('Either logGroupName or logGroupIdentifier must be given.')
    const g = db().data.groups.find((x) => x.name === name)
    if (!g) throw notFound('The specified log group does not exist.')
    return g
  }
  const retentionStart = (g: LogGroup, now: number) => (g.retentionInDays ? now - g.retentionInDays * 86_400_000 : 0)
  // FilterLogEvents calls accepted in the last second (the account-wide quota, when modelled).
  const filterCalls: number[] = []
  const filterQuota = (tps: number): void => {
    if (tps <= 0) return
    const now = performance.now()
    while (filterCalls.length > 0 && filterCalls[0] <= now - 1000) filterCalls.shift()
    if (filterCalls.length >= tps) throw new AwsFault(400, 'ThrottlingException', 'Rate exceeded')
    filterCalls.push(now)
  }
  const queries = new Map<string, {status: 'Running' | 'Complete' | 'Cancelled'; polls: number; outcome: QueryOutcome; group: string; createdAt: number}>()
  function* records(groups: LogGroup[], start: number, end: number): Generator<QueryRecord> {
    const all = () => true
    const now = Date.now()
    for (const g of groups) {
      const from = Math.max(start, retentionStart(g, now))
      let cursor: ReturnType<typeof startCursor> | undefined = startCursor(g, from)
      while (cursor) {
        const r = scan(g, cursor, {start: from, end, match: all, limit: 10_000, budget: 10_000})
        for (const e of r.events) {
          yield {'@timestamp': e.timestamp, '@message': e.message, '@logStream': e.logStreamName, '@log': `${SANDBOX_ACCOUNT}:${g.name}`, '@ingestionTime': e.ingestionTime, '@ptr': Buffer.from(`${g.name}\u0000${e.eventId}`).toString('base64url')}
        }
        cursor = r.next
      }
    }
  }

  const handlers: Record<string, (b: Record<string, unknown>) => unknown> = {
    CreateLogGroup(b) {
      const name = str(b, 'logGroupName', true)!
      if (!/^[\w#/.-]{1,512}$/.test(name)) throw invalid(`1 validation error detected: Value '${name}' at 'logGroupName' failed to satisfy constraint`)
      if (b.kmsKeyId !== undefined || b.logGroupClass !== undefined) throw notModelled('CreateLogGroup kmsKeyId / logGroupClass')
      const s = db()
      if (s.data.groups.some((g) => g.name === name)) throw new AwsFault(400, 'ResourceAlreadyExistsException', 'The specified log group already exists')
      s.data.groups.push(newGroup(name, Date.now()))
      s.save()
      return {}
    },
    DeleteLogGroup(b) {
      const g = findGroup(b)
      const s = db()
      s.data.groups = s.data.groups.filter((x) => x !== g)
      s.save()
      return {}
    },
    CreateLogStream(b) {
      const g = findGroup(b)
      const name = str(b, 'logStreamName', true)!
      if (!/^[^:*]{1,512}$/.test(name)) throw invalid(`1 validation error detected: Value '${name}' at 'logStreamName' failed to satisfy constraint`)
      if (g.streams.some((x) => x.name === name)) throw new AwsFault(400, 'ResourceAlreadyExistsException', 'The specified log stream already exists')
      g.streams.push({name, createdAt: Date.now()})
      db().save()
      return {}
    },
    DescribeLogStreams(b) {
      const g = findGroup(b)
      if (b.orderBy !== undefined && b.orderBy !== 'LogStreamName') throw notModelled('DescribeLogStreams orderBy LastEventTime')
      if (b.descending === true) throw notModelled('DescribeLogStreams descending')
      const prefix = str(b, 'logStreamNamePrefix') ?? ''
      const names = new Map<string, number>()
      if (g.seeded) for (let t = g.seeded.from; t < g.seeded.to + 86_400_000; t += 86_400_000) names.set(streamNameFor(Math.min(t, g.seeded.to), g.seeded.module), t)
      for (const x of g.streams) names.set(x.name, x.createdAt)
      const all = [...names].filter(([n]) => n.startsWith(prefix)).sort(([a], [c]) => a.localeCompare(c))
      const {slice, next} = page(all, str(b, 'nextToken'), num(b, 'limit'))
      return {logStreams: slice.map(([n, t]) => ({logStreamName: n, creationTime: t, arn: `${groupArn(g.name)}:log-stream:${n}`, storedBytes: 0})), ...(next ? {nextToken: next} : {})}
    },
    PutLogEvents(b) {
      const g = findGroup(b)
      const stream = str(b, 'logStreamName', true)!
      if (!g.streams.some((x) => x.name === stream)) throw notFound('The specified log stream does not exist.')
      const events = b.logEvents
      if (!Array.isArray(events) || events.length === 0 || events.length > MAX_BATCH_EVENTS) throw invalid('logEvents must contain between 1 and 10000 events.')
      let bytes = 0
      let prev = -Infinity
      const now = Date.now()
      const accepted: {timestamp: number; message: string}[] = []
      let tooNew: number | undefined
      let tooOld: number | undefined
      let expired: number | undefined
      const keepFrom = retentionStart(g, now)
      events.forEach((e: {timestamp?: unknown; message?: unknown}, i) => {
        if (typeof e.timestamp !== 'number' || typeof e.message !== 'string') throw invalid('Each log event needs a timestamp and a message.')
        if (e.timestamp < prev) throw invalid('Log events in a single PutLogEvents request must be in chronological order.')
        prev = e.timestamp
        bytes += Buffer.byteLength(e.message) + 26
        if (e.timestamp > now + 2 * 3600_000) tooNew ??= i
        else if (e.timestamp < now - 14 * 86_400_000) tooOld = i
        else if (e.timestamp < keepFrom) expired = i
        else accepted.push({timestamp: e.timestamp, message: e.message})
      })
      if (bytes > MAX_BATCH_BYTES) throw invalid('The batch of log events is larger than 1,048,576 bytes.')
      appendEvents(g, stream, accepted, now)
      db().save()
      const rejected = {...(tooNew === undefined ? {} : {tooNewLogEventStartIndex: tooNew}), ...(tooOld === undefined ? {} : {tooOldLogEventEndIndex: tooOld}), ...(expired === undefined ? {} : {expiredLogEventEndIndex: expired})}
      return Object.keys(rejected).length > 0 ? {rejectedLogEventsInfo: rejected} : {}
    },
    FilterLogEvents(b) {
      const limits = filterLimits()
      filterQuota(limits.tps)
      const g = findGroup(b)
      if (b.unmask === true) throw notModelled('FilterLogEvents unmask')
      const names = b.logStreamNames
      const prefix = str(b, 'logStreamNamePrefix')
      if (Array.isArray(names) && prefix !== undefined) throw invalid('logStreamNames and logStreamNamePrefix cannot both be given.')
      const streamFilter = Array.isArray(names) ? (n: string) => (names as string[]).includes(n) : prefix !== undefined ? (n: string) => n.startsWith(prefix) : undefined
      const pattern = str(b, 'filterPattern')
      const match = compilePatternOrFault(pattern)
      const now = Date.now()
      const start = Math.max(num(b, 'startTime') ?? 0, retentionStart(g, now))
      const end = num(b, 'endTime') ?? Number.MAX_SAFE_INTEGER
      if (end < start && num(b, 'endTime') !== undefined && num(b, 'startTime') !== undefined && num(b, 'endTime')! < num(b, 'startTime')!) throw invalid('endTime must be after startTime.')
      const limit = num(b, 'limit')
      if (limit !== undefined && (limit < 1 || limit > 10_000)) throw invalid('limit must be between 1 and 10000.')
      const key = createHash('sha1').update(JSON.stringify([g.name, pattern ?? '', start, end, names ?? null, prefix ?? null])).digest('hex').slice(0, 16)
      const token = str(b, 'nextToken')
      const cursor = token ? decodeCursor(token, key) : startCursor(g, start)
      if (!cursor) throw invalid('The specified nextToken is invalid.')
      const {events, next} = scan(g, cursor, {start, end, match, stream: streamFilter, limit: Math.min(limit ?? limits.page, limits.page), budget: limits.budget, maxBytes: FILTER_PAGE_BYTES})
      return {events, searchedLogStreams: [], ...(next ? {nextToken: encodeCursor(next, key)} : {})}
    },
    StartQuery(b) {
      const text = str(b, 'queryString', true)!
      if (text.length > 10_000) throw invalid('queryString must be at most 10000 characters.')
      if (b.queryLanguage !== undefined && b.queryLanguage !== 'CWLI') throw notModelled(`StartQuery queryLanguage ${String(b.queryLanguage)} (only CWLI, the Logs Insights language, is modelled)`)
      const one = str(b, 'logGroupName')
      const many = b.logGroupNames ?? b.logGroupIdentifiers
      if ((one !== undefined ? 1 : 0) + (b.logGroupNames !== undefined ? 1 : 0) + (b.logGroupIdentifiers !== undefined ? 1 : 0) !== 1) throw invalid('Exactly one of logGroupName, logGroupNames or logGroupIdentifiers must be given.')
      const names = one !== undefined ? [one] : Array.isArray(many) && many.every((x) => typeof x === 'string') ? (many as string[]) : []
      if (names.length === 0 || names.length > MAX_QUERY_GROUPS) throw invalid(`Between 1 and ${MAX_QUERY_GROUPS} log groups must be given.`)
      const groups = names.map((n) => findGroup({logGroupIdentifier: n}))
      const start = num(b, 'startTime')
      const end = num(b, 'endTime')
      if (start === undefined || end === undefined) throw invalid('startTime and endTime (epoch seconds) are required.')
      if (end < start) throw invalid('endTime must be greater than or equal to startTime.')
      const limit = num(b, 'limit')
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 10_000)) throw invalid('limit must be between 1 and 10000.')
      let outcome: QueryOutcome
      try {
        outcome = runQuery(parseQuery(text), records(groups, start * 1000, end * 1000 + 999), limit ?? 10_000)
      } catch (error) {
        if (error instanceof MalformedQuery) throw new AwsFault(400, 'MalformedQueryException', error.message)
        if (error instanceof UnsupportedQuery) throw notModelled(`Logs Insights: ${error.message}`)
        throw error
      }
      const queryId = randomUUID()
      if (queries.size >= MAX_QUERIES) queries.delete(queries.keys().next().value!)
      queries.set(queryId, {status: 'Running', polls: 0, outcome, group: groups[0].name, createdAt: Date.now()})
      return {queryId}
    },
    GetQueryResults(b) {
      const id = str(b, 'queryId', true)!
      const q = queries.get(id)
      if (!q) throw notFound(`Query ${id} does not exist.`)
      if (b.maxItems !== undefined || b.nextToken !== undefined) throw notModelled('GetQueryResults maxItems / nextToken')
      if (q.status === 'Running' && q.polls++ >= QUERY_RUNNING_POLLS) q.status = 'Complete'
      const done = q.status === 'Complete'
      const s = q.outcome.statistics
      // While Running, partial figures and no rows (AWS may return partial rows; none is a valid partial result).
      const statistics = done ? s : {recordsMatched: 0, recordsScanned: Math.floor(s.recordsScanned / 2), bytesScanned: Math.floor(s.bytesScanned / 2)}
      return {queryLanguage: 'CWLI', results: done ? q.outcome.rows.map((r) => Object.entries(r).map(([field, value]) => ({field, value}))) : [], statistics, status: q.status}
    },
    StopQuery(b) {
      const id = str(b, 'queryId', true)!
      const q = queries.get(id)
      if (!q) throw notFound(`Query ${id} does not exist.`)
      if (q.status !== 'Running') return {success: false}
      q.status = 'Cancelled'
      return {success: true}
    },
    DescribeLogGroups(b) {
      if (b.accountIdentifiers !== undefined || b.includeLinkedAccounts === true || b.logGroupNamePattern !== undefined) throw notModelled('DescribeLogGroups across accounts / logGroupNamePattern')
      const prefix = str(b, 'logGroupNamePrefix') ?? ''
      const all = db()
        .data.groups.filter((g) => g.name.startsWith(prefix))
        .sort((a, c) => a.name.localeCompare(c.name))
      const {slice, next} = page(all, str(b, 'nextToken'), num(b, 'limit'))
      return {
        logGroups: slice.map((g) => ({
          logGroupName: g.name,
          creationTime: g.createdAt,
          ...(g.retentionInDays ? {retentionInDays: g.retentionInDays} : {}),
          metricFilterCount: g.metricFilters.length,
          arn: `${groupArn(g.name)}:*`,
          logGroupArn: groupArn(g.name),
          storedBytes: g.events.reduce((n, e) => n + e[2].length, 0) + (g.seeded ? seededCount(g.seeded) * 90 : 0),
          logGroupClass: 'STANDARD',
        })),
        ...(next ? {nextToken: next} : {}),
      }
    },
    PutRetentionPolicy(b) {
      const g = findGroup(b)
      const days = num(b, 'retentionInDays')
      if (days === undefined || !RETENTION_DAYS.includes(days)) throw invalid(`1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`)
      g.retentionInDays = days
      db().save()
      return {}
    },
    DeleteRetentionPolicy(b) {
      const g = findGroup(b)
      delete g.retentionInDays
      db().save()
      return {}
    },
    PutMetricFilter(b) {
      const g = findGroup(b)
      const filterName = str(b, 'filterName', true)!
      const filterPattern = str(b, 'filterPattern', true)!
      compilePatternOrFault(filterPattern)
      const ts = b.metricTransformations
      if (!Array.isArray(ts) || ts.length !== 1) throw invalid('metricTransformations must contain exactly one transformation.')
      const t = ts[0] as Record<string, unknown>
      if (t.dimensions !== undefined || t.unit !== undefined) throw notModelled('metric filter dimensions / unit')
      if (b.applyOnTransformedLogs !== undefined) throw notModelled('PutMetricFilter applyOnTransformedLogs')
      const metricName = str(t, 'metricName', true)!
      const metricNamespace = str(t, 'metricNamespace', true)!
      const metricValue = str(t, 'metricValue', true)!
      if (!/^\d+(\.\d+)?$/.test(metricValue)) throw notModelled(`metricValue "${metricValue}" (only a constant number is modelled)`)
      const existing = g.metricFilters.find((f) => f.filterName === filterName)
      if (!existing && g.metricFilters.length >= 100) throw new AwsFault(400, 'LimitExceededException', 'Resource limit exceeded.')
      const f = {filterName, filterPattern, metricTransformations: [{metricName, metricNamespace, metricValue, ...(typeof t.defaultValue === 'number' ? {defaultValue: t.defaultValue} : {})}], creationTime: existing?.creationTime ?? Date.now()}
      g.metricFilters = [...g.metricFilters.filter((x) => x.filterName !== filterName), f].sort((a, c) => a.filterName.localeCompare(c.filterName))
      db().save()
      return {}
    },
    DeleteMetricFilter(b) {
      const g = findGroup(b)
      const filterName = str(b, 'filterName', true)!
      if (!g.metricFilters.some((f) => f.filterName === filterName)) throw notFound('The specified metric filter does not exist.')
      g.metricFilters = g.metricFilters.filter((f) => f.filterName !== filterName)
      db().save()
      return {}
    },
    DescribeMetricFilters(b) {
      const groupName = str(b, 'logGroupName')
      const prefix = str(b, 'filterNamePrefix')
      if (prefix !== undefined && groupName === undefined) throw invalid('filterNamePrefix requires logGroupName.')
      const metricName = str(b, 'metricName')
      const metricNamespace = str(b, 'metricNamespace')
      if ((metricName === undefined) !== (metricNamespace === undefined)) throw invalid('metricName and metricNamespace must be given together.')
      const groups = groupName === undefined ? db().data.groups : [findGroup({logGroupName: groupName})]
      const all = groups
        .flatMap((g) => g.metricFilters.map((f) => ({...f, logGroupName: g.name})))
        .filter((f) => (prefix === undefined || f.filterName.startsWith(prefix)) && (metricName === undefined || f.metricTransformations.some((t) => t.metricName === metricName && t.metricNamespace === metricNamespace)))
      const {slice, next} = page(all, str(b, 'nextToken'), num(b, 'limit'))
      return {metricFilters: slice, ...(next ? {nextToken: next} : {})}
    },
  }

  return {
    name: 'logs',
    catalog: logsCatalog,
    handlerNames: () => Object.keys(handlers),
    matches: (req) => req.awsService === 'logs' || jsonTarget(req)?.prefix === TARGET,
    operation: (req) => jsonTarget(req)?.operation ?? 'Unknown',
    handle(req, res: ServerResponse) {
      const op = jsonTarget(req)?.operation ?? ''
      const h = handlers[op]
      try {
        if (!h) throw new AwsFault(400, 'UnknownOperationException', `The sandbox does not implement the CloudWatch Logs operation ${op || '(none)'}.`)
        let body: Record<string, unknown>
        try {
          body = req.body.length === 0 ? {} : req.json<Record<string, unknown>>()
        } catch {
          throw new AwsFault(400, 'SerializationException', 'The request body is not valid JSON.')
        }
        sendAwsJson(res, 200, h(body))
      } catch (error) {
        if (error instanceof AwsFault) sendAwsJsonError(res, error.status, error.code, error.message)
        else throw error
      }
    },
    renderError(_req, res, error: ErrorSpec) {
      renderAwsJsonFault(res, error)
    },
    seed: () => void db(),
    describe: () => ({groups: db().data.groups.map((g) => ({name: g.name, stored: g.events.length, generated: g.seeded ? seededCount(g.seeded) : 0, metricFilters: g.metricFilters.length}))}),
  }
}
