/**
 * Manual cluster snapshots: take one (named impress-<cluster>-<UTC time>, tagged with who and
 * why), list them with their age, and plan/apply retention (prune).
 */
import {UsageError} from '../errors.js'
import {names} from './names.js'
import type {AuroraPort, SnapshotInfo, Tags} from './ports.js'

export interface SnapshotDeps {
  aurora: AuroraPort
  progress?: (message: string) => void
  signal?: AbortSignal
  now?: () => Date
}

export interface SnapshotRow {
  id: string
  type: 'manual' | 'automated'
  status: string
  createdAt: string
  ageHours: number
  sizeGb?: number
  tags: Tags
}

export function parseTagFlags(values: string[] = []): Tags {
  const tags: Tags = {}
  for (const v of values) {
    const eq = v.indexOf('=')
    if (eq <= 0) throw new UsageError(`--tag expects key=value, got "${v}".`, {hint: 'For example: --tag reason="before migration 43".'})
    tags[v.slice(0, eq)] = v.slice(eq + 1)
  }
  return tags
}

export async function runSnapshot(options: {cluster: string; tags: Tags; actor: string; wait: boolean}, deps: SnapshotDeps): Promise<{id: string; cluster: string; status: string; tags: Tags; waited: boolean}> {
  const now = deps.now?.() ?? new Date()
  const id = names.manualSnapshot(options.cluster, now)
  const tags: Tags = {'created-by': options.actor, 'created-with': 'impress', ...options.tags}
  if (!tags.reason) tags.reason = 'manual snapshot'
  const cluster = await deps.aurora.getCluster(options.cluster)
  if (!cluster) throw new UsageError(`The Aurora cluster ${options.cluster} does not exist.`, {hint: 'Check aurora.cluster in the configuration.'})
  if (cluster.status !== 'available') {
    deps.progress?.(`The cluster is ${cluster.status}; waiting until it is available`)
    await deps.aurora.waitClusterAvailable(cluster.id, {signal: deps.signal})
  }
  deps.progress?.(`Creating the snapshot ${id}`)
  const created = await deps.aurora.createSnapshot(cluster.id, id, tags)
  if (!options.wait) return {id, cluster: cluster.id, status: created.status, tags, waited: false}
  deps.progress?.(`Waiting for ${id} to be available`)
  await deps.aurora.waitSnapshotAvailable(id, {signal: deps.signal})
  return {id, cluster: cluster.id, status: 'available', tags, waited: true}
}

export async function listSnapshotRows(cluster: string, deps: SnapshotDeps): Promise<SnapshotRow[]> {
  const now = deps.now?.() ?? new Date()
  const all = await deps.aurora.listSnapshots(cluster)
  return all
    .map((s) => ({id: s.id, type: s.type, status: s.status, createdAt: s.createdAt, ageHours: Math.round(((now.getTime() - Date.parse(s.createdAt)) / 3_600_000) * 10) / 10, sizeGb: s.sizeGb, tags: s.tags}))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
}

export interface PrunePlan {
  cutoff: string
  delete: {id: string; createdAt: string; ageDays: number}[]
  keep: {id: string; createdAt: string; reason: string}[]
}

/** Pure: manual snapshots older than the retention, not keep=true, never the newest `keepNewest`. */
export function planPrune(snapshots: Pick<SnapshotInfo, 'id' | 'type' | 'status' | 'createdAt' | 'tags'>[], policy: {retentionDays: number; keepNewest: number}, now: Date): PrunePlan {
  const cutoff = now.getTime() - policy.retentionDays * 86_400_000
  const manual = snapshots.filter((s) => s.type === 'manual').sort((a, b) => b.createdAt.localeCompare(a.createdAt))
  const plan: PrunePlan = {cutoff: new Date(cutoff).toISOString(), delete: [], keep: []}
  manual.forEach((s, index) => {
    const t = Date.parse(s.createdAt)
    if (index < policy.keepNewest) plan.keep.push({id: s.id, createdAt: s.createdAt, reason: `one of the newest ${policy.keepNewest}`})
    else if (s.tags.keep === 'true') plan.keep.push({id: s.id, createdAt: s.createdAt, reason: 'tagged keep=true'})
    else if (t >= cutoff) plan.keep.push({id: s.id, createdAt: s.createdAt, reason: `younger than ${policy.retentionDays} days`})
    else if (s.status !== 'available') plan.keep.push({id: s.id, createdAt: s.createdAt, reason: `status ${s.status}`})
    else plan.delete.push({id: s.id, createdAt: s.createdAt, ageDays: Math.floor((now.getTime() - t) / 86_400_000)})
  })
  return plan
}

export async function applyPrune(plan: PrunePlan, deps: SnapshotDeps): Promise<string[]> {
  const deleted: string[] = []
  for (const d of plan.delete) {
    deps.progress?.(`Deleting ${d.id}`)
    await deps.aurora.deleteSnapshot(d.id)
    deleted.push(d.id)
  }
  return deleted
}
