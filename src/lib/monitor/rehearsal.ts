/**
 * `impress monitor test`: an incident rehearsal. A scratch alias of the module (never the live
 * one, marked in its description) is invoked with an event that makes it fail; the module's
 * Errors alarm must go to ALARM and its notification reach the inbox. Measures time to detect
 * (failure → ALARM) and time to notify (failure → message received). The scratch alias is
 * deleted always: on success, failure and interrupt.
 */
import {OperationError, RefusedError} from '../errors.js'
import {sleep} from '../time/sleep.js'
import type {AlarmsPort} from './ports.js'

export const TEST_MARK = 'impress:monitor-test'

export interface RehearsalLambda {
  getAlias(fn: string, alias: string): Promise<{functionVersion: string; description?: string}>
  createAlias(fn: string, alias: string, version: string, description: string): Promise<unknown>
  deleteAlias(fn: string, alias: string): Promise<void>
  invoke(fn: string, qualifier: string, payload: unknown, timeoutMs: number): Promise<{ok: boolean; error?: string}>
}

/** Where the notification can be checked (the sandbox's mail sink); absent in the cloud. */
export interface Inbox {
  /** When a message to `to` whose subject contains `subject` arrived after `since`, if one did. */
  received(to: string, subject: string, since: number): Promise<number | undefined>
}

export interface RehearsalOptions {
  module: string
  function: string
  liveAlias: string
  alarmName: string
  payload: unknown
  email?: string
  timeoutMs: number
  pollMs: number
  targetMs: number
  signal: AbortSignal
  progress?(m: string): void
  /** Called with the scratch alias before it is created (a drill records it for --cleanup). */
  onAlias?(alias: string, expiresAt: string): void
  now?: () => number
}

export interface RehearsalResult {
  module: string
  alias: string
  alarm: string
  failedAt: string
  detectedAt?: string
  notifiedAt?: string
  timeToDetectMs?: number
  timeToNotifyMs?: number
  targetMs: number
  notifyTarget: string
  notification: 'received' | 'not received' | 'not verifiable'
  cleanedUp: boolean
  ok: boolean
  finishedAt: string
}

export async function rehearse(o: RehearsalOptions, ports: {lambda: RehearsalLambda; alarms: AlarmsPort; inbox?: Inbox}): Promise<RehearsalResult> {
  const now = o.now ?? Date.now
  const alias = `monitor-test-${now().toString(36)}`
  if (alias === o.liveAlias) throw new RefusedError('The rehearsal never touches the live alias.', {hint: 'Use a scratch alias.'})
  const alarm = (await ports.alarms.list(o.alarmName)).find((a) => a.name === o.alarmName)
  if (!alarm) throw new RefusedError(`${o.module} has no alarm ${o.alarmName}: nothing would detect the failure.`, {code: 'E_NOT_MONITORED', hint: 'Run `impress monitor apply` first.'})
  const live = await ports.lambda.getAlias(o.function, o.liveAlias)
  let created = false
  let cleanedUp = false
  try {
    const expires = new Date(now() + 3600_000).toISOString()
    o.progress?.(`creating the scratch alias ${o.function}:${alias} at version ${live.functionVersion}`)
    o.onAlias?.(alias, expires)
    created = true
    await ports.lambda.createAlias(o.function, alias, live.functionVersion, `${TEST_MARK}=${alias} ${TEST_MARK}-expires=${expires}`)
    // The failure is injected when the failing invocation is sent: detection and notification count from then.
    const before = now()
    const failedAt = before
    const r = await ports.lambda.invoke(o.function, alias, o.payload, 60_000)
    if (r.ok) throw new OperationError(`${o.module} did not fail with the rehearsal payload, so nothing was detected.`, {code: 'E_REHEARSAL_NO_FAILURE', hint: 'Set monitoring.test.payload to an event that makes the module fail.'})
    o.progress?.(`the scratch alias failed (${r.error ?? 'function error'}); waiting for ${o.alarmName}`)
    const deadline = failedAt + o.timeoutMs
    let detectedAt: number | undefined
    let notifiedAt: number | undefined
    const subject = `ALARM: "${o.alarmName}"`
    while (now() < deadline && (detectedAt === undefined || (ports.inbox && o.email && notifiedAt === undefined))) {
      o.signal.throwIfAborted()
      if (detectedAt === undefined) {
        const a = (await ports.alarms.list(o.alarmName)).find((x) => x.name === o.alarmName)
        const at = a?.lastAlarmAt ? Date.parse(a.lastAlarmAt) : undefined
        if (a?.state === 'ALARM' && at !== undefined && at >= before) detectedAt = at
      }
      if (ports.inbox && o.email && notifiedAt === undefined) notifiedAt = await ports.inbox.received(o.email, subject, before)
      if (detectedAt === undefined || (ports.inbox && o.email && notifiedAt === undefined)) await sleep(o.pollMs, o.signal)
    }
    // A notification cannot arrive before the alarm: if the inbox saw it first, the alarm fired by then.
    if (notifiedAt !== undefined && detectedAt === undefined) detectedAt = notifiedAt
    const notification = !ports.inbox || !o.email ? 'not verifiable' : notifiedAt === undefined ? 'not received' : 'received'
    const toNotify = notifiedAt === undefined ? undefined : Math.max(0, notifiedAt - failedAt)
    const result: RehearsalResult = {
      module: o.module,
      alias,
      alarm: o.alarmName,
      failedAt: new Date(failedAt).toISOString(),
      ...(detectedAt === undefined ? {} : {detectedAt: new Date(detectedAt).toISOString(), timeToDetectMs: Math.max(0, detectedAt - failedAt)}),
      ...(notifiedAt === undefined ? {} : {notifiedAt: new Date(notifiedAt).toISOString(), timeToNotifyMs: toNotify}),
      targetMs: o.targetMs,
      notifyTarget: o.email ? `email:${o.email}` : 'none configured',
      notification,
      cleanedUp: false,
      ok: detectedAt !== undefined && notification !== 'not received' && (toNotify === undefined || toNotify <= o.targetMs),
      finishedAt: '',
    }
    cleanedUp = await cleanUp(o, alias, ports.lambda)
    created = false
    return {...result, cleanedUp, finishedAt: new Date(now()).toISOString()}
  } finally {
    if (created && !cleanedUp) await cleanUp(o, alias, ports.lambda).catch(() => false)
  }
}

/** Delete the scratch alias, only if it carries the rehearsal's mark. */
async function cleanUp(o: RehearsalOptions, alias: string, lambda: RehearsalLambda): Promise<boolean> {
  let current
  try {
    current = await lambda.getAlias(o.function, alias)
  } catch {
    return true // never created, or already gone
  }
  if (alias === o.liveAlias || !(current.description ?? '').includes(`${TEST_MARK}=${alias}`)) {
    throw new RefusedError(`Refusing to delete alias ${alias} of ${o.function}: it is not marked as the rehearsal's.`, {code: 'E_NOT_REHEARSAL', hint: 'Only the alias a rehearsal created is deleted.'})
  }
  await lambda.deleteAlias(o.function, alias)
  return true
}
