/**
 * The disaster-recovery drill: sweep expired leftovers, restore Aurora and Firebase into
 * scratch targets (the Realtime Database and Firestore alike) and rehearse a Lambda rollback (in parallel), verify, measure RTO/RPO
 * against the targets, and always clean up what this drill created. Every scratch resource is
 * recorded in the journal before it is created, so `impress drill --cleanup` can remove it
 * after a SIGKILL.
 */
import type {Journal} from '../journal/journal.js'
import {DRILL_EXPIRES_TAG, DRILL_TAG, type DrillPorts, type FirebaseBackupRef, type FirebaseDrillPort, type IncidentRehearsal, type ScratchPort, type ScratchResource} from './ports.js'

export interface DrillOptions {
  drillId: string
  environment: string
  rtoMs: number
  rpoMs: number
  verify: string[]
  toTime?: Date
  lambdaModule?: string
  scratchTtlMs: number
  journal: Journal
  signal: AbortSignal
  onProgress?: (message: string) => void
  /** Configured systems this drill does not rehearse, and why (see NotRehearsed). */
  notRehearsed?: NotRehearsed[]
  /** Who ran it, with which impress and which configuration (shown in the reports). */
  provenance?: DrillProvenance
}

/** A configured system the drill did not rehearse: a failure of the drill unless the configuration puts it out of scope. */
export interface NotRehearsed {
  part: 'aurora' | 'firebase' | 'firestore' | 'lambda' | 'monitoring'
  reason: string
  /** drill.outOfScope lists it: reported, but the drill can still pass. */
  outOfScope: boolean
}

export interface DrillProvenance {
  ranBy: string
  impressVersion: string
  /** SHA-256 of the configuration the drill ran with (the file's bytes, or the built-in sandbox configuration). */
  configSha256: string
  configSource: string
}

export type StepStatus = 'ok' | 'failed' | 'skipped'

export interface DrillStep {
  name: string
  branch: 'prepare' | 'aurora' | 'firebase' | 'firestore' | 'lambda' | 'verify' | 'monitoring' | 'cleanup'
  startedAt: string
  endedAt: string
  durationMs: number
  status: StepStatus
  detail?: string
}

export interface DrillCheck {
  name: string
  ok: boolean
  detail: string
  /** The drill stopped before this check ran: it counts as not passed. */
  notRun?: boolean
}

export interface DrillReport {
  id: string
  environment: string
  /** incomplete: every rehearsed part passed, but a configured system in scope was not rehearsed. */
  status: 'passed' | 'incomplete' | 'missed' | 'failed' | 'interrupted'
  startedAt: string
  clockStartedAt?: string
  verifiedAt?: string
  endedAt: string
  rto: {targetMs: number; measuredMs?: number; met: boolean}
  rpo: {targetMs: number; measuredMs?: number; met: boolean; aurora?: {restoredTo: string; gapMs: number}; firebase?: {backupTime: string; gapMs: number}; firestore?: {backupTime: string; gapMs: number; kind?: string}}
  steps: DrillStep[]
  checks: DrillCheck[]
  /** The incident rehearsal (monitor test) after the restores: time to detect and to notify, beside RTO and RPO. */
  incident?: IncidentRehearsal & {met: boolean}
  scratch: ScratchResource[]
  cleanup: {deleted: string[]; failed: {id: string; error: string}[]; sweptExpired: string[]}
  /** Why the drill could not run (status failed) or was interrupted. */
  error?: string
  notRehearsed?: NotRehearsed[]
  provenance?: DrillProvenance
}

export const RESOURCES_STEP = 'resources'

