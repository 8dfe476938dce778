/**
 * The drill as the command runs it: plan from the environment, lock, journal, run, write the
 * reports, notify. Kept out of the command so the command stays glue.
 */
import {createHash, randomBytes} from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import ms from 'ms'
import type {Context} from '../context.js'
import {UsageError} from '../errors.js'
import {Journal, Lock} from '../journal/journal.js'
import {defaultNotifyDeps, sendNotification, type ChannelResult} from '../notify/notify.js'
import {notifyTargets} from '../notify/targets.js'
import {redactor} from '../redact.js'
import {buildDrillPorts} from './adapters/index.js'
import {firestoreBackedUp} from './adapters/firestore.js'
import type {DrillPorts} from './ports.js'
import {reportJunit} from './report.js'
import {cleanupFromJournal, fmt, runDrill, type DrillProvenance, type DrillReport, type NotRehearsed} from './run.js'
import {drillsDir, writeReports} from './store.js'
import {checkOutputPaths} from '../cli/output-paths.js'
import {didYouMean} from '../cli/suggest.js'

export interface DrillPlan {
  drillId: string
  environment: string
  rtoMs: number
  rpoMs: number
  toTime?: string
  module?: string
  verify: string[]
  parts: {aurora: boolean; firebase: boolean; firestore: boolean; lambda: boolean; monitoring: boolean}
  /** Configured systems that will not be rehearsed, and why. */
  notRehearsed: NotRehearsed[]
  lines: string[]
}

export interface DrillOutcome {
  report: DrillReport
  files: {json: string; markdown: string; html: string}
  junit: string
  notifications: ChannelResult[]
}

const SCRATCH_TTL_MS = 24 * 3600_000

