/** The ports `impress logs` and `impress monitor` run on (implemented over the AWS SDK in platform/aws). */
import type {AlarmSpec, MetricFilterSpec} from './desired.js'

export interface LogEvent {
  eventId: string
  timestamp: number
  message: string
  logStreamName: string
}

export interface FilterQuery {
  group: string
  start: number
  end?: number
  pattern?: string
  limit?: number
  token?: string
}

export interface LogsPort {
  /** One page of FilterLogEvents (throttling retried inside); a group that does not exist reads as empty. Its events are the caller's to keep or tag. */
  filterPage(q: FilterQuery, signal?: AbortSignal): Promise<{events: LogEvent[]; nextToken?: string; missing?: boolean}>
  logGroups(prefix: string): Promise<{name: string; retentionInDays?: number}[]>
  metricFilters(group: string): Promise<MetricFilterSpec[]>
  putMetricFilter(f: MetricFilterSpec): Promise<void>
  putRetention(group: string, days: number): Promise<void>
  /** Counters for --verbose and tests. */
  stats: {requests: number; throttled: number}
}

/** An alarm as CloudWatch describes it (module and kind are impress's, not CloudWatch's). */
export interface AlarmInfo extends Omit<AlarmSpec, 'module' | 'kind' | 'treatMissingData' | 'statistic' | 'comparison'> {
  statistic: string
  comparison: string
  treatMissingData?: string
  actionsEnabled: boolean
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'
  stateReason: string
  stateUpdatedAt?: string
  /** When the alarm last went into ALARM (as far as its current state tells). */
  lastAlarmAt?: string
}

export interface AlarmsPort {
  /** Every alarm whose name starts with the prefix (topics given by name). */
  list(prefix: string): Promise<AlarmInfo[]>
  put(spec: AlarmSpec, topicArns: string[]): Promise<void>
  delete(names: string[]): Promise<void>
}

export interface Subscription {
  protocol: string
  endpoint: string
  confirmed: boolean
  arn?: string
}

export interface TopicsPort {
  /** The ARN of the topic with this name, if it exists. */
  find(name: string): Promise<string | undefined>
  /** Create it (idempotent) and return its ARN. */
  create(name: string): Promise<string>
  subscriptions(topicArn: string): Promise<Subscription[]>
  subscribe(topicArn: string, protocol: string, endpoint: string): Promise<Subscription>
}
