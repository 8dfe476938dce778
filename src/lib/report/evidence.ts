/**
 * The monitoring and encryption evidence the report's incidents.alarms, logs.searchable and
 * data.encryption claims read, and their wiring: the monitor capability's own plan and status
 * (no second implementation), the last `monitor test`, and encryption at rest as AWS reports it.
 */
import type {Context} from '../context.js'
import type {MonitorPlan} from '../monitor/plan.js'
import type {AlarmsPort, LogsPort, Subscription, TopicsPort} from '../monitor/ports.js'
import type {RehearsalResult} from '../monitor/rehearsal.js'
import {NotConfigured} from './ports.js'

export interface MonitoringEvidence {
  modules: {module: string; function: string; group: string}[]
  /** `monitor plan` against the configuration (alarms, metric filters, retention, subscriptions). */
  plan: MonitorPlan
  /** The incident address the topic must reach (monitoring.email, notify.email, support@ in the sandbox). */
  email?: string
  subscriptions: Subscription[]
  logGroups: {name: string; retentionInDays?: number}[]
  lastTest?: RehearsalResult
}

export interface EncryptionEvidence {
  aurora?: {cluster: string; storageEncrypted: boolean; kmsKeyId?: string}
  lambda: {module: string; function: string; kmsKeyArn?: string}[]
  buckets: {name: string; algorithm?: string; kmsKeyId?: string}[]
}

/** Memoize a one-argument read by its argument: concurrent and later calls share the first call's promise. */
function once<A, R>(read: (arg: A) => Promise<R>): (arg: A) => Promise<R> {
  const seen = new Map<A, Promise<R>>()
  return (arg) => {
    let p = seen.get(arg)
    if (!p) seen.set(arg, (p = read(arg)))
    return p
  }
}

/**
 * The monitor ports with their reads shared within one report: `monitor plan`, `monitor status`
 * and the log groups' retention read the same alarms, topic, subscriptions and log groups (7 of
 * the port's ~27 AWS requests were repeats). Every read still goes to AWS once per report.
 */
export function readOnce<P extends {alarms: AlarmsPort; logs: LogsPort; topics: TopicsPort}>(ports: P): P {
  const {alarms, logs, topics} = ports
  return {
    ...ports,
    alarms: {put: (s, t) => alarms.put(s, t), delete: (n) => alarms.delete(n), list: once((prefix) => alarms.list(prefix))},
    topics: {create: (n) => topics.create(n), subscribe: (a, p, e) => topics.subscribe(a, p, e), find: once((name) => topics.find(name)), subscriptions: once((arn) => topics.subscriptions(arn))},
    logs: {
      filterPage: (q, signal) => logs.filterPage(q, signal),
      putMetricFilter: (f) => logs.putMetricFilter(f),
      putRetention: (g, d) => logs.putRetention(g, d),
      get stats() {
        return logs.stats
      },
      logGroups: once((prefix) => logs.logGroups(prefix)),
      metricFilters: once((group) => logs.metricFilters(group)),
    },
  }
}

export function evidencePorts(ctx: Context): {monitoring(): Promise<MonitoringEvidence>; encryption(): Promise<EncryptionEvidence>} {
  return {
    async monitoring() {
      if (!ctx.env.config.lambda) throw new NotConfigured('no lambda section in this environment')
      const [{chosenModules, desiredState, monitorPorts, monitoringSettings}, {planMonitoring}, {monitorStatus}, {readLastTest}] = await Promise.all([import('../monitor/deps.js'), import('../monitor/plan.js'), import('../monitor/status.js'), import('../monitor/store.js')])
      const [want, ports] = await Promise.all([desiredState(ctx), monitorPorts(ctx).then(readOnce)])
      const [plan, status, logGroups] = await Promise.all([planMonitoring(want, ports), monitorStatus({topic: want.topic, prefix: want.prefix}, ports), ports.logs.logGroups('/aws/lambda/')])
      const email = monitoringSettings(ctx).email
      const lastTest = readLastTest(ctx.env.dataDir)
      return {modules: chosenModules(ctx, []), plan, ...(email ? {email} : {}), subscriptions: status.subscriptions, logGroups, ...(lastTest ? {lastTest} : {})}
    },
    async encryption() {
      const section = ctx.env.config.lambda
      if (!section) throw new NotConfigured('no lambda section in this environment')
      const [{createEncryptionPort}, {chosenModules}] = await Promise.all([import('../platform/aws/encryption.js'), import('../monitor/deps.js')])
      const port = createEncryptionPort((Ctor) => ctx.aws(Ctor))
      const modules = chosenModules(ctx, [])
      const cluster = ctx.env.config.aurora?.cluster
      const [aurora, keys, buckets] = await Promise.all([cluster ? port.auroraCluster(cluster) : Promise.resolve(undefined), port.lambdaKeys(modules.map((m) => m.function)), port.buckets()])
      return {...(aurora ? {aurora} : {}), lambda: modules.map((m) => ({module: m.module, ...keys.find((k) => k.function === m.function)!})), buckets}
    },
  }
}
