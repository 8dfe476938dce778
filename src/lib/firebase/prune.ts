/**
 * Retention, per database: keep the newest N complete backups, plus the newest complete backup of each of
 * the last M weeks (weeks start on Monday, UTC). Incomplete backups are never deleted here
 * (they may be resumed) unless older than the newest complete one and `includeIncomplete`.
 */
import type {BackupSummary} from './list.js'
import {removeManagedExport} from './managed.js'
import type {BackupStore, ObjectStorePort} from './ports.js'
import {readCheckpoint, readManifest} from './read-backup.js'

export interface PrunePolicy {
  keepLast: number
  keepWeeks: number
  includeIncomplete?: boolean
}

export interface PrunePlanEntry {
  id: string
  startedAt: string
  complete: boolean
  action: 'keep' | 'delete'
  reason: string
}

const WEEK = 7 * 24 * 3600 * 1000

/** Monday 00:00 UTC of the week containing t. */
export function weekStart(t: Date): number {
  const d = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()))
  const day = (d.getUTCDay() + 6) % 7
  return d.getTime() - day * 24 * 3600 * 1000
}

/** The plan, per source (each database's backups are kept by the policy on their own). */
export function planPrune(backups: BackupSummary[], policy: PrunePolicy, now: Date): PrunePlanEntry[] {
  const groups = new Map<string, BackupSummary[]>()
  // Both kinds of Firestore backup (client-side and managed export) count for the same database.
  const group = (b: BackupSummary) => `${b.kind.startsWith('firestore') ? 'firestore' : b.kind}:${b.source}`
  for (const b of backups) groups.set(group(b), [...(groups.get(group(b)) ?? []), b])
  const entries = [...groups.values()].flatMap((g) => planGroup(g, policy, now))
  return entries.sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))
}

function planGroup(backups: BackupSummary[], policy: PrunePolicy, now: Date): PrunePlanEntry[] {
  const sorted = [...backups].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))
  const complete = sorted.filter((b) => b.complete)
  const reasons = new Map<string, string>()
  complete.slice(0, policy.keepLast).forEach((b, i) => reasons.set(b.id, `among the last ${policy.keepLast} (#${i + 1})`))
  const thisWeek = weekStart(now)
  const oldestWeek = thisWeek - (policy.keepWeeks - 1) * WEEK
  const seenWeeks = new Set<number>()
  for (const b of complete) {
    const w = weekStart(new Date(b.startedAt))
    if (policy.keepWeeks <= 0 || w < oldestWeek || seenWeeks.has(w)) continue
    seenWeeks.add(w)
    if (!reasons.has(b.id)) reasons.set(b.id, `newest of the week of ${new Date(w).toISOString().slice(0, 10)}`)
  }
  const newestComplete = complete[0] ? Date.parse(complete[0].startedAt) : undefined
  return sorted.map((b) => {
    if (!b.complete) {
      const stale = policy.includeIncomplete && newestComplete !== undefined && Date.parse(b.startedAt) < newestComplete
      return {id: b.id, startedAt: b.startedAt, complete: false, action: stale ? 'delete' : 'keep', reason: stale ? 'incomplete and older than a complete backup' : 'incomplete (can be resumed)'}
    }
    const reason = reasons.get(b.id)
    return {id: b.id, startedAt: b.startedAt, complete: true, action: reason ? 'keep' : 'delete', reason: reason ?? 'outside the retention policy'}
  })
}

/** Delete the planned backups; a managed export's objects first (`objects` is built only when one is met), then its record. */
export async function applyPrune(plan: PrunePlanEntry[], deps: {store: BackupStore; objects?: () => Promise<ObjectStorePort>}): Promise<string[]> {
  const deleted: string[] = []
  let objects: ObjectStorePort | undefined
  for (const e of plan) {
    if (e.action !== 'delete') continue
    const manifest = await readManifest(deps.store, e.id).catch(() => undefined)
    const exportUri = manifest ? manifest.managed?.exportUri : (await readCheckpoint(deps.store, e.id))?.managed?.exportUri
    if (exportUri) {
      if (!deps.objects) throw new Error(`applyPrune: ${e.id} is a managed export and no Cloud Storage client was given`)
      objects ??= await deps.objects()
      await removeManagedExport(exportUri, objects)
    }
    await deps.store.remove(e.id)
    deleted.push(e.id)
  }
  return deleted
}