export async function runDrill(options: DrillOptions, ports: DrillPorts): Promise<DrillReport> {
  const {journal, signal} = options
  const progress = options.onProgress ?? (() => {})
  const steps: DrillStep[] = []
  const checks: DrillCheck[] = []
  const created: ScratchResource[] = []
  const startedAt = ports.now()
  const expiresAt = new Date(startedAt.getTime() + options.scratchTtlMs).toISOString()
  const tags = {[DRILL_TAG]: options.drillId, [DRILL_EXPIRES_TAG]: expiresAt}
  const record = (r: ScratchResource) => {
    const withTags = {...r, drillId: options.drillId, expiresAt}
    created.push(withTags)
    journal.start(RESOURCES_STEP, {list: [...created]})
  }
  const timed = async <T>(name: string, branch: DrillStep['branch'], fn: () => Promise<T>, describe?: (v: T) => string): Promise<T> => {
    const t0 = ports.now()
    progress(`${name}…`)
    try {
      const v = await fn()
      const t1 = ports.now()
      steps.push({name, branch, startedAt: t0.toISOString(), endedAt: t1.toISOString(), durationMs: t1.getTime() - t0.getTime(), status: 'ok', detail: describe?.(v)})
      progress(`${name}: done in ${fmt(t1.getTime() - t0.getTime())}`)
      return v
    } catch (error) {
      const t1 = ports.now()
      steps.push({name, branch, startedAt: t0.toISOString(), endedAt: t1.toISOString(), durationMs: t1.getTime() - t0.getTime(), status: 'failed', detail: message(error)})
      progress(`${name}: failed: ${message(error)}`)
      throw error
    }
  }

  const cleanup: DrillReport['cleanup'] = {deleted: [], failed: [], sweptExpired: []}
  let clockStart: Date | undefined
  let verifiedAt: Date | undefined
  let auroraRestoredTo: Date | undefined
  const backupTimes: {firebase?: {time: Date; kind?: string}; firestore?: {time: Date; kind?: string}} = {}
  let fatal: unknown
  let incident: DrillReport['incident']
  const notRehearsed = [...(options.notRehearsed ?? [])]
  const scratchPorts = [ports.aurora, ports.firebase, ports.firestore, ports.lambda, ports.incident].filter((p): p is NonNullable<typeof p> => p !== undefined)
  // Every check this drill means to make; those it never reached are reported as not run (never as passed).
  const planned = [
    ...(ports.aurora ? [CHECK_AURORA] : []),
    ...(ports.firebase ? [CHECK_FIREBASE] : []),
    ...(ports.firestore ? [CHECK_FIRESTORE] : []),
    ...(ports.lambda && options.lambdaModule ? [checkLambda(options.lambdaModule)] : []),
    ...options.verify.map((c) => `verify: ${c}`),
    ...(ports.incident ? [checkIncident(ports.incident.module)] : []),
  ]

  try {
    // 0. Sweep expired leftovers of earlier drills (tag-checked inside destroy()).
    await timed('sweep expired drill leftovers', 'prepare', async () => {
      for (const port of scratchPorts) {
        for (const r of await port.listScratch()) {
          if (r.drillId === options.drillId || !r.expiresAt || Date.parse(r.expiresAt) > startedAt.getTime()) continue
          await port.destroy(r)
          cleanup.sweptExpired.push(`${r.kind}:${r.id}`)
        }
      }
      return cleanup.sweptExpired.length
    }, (n) => `${n} expired resource(s) removed`)

    // The Realtime Database and Firestore need a backup to restore; the sandbox's first drill takes one (before the clock).
    const restores: {part: 'firebase' | 'firestore'; port: FirebaseDrillPort; backup: FirebaseBackupRef; target: string}[] = []
    for (const part of ['firebase', 'firestore'] as const) {
      const port = ports[part]
      if (!port) continue
      const backup = (await port.newestBackup()) ?? (await timed(`no ${LABEL[part]} backup yet: take one`, 'prepare', () => port.backupNow(signal), (b) => b.id))
      const target = port.scratchTarget(options.drillId)
      if (!(await port.targetIsEmpty(target))) throw new DrillRefused(`The scratch ${LABEL[part]} target ${target} is not empty: a restore into old data proves nothing.`)
      restores.push({part, port, backup, target})
    }
    const auroraTarget = `impress-drill-${options.drillId}`
    const lambdaAlias = `drill-${options.drillId}`
    throwIfAborted(signal)

    const env: Record<string, string> = {IMPRESS_DRILL_ID: options.drillId}
    // The clock starts before the first restore call.
    clockStart = ports.now()
    journal.start('clock', {startedAt: clockStart.toISOString()})
    const branches: Promise<void>[] = []
    if (ports.aurora) {
      const aurora = ports.aurora
      branches.push(
        (async () => {
          const toTime = options.toTime ?? (await aurora.latestRestorableTime())
          const r = await timed(`restore Aurora to ${auroraTarget}`, 'aurora', () => aurora.restore({drillId: options.drillId, target: auroraTarget, toTime, tags, signal, onResource: record}), (v) => `restored to ${v.restoredTo}; ${v.instances.length} instance(s)`)
          auroraRestoredTo = new Date(r.restoredTo)
          journal.start('aurora', {cluster: r.cluster, endpoint: r.endpoint, readerEndpoint: r.readerEndpoint})
          env.IMPRESS_DRILL_DB_CLUSTER = r.cluster
          if (r.endpoint) env.IMPRESS_DRILL_DB_HOST = r.endpoint
          if (r.readerEndpoint) env.IMPRESS_DRILL_DB_READER_HOST = r.readerEndpoint
          checks.push({name: CHECK_AURORA, ok: r.differences.length === 0, detail: r.differences.length === 0 ? `${r.instances.length} instance(s), configuration equal to the source` : r.differences.join('; ')})
        })(),
      )
    }
    for (const {part, port, backup: b, target} of restores) {
      backupTimes[part] = {time: new Date(b.time), kind: b.kind}
      const managed = b.kind === 'firestore-managed'
      branches.push(
        (async () => {
          const r = await timed(`restore ${LABEL[part]} backup ${b.id}${managed ? ' (managed export)' : ''} to ${target}`, part, () => port.restore({backup: b, target, drillId: options.drillId, signal, onResource: record}), (v) => `${v.documents} ${part === 'firestore' ? 'document' : 'record'}(s)`)
          env[part === 'firebase' ? 'IMPRESS_DRILL_FIREBASE_TARGET' : 'IMPRESS_DRILL_FIRESTORE_DATABASE'] = r.target
          const equal = managed ? 'in top-level collections; counts per collection equal (managed export: no digest)' : 'counts and SHA-256 equal'
          checks.push({name: part === 'firebase' ? CHECK_FIREBASE : CHECK_FIRESTORE, ok: r.matches, detail: r.matches ? `${r.documents} ${part === 'firestore' ? 'document' : 'record'}(s); ${equal}` : r.mismatches.join('; ')})
        })(),
      )
    }
    if (ports.lambda && options.lambdaModule) {
      const lambda = ports.lambda
      const module = options.lambdaModule
      branches.push(
        (async () => {
          const r = await timed(`rehearse Lambda rollback of ${module} on alias ${lambdaAlias}`, 'lambda', () => lambda.rehearse({drillId: options.drillId, module, alias: lambdaAlias, signal, onResource: record}), (v) => `${v.from} → ${v.to} → ${v.from}`)
          env.IMPRESS_DRILL_LAMBDA_ALIAS = r.alias
          checks.push({name: checkLambda(module), ok: r.restored, detail: `alias ${r.alias}: version ${r.from} → ${r.to}, then back to ${r.from}`})
        })(),
      )
    }
    const settled = await Promise.allSettled(branches)
    throwIfAborted(signal)
    const failedBranch = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
    if (failedBranch) throw failedBranch.reason

    // Verification commands, with the scratch endpoints in their environment.
    for (const command of options.verify) {
      const out = await timed(`verify: ${command}`, 'verify', () => ports.commands.run(command, env, signal), (o) => `exit ${o.exitCode}`)
      checks.push({name: `verify: ${command}`, ok: out.exitCode === 0, detail: out.exitCode === 0 ? 'exit 0' : `exit ${out.exitCode}: ${lastLines(out.output)}`})
      throwIfAborted(signal)
    }
    if (checks.every((c) => c.ok)) verifiedAt = ports.now()

    // Incident rehearsal after recovery (outside the RTO): a scratch alias fails, the alarm must fire and notify.
    if (ports.incident) {
      const inc = ports.incident
      try {
        const r = await timed(`rehearse an incident on ${inc.module} (monitor test)`, 'monitoring', () => inc.rehearse({signal, onResource: record, progress}), (v) => `detected ${v.timeToDetectMs === undefined ? 'never' : `in ${fmt(v.timeToDetectMs)}`}, notified ${v.timeToNotifyMs === undefined ? v.notification : `in ${fmt(v.timeToNotifyMs)}`}`)
        incident = {...r, met: r.ok}
        checks.push({name: checkIncident(inc.module), ok: r.ok, detail: incidentDetail(r)})
      } catch (error) {
        if (signal.aborted) throw error
        if ((error as {code?: string}).code === 'E_NOT_MONITORED') notRehearsed.push({part: 'monitoring', reason: message(error), outOfScope: false})
        else checks.push({name: checkIncident(inc.module), ok: false, detail: message(error)})
      }
    }
  } catch (error) {
    fatal = error
  } finally {
    // Always clean up what this drill created, newest first (tag-checked by each port).
    const t0 = ports.now()
    for (const r of [...created].reverse()) {
      const port = portFor(r, ports)
      try {
        await port?.destroy(r)
        cleanup.deleted.push(`${r.kind}:${r.id}`)
      } catch (error) {
        cleanup.failed.push({id: `${r.kind}:${r.id}`, error: message(error)})
      }
    }
    const t1 = ports.now()
    steps.push({name: 'clean up scratch resources', branch: 'cleanup', startedAt: t0.toISOString(), endedAt: t1.toISOString(), durationMs: t1.getTime() - t0.getTime(), status: cleanup.failed.length === 0 ? 'ok' : 'failed', detail: `${cleanup.deleted.length} deleted${cleanup.failed.length ? `, ${cleanup.failed.length} failed` : ''}`})
    journal.finish(RESOURCES_STEP, {list: created, cleaned: cleanup.failed.length === 0})
  }

  const monitoringSkipped = notRehearsed.some((n) => n.part === 'monitoring')
  for (const name of planned) if (!checks.some((c) => c.name === name) && !(monitoringSkipped && ports.incident && name === checkIncident(ports.incident.module))) checks.push({name, ok: false, notRun: true, detail: 'not run: the drill stopped before it'})
  const endedAt = ports.now()
  const rtoMs = verifiedAt && clockStart ? verifiedAt.getTime() - clockStart.getTime() : undefined
  const gaps: number[] = []
  const rpo: DrillReport['rpo'] = {targetMs: options.rpoMs, met: false}
  if (clockStart && auroraRestoredTo) {
    rpo.aurora = {restoredTo: auroraRestoredTo.toISOString(), gapMs: Math.max(0, clockStart.getTime() - auroraRestoredTo.getTime())}
    gaps.push(rpo.aurora.gapMs)
  }
  for (const part of ['firebase', 'firestore'] as const) {
    const b = backupTimes[part]
    if (!clockStart || !b) continue
    const gapMs = Math.max(0, clockStart.getTime() - b.time.getTime())
    rpo[part] = {backupTime: b.time.toISOString(), gapMs, ...(part === 'firestore' && b.kind ? {kind: b.kind} : {})}
    gaps.push(gapMs)
  }
  if (gaps.length > 0) rpo.measuredMs = Math.max(...gaps)
  rpo.met = rpo.measuredMs !== undefined && rpo.measuredMs <= options.rpoMs
  const rto = {targetMs: options.rtoMs, measuredMs: rtoMs, met: rtoMs !== undefined && rtoMs <= options.rtoMs}
  const allMet = rto.met && rpo.met && checks.every((c) => c.ok)
  const status: DrillReport['status'] = signal.aborted
    ? 'interrupted'
    : fatal
      ? fatal instanceof DrillRefused
        ? 'missed'
        : 'failed'
      : !allMet
        ? 'missed'
        : notRehearsed.some((n) => !n.outOfScope)
          ? 'incomplete'
          : 'passed'
  if (fatal instanceof DrillRefused) checks.push({name: 'scratch target is empty', ok: false, detail: fatal.message})
  return {
    id: options.drillId,
    environment: options.environment,
    status,
    startedAt: startedAt.toISOString(),
    clockStartedAt: clockStart?.toISOString(),
    verifiedAt: verifiedAt?.toISOString(),
    endedAt: endedAt.toISOString(),
    rto,
    rpo,
    steps,
    checks,
    ...(incident ? {incident} : {}),
    scratch: created,
    cleanup,
    ...(fatal && !(fatal instanceof DrillRefused) ? {error: message(fatal)} : {}),
    ...(notRehearsed.length > 0 ? {notRehearsed} : {}),
    ...(options.provenance ? {provenance: options.provenance} : {}),
  }
}