function duration(value: string | undefined, fallback: string, flag: string): number {
  const v = value ?? fallback
  const n = ms(v as ms.StringValue)
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} expects a duration such as 15m or 4h, got "${v}".`, {hint: 'Units: s, m, h, d.'})
  return n
}

export async function planDrill(ctx: Context, o: {toTime?: Date; module?: string; rto?: string; rpo?: string}): Promise<DrillPlan & {ports: DrillPorts}> {
  const cfg = ctx.env.config
  const rtoMs = duration(o.rto, cfg.drill?.rto ?? '4h', '--rto')
  const rpoMs = duration(o.rpo, cfg.drill?.rpo ?? '15m', '--rpo')
  const modules = Object.keys(cfg.lambda?.modules ?? {})
  if (o.module && !modules.includes(o.module)) throw new UsageError(`Unknown Lambda module "${o.module}".${didYouMean(o.module, modules)}`, {hint: `Configured modules: ${modules.join(', ') || 'none'}.`})
  // Where the reports go is checked before anything is restored (exit 2, nothing done).
  checkOutputPaths([{name: 'the drill reports directory', path: drillsDir(ctx.env.dataDir), kind: 'dir'}])
  const outOfScope = new Set(cfg.drill?.outOfScope ?? [])
  const ports = await buildDrillPorts(ctx, {incidentModule: o.module})
  // The incident rehearsal (monitor test) runs wherever modules are monitored, unless drill.outOfScope lists monitoring.
  if (outOfScope.has('monitoring')) delete ports.incident
  const parts = {aurora: Boolean(ports.aurora), firebase: Boolean(ports.firebase), firestore: Boolean(ports.firestore), lambda: Boolean(ports.lambda && (o.module ?? modules[0])), monitoring: Boolean(ports.incident)}
  if (!parts.aurora && !parts.firebase && !parts.firestore) {
    throw new UsageError(`Nothing to rehearse in ${ctx.env.name}: neither aurora nor firebase is configured.`, {hint: 'Add the aurora and/or firebase sections to the environment.'})
  }
  const drillId = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').toLowerCase()}-${randomBytes(2).toString('hex')}`
  const module = parts.lambda ? (o.module ?? modules[0]) : undefined
  const skipped = (part: NotRehearsed['part'], reason: string): NotRehearsed[] => [{part, reason, outOfScope: outOfScope.has(part)}]
  const notRehearsed: NotRehearsed[] = [
    ...(cfg.aurora && !parts.aurora ? skipped('aurora', 'no Aurora access for the drill') : []),
    ...(cfg.firebase && !parts.firebase ? skipped('firebase', 'no drill.firebaseTarget (scratch database) configured') : []),
    ...(!parts.firestore && (await firestoreBackedUp(ctx)) ? skipped('firestore', 'Firestore is backed up but no drill.firestoreTarget (scratch database id) is configured') : []),
    ...(cfg.lambda && !parts.lambda ? skipped('lambda', 'no Lambda module to rehearse') : []),
    ...(cfg.lambda && !parts.monitoring ? skipped('monitoring', 'the incident rehearsal (monitor test) is listed in drill.outOfScope') : []),
  ]
  const notLine = (part: NotRehearsed['part']): string => {
    const n = notRehearsed.find((x) => x.part === part)
    return n ? `${n.reason}: NOT REHEARSED${n.outOfScope ? ' (out of scope: drill.outOfScope)' : ' (the drill cannot pass; list it in drill.outOfScope if that is intended)'}` : 'not configured, not rehearsed'
  }
  const verify = cfg.drill?.verify ?? []
  const lines = [
    `Drill ${drillId} on ${ctx.env.name}:`,
    parts.aurora ? `  - restore Aurora ${cfg.aurora?.cluster} (${o.toTime ? `to ${o.toTime.toISOString()}` : 'to its latest restorable time'}) into scratch cluster impress-drill-${drillId}, instances like the source's` : `  - Aurora: ${notLine('aurora')}`,
    parts.firebase
      ? `  - restore the newest Firebase backup of ${cfg.firebase?.projectId} into the scratch database ${cfg.drill?.firebaseTarget} (must be empty; emptied afterwards)`
      : `  - Firebase: ${notLine('firebase')}`,
    parts.firestore
      ? `  - restore the newest Firestore backup of ${cfg.firebase?.projectId} (client-side or managed export, whichever is newest) into the scratch database ${cfg.drill?.firestoreTarget} (must be empty; emptied afterwards)`
      : `  - Firestore: ${notLine('firestore')}`,
    module ? `  - rehearse a rollback of Lambda module ${module} on scratch alias drill-${drillId} (never the ${cfg.lambda?.alias ?? 'live'} alias), then roll it forward` : `  - Lambda: ${notLine('lambda')}`,
    `  - verify: ${verify.length ? verify.join('; ') : 'built-in checks only'}`,
    ports.incident
      ? `  - monitoring: after the restores, make a scratch alias of ${ports.incident.module} fail (monitor test), wait for its Errors alarm and the notification; time to detect and to notify`
      : `  - monitoring: ${notLine('monitoring')}`,
    `  - targets: RTO ${fmt(rtoMs)}, RPO ${fmt(rpoMs)}`,
    '  - clean-up: every scratch resource above is deleted afterwards (tagged impress:drill, expiring in 24h)',
  ]
  return {drillId, environment: ctx.env.name, rtoMs, rpoMs, toTime: o.toTime?.toISOString(), module, verify, parts, notRehearsed, lines, ports}
}

