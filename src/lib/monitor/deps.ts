/**
 * Wiring of `impress logs` and `impress monitor` for a command's context: the chosen modules
 * and their log groups, the monitoring settings (the `monitoring:` section with its defaults),
 * the desired state and the adapters, built on the context's AWS clients (`ctx.aws`).
 */
import {resolveSecret} from '../config/secret-ref.js'
import type {Context} from '../context.js'
import ms from 'ms'
import {lambdaAdapter, moduleSpecs, lambdaSection} from '../platform/aws/lambda-context.js'
import {sandboxInbox} from '../platform/sandbox/mail-inbox.js'
import type {RehearsalOptions} from './rehearsal.js'
import {createAlarmsPort} from '../platform/aws/alarms.js'
import {createInsightsPort, createLogsPort} from '../platform/aws/logs.js'
import {createTopicsPort} from '../platform/aws/sns.js'
import {functionTimeouts} from '../platform/aws/lambda-timeouts.js'
import {DEFAULT_MONITORING, desiredMonitoring, logGroupOf, type MonitoringSettings} from './desired.js'
import type {DesiredState, MonitorPorts, SubscriptionTarget} from './plan.js'
import type {LogsPort} from './ports.js'

/** The demo support address the sandbox confirms at once. */
export const SANDBOX_SUPPORT_EMAIL = 'support@impress.example'
/** Log retention `monitor apply` sets on every module log group unless monitoring.retentionDays says otherwise. */
export const DEFAULT_LOG_RETENTION_DAYS = 30

/** Modules by name (every configured module when none is given); unknown → exit 2. */
export function chosenModules(ctx: Context, names: string[]): {module: string; function: string; group: string}[] {
  const all = Object.keys(lambdaSection(ctx).modules)
  return moduleSpecs(ctx, names.length > 0 ? names : all).map((m) => ({module: m.module, function: m.function, group: logGroupOf(m.function)}))
}

export function monitoringSettings(ctx: Context): MonitoringSettings & {email?: string; webhook?: string; retentionDays: number} {
  const m = ctx.env.config.monitoring
  const where = `environments.${ctx.env.name}.monitoring`
  const email = m?.email ?? ctx.env.config.notify?.email ?? (ctx.env.sandbox ? SANDBOX_SUPPORT_EMAIL : undefined)
  return {
    ...DEFAULT_MONITORING,
    ...(m ? {topic: m.topic, prefix: m.prefix, period: m.period, evaluationPeriods: m.evaluationPeriods, durationRatio: m.durationRatio, errorPattern: m.errorPattern, namespace: m.namespace} : {}),
    ...(email ? {email} : {}),
    ...(m?.webhook ? {webhook: resolveSecret(m.webhook, `${where}.webhook`)} : {}),
    retentionDays: m?.retentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
  }
}

export async function logsPort(ctx: Context): Promise<LogsPort> {
  return createLogsPort((Ctor) => ctx.aws(Ctor))
}

export async function insightsPort(ctx: Context): Promise<import('../logs/insights.js').InsightsPort> {
  return createInsightsPort((Ctor) => ctx.aws(Ctor))
}

export async function monitorPorts(ctx: Context): Promise<MonitorPorts> {
  const aws = <C extends {destroy(): void}>(Ctor: new (config: import('../platform/aws/client-config.js').AwsClientConfig) => C) => ctx.aws(Ctor)
  const [alarms, logs, topics] = await Promise.all([createAlarmsPort(aws), createLogsPort(aws), createTopicsPort(aws)])
  return {alarms, logs, topics}
}

/** What `monitor test` (and the drill's incident step) runs with for a module: the settings, the adapters, the sandbox inbox. */
export async function rehearsalSetup(ctx: Context, m: {module: string; function: string}, signal: AbortSignal, progress?: (x: string) => void) {
  const s = monitoringSettings(ctx)
  const test = ctx.env.config.monitoring?.test ?? {payload: {fail: true}, timeout: '10m', target: '5m'}
  const scale = await ctx.timeScale()
  const [lambda, ports] = await Promise.all([lambdaAdapter(ctx), monitorPorts(ctx)])
  const inbox = ctx.env.sandbox ? sandboxInbox((await ctx.sandbox()).url) : undefined
  const options: RehearsalOptions = {
    module: m.module,
    function: m.function,
    liveAlias: lambdaSection(ctx).alias,
    alarmName: `${s.prefix}${m.module}/errors`,
    payload: test.payload,
    email: s.email,
    timeoutMs: Math.max(20_000, ms(test.timeout as ms.StringValue) * scale),
    pollMs: ctx.env.sandbox ? 50 : 10_000,
    targetMs: Math.max(1000, ms(test.target as ms.StringValue) * scale),
    signal,
    ...(progress ? {progress} : {}),
  }
  return {options, ports: {lambda, alarms: ports.alarms, ...(inbox ? {inbox} : {})}}
}

export async function desiredState(ctx: Context): Promise<DesiredState> {
  const s = monitoringSettings(ctx)
  const modules = chosenModules(ctx, [])
  const timeouts = await functionTimeouts((Ctor) => ctx.aws(Ctor), modules.map((m) => m.function))
  const {alarms, filters} = desiredMonitoring(
    modules.map((m) => ({module: m.module, function: m.function, timeoutSeconds: timeouts[m.function]})),
    s,
  )
  const subscriptions: SubscriptionTarget[] = []
  if (s.email) subscriptions.push({protocol: 'email', endpoint: s.email})
  if (s.webhook) subscriptions.push({protocol: s.webhook.startsWith('http://') ? 'http' : 'https', endpoint: s.webhook})
  return {topic: s.topic, prefix: s.prefix, alarms, filters, subscriptions, retentionDays: s.retentionDays}
}