/** Remove the scratch resources recorded in a drill's journal (after a SIGKILL). */
export async function cleanupFromJournal(journal: Journal, ports: DrillPorts): Promise<{deleted: string[]; failed: {id: string; error: string}[]}> {
  const list = (journal.step(RESOURCES_STEP)?.data?.list as ScratchResource[] | undefined) ?? []
  const out = {deleted: [] as string[], failed: [] as {id: string; error: string}[]}
  for (const r of [...list].reverse()) {
    try {
      await portFor(r, ports)?.destroy(r)
      out.deleted.push(`${r.kind}:${r.id}`)
    } catch (error) {
      out.failed.push({id: `${r.kind}:${r.id}`, error: message(error)})
    }
  }
  journal.finish(RESOURCES_STEP, {list, cleaned: out.failed.length === 0})
  return out
}

export class DrillRefused extends Error {}

const CHECK_AURORA = 'aurora: restored cluster like the source'
const CHECK_FIREBASE = 'firebase: restored data equals the backup manifest'
const CHECK_FIRESTORE = 'firestore: restored documents equal the backup manifest'
const LABEL = {firebase: 'Firebase', firestore: 'Firestore'} as const
const checkLambda = (module: string): string => `lambda: rollback of ${module} rehearsed`
const checkIncident = (module: string): string => `monitoring: an incident on ${module} detected and notified`

function incidentDetail(r: IncidentRehearsal): string {
  const detect = r.timeToDetectMs === undefined ? `${r.alarm} never fired` : `${r.alarm} fired after ${fmt(r.timeToDetectMs)}`
  const notify = r.timeToNotifyMs === undefined ? `notification ${r.notification}` : `notified after ${fmt(r.timeToNotifyMs)} (target ${fmt(r.targetMs)})`
  return `${detect}; ${notify}`
}

function portFor(r: ScratchResource, ports: DrillPorts): ScratchPort | undefined {
  return r.kind === 'aurora-cluster' ? ports.aurora : r.kind === 'firebase-namespace' ? ports.firebase : r.kind === 'firestore-database' ? ports.firestore : r.kind === 'monitor-alias' ? ports.incident : ports.lambda
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('interrupted')
}

function message(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] : String(error)
}

function lastLines(text: string, n = 3): string {
  return text.trim().split('\n').slice(-n).join(' | ').slice(0, 300)
}

export function fmt(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`
  return `${Math.floor(ms / 3_600_000)}h${Math.round((ms % 3_600_000) / 60_000)}m`
}