export async function executeDrill(ctx: Context, plan: DrillPlan & {ports: DrillPorts}, o: {signal: AbortSignal; notify: boolean; progress: (m: string) => void}): Promise<DrillOutcome> {
  const lock = Lock.acquire(ctx.env.dataDir, `drill-${ctx.env.name}`, `impress drill on ${ctx.env.name}`)
  try {
    // Resolved before the drill runs, so their secrets (a webhook URL, an SMTP password) are
    // known to the redactor when the reports are written.
    const targets = o.notify ? await notifyTargets(ctx) : {}
    // Holding the lock, an unfinished drill journal is a killed drill's: its scratch resources (a filled scratch
    // database, a cluster) would make this drill fail, so they go first. Found by the reliability campaign's kills.
    if (Journal.list(ctx.env.dataDir, 'drill').some((j) => j.doc.status === 'running')) {
      const left = await cleanupUnfinished(ctx.env.dataDir, plan.ports)
      o.progress(`cleaned up after a drill that did not finish: ${left.cleaned.join(', ') || 'nothing left'}${left.failed.length > 0 ? `; not deleted: ${left.failed.map((f) => `${f.id} (${f.error})`).join(', ')}` : ''}`)
    }
    const journal = Journal.create(ctx.env.dataDir, 'drill', ctx.env.name, {drillId: plan.drillId}, plan.drillId)
    const report = await runDrill(
      {drillId: plan.drillId, environment: plan.environment, rtoMs: plan.rtoMs, rpoMs: plan.rpoMs, verify: plan.verify, toTime: plan.toTime ? new Date(plan.toTime) : undefined, lambdaModule: plan.module, scratchTtlMs: SCRATCH_TTL_MS, journal, signal: o.signal, onProgress: o.progress,
        notRehearsed: plan.notRehearsed, provenance: drillProvenance(ctx)},
      plan.ports,
    )
    journal.setStatus(report.cleanup.failed.length > 0 ? 'failed' : 'done')
    const files = writeReports(ctx.env.dataDir, report)
    let notifications: ChannelResult[] = []
    if (o.notify) {
      try {
        notifications = await sendNotification(
          {
            event: 'drill',
            status: report.status === 'passed' ? 'ok' : report.status === 'missed' || report.status === 'incomplete' ? 'violations' : 'failed',
            title: `DR drill ${report.id} on ${report.environment}: ${report.status}`,
            lines: [...report.checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name}${c.notRun ? ' (not run)' : ''}`), ...(report.notRehearsed ?? []).map((n) => `${n.outOfScope ? '-' : '✗'} ${n.part}: not rehearsed (${n.reason})${n.outOfScope ? ', out of scope' : ''}`)],
            fields: {RTO: report.rto.measuredMs === undefined ? 'not reached' : fmt(report.rto.measuredMs), RPO: report.rpo.measuredMs === undefined ? 'unknown' : fmt(report.rpo.measuredMs)},
          },
          targets,
          defaultNotifyDeps,
        )
      } catch (error) {
        notifications = [{channel: 'webhook', ok: false, error: (error as Error).message}]
      }
      for (const n of notifications) if (!n.ok) ctx.io.warn(`Notification by ${n.channel} failed: ${n.error} (the drill result stands).`)
    }
    return {report: redactor.redactValue(report), files, junit: reportJunit(redactor.redactValue(report)), notifications}
  } finally {
    lock.release()
  }
}

/** Who ran the drill, with which impress and which configuration (its SHA-256). */
function drillProvenance(ctx: Context): DrillProvenance {
  const source = ctx.env.source
  const bytes = source.kind === 'file' && source.path ? fs.readFileSync(source.path) : Buffer.from(JSON.stringify(ctx.env.config))
  let user = process.env.USER ?? 'unknown'
  try {
    user = os.userInfo().username
  } catch {
    // no passwd entry: keep $USER
  }
  return {ranBy: `${user}@${os.hostname()}`, impressVersion: ctx.version, configSha256: createHash('sha256').update(bytes).digest('hex'), configSource: source.kind === 'file' ? source.path! : 'built-in sandbox configuration'}
}

export async function cleanupDrills(ctx: Context): Promise<{cleaned: string[]; failed: {id: string; error: string}[]}> {
  return cleanupUnfinished(ctx.env.dataDir, await buildDrillPorts(ctx))
}

/** Delete the scratch resources recorded in the journals of unfinished (killed) drills. */
async function cleanupUnfinished(dataDir: string, ports: DrillPorts): Promise<{cleaned: string[]; failed: {id: string; error: string}[]}> {
  const out = {cleaned: [] as string[], failed: [] as {id: string; error: string}[]}
  for (const j of Journal.list(dataDir, 'drill')) {
    const step = j.step('resources')
    if (j.doc.status !== 'running' && step?.data?.cleaned !== false) continue
    const r = await cleanupFromJournal(j, ports)
    out.cleaned.push(...r.deleted)
    out.failed.push(...r.failed)
    j.setStatus(r.failed.length === 0 ? 'aborted' : 'failed')
  }
  return out
}
