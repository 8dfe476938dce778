/** `impress monitor status`: each managed alarm's state and when it last fired, the topic's subscriptions, the last rehearsal. */
import type {AlarmInfo, AlarmsPort, Subscription, TopicsPort} from './ports.js'
import type {RehearsalResult} from './rehearsal.js'

export interface MonitorStatus {
  topic: string
  topicArn?: string
  alarms: Pick<AlarmInfo, 'name' | 'state' | 'stateReason' | 'stateUpdatedAt' | 'lastAlarmAt'>[]
  counts: Record<AlarmInfo['state'], number>
  subscriptions: Subscription[]
  lastTest?: RehearsalResult
}

export async function monitorStatus(o: {topic: string; prefix: string; lastTest?: RehearsalResult}, ports: {alarms: AlarmsPort; topics: TopicsPort}): Promise<MonitorStatus> {
  const [alarms, topicArn] = await Promise.all([ports.alarms.list(o.prefix), ports.topics.find(o.topic)])
  const subscriptions = topicArn ? await ports.topics.subscriptions(topicArn) : []
  const counts = {OK: 0, ALARM: 0, INSUFFICIENT_DATA: 0}
  for (const a of alarms) counts[a.state]++
  return {
    topic: o.topic,
    ...(topicArn ? {topicArn} : {}),
    alarms: alarms.map((a) => ({name: a.name, state: a.state, stateReason: a.stateReason, ...(a.stateUpdatedAt ? {stateUpdatedAt: a.stateUpdatedAt} : {}), ...(a.lastAlarmAt ? {lastAlarmAt: a.lastAlarmAt} : {})})),
    counts,
    subscriptions: subscriptions.map(({arn: _a, ...s}) => s),
    ...(o.lastTest ? {lastTest: o.lastTest} : {}),
  }
}
