/**
 * One look at the Aurora cluster: state, engine, writer and replicas with replica lag, the
 * restore window, backup retention, the newest automated and manual snapshots; and the
 * policy violations among them (what `status --check` exits 3 on).
 */
import {UsageError} from '../errors.js'
import {orderedInstances} from './compare.js'
import type {AuroraPort, MetricsPort, SnapshotInfo} from './ports.js'

export interface StatusPolicy {
  retentionDays: number
  maxReplicaLagMs: number
  /** An automated snapshot older than this means backups stopped (default 26 h). */
  maxAutomatedSnapshotAgeHours?: number
}

export interface SnapshotSummary {
  id: string
  createdAt: string
  ageHours: number
}

export interface AuroraStatus {
  cluster: {id: string; status: string; engine: string; engineVersion: string; endpoint?: string; readerEndpoint?: string; backupRetentionDays: number; deletionProtection: boolean}
  instances: {id: string; role: 'writer' | 'reader'; instanceClass: string; az?: string; status: string; lagMs?: number; lagFlagged: boolean}[]
  restoreWindow?: {earliest: string; latest: string}
  newestAutomated?: SnapshotSummary
  newestManual?: SnapshotSummary
  violations: string[]
  ok: boolean
}

export interface StatusDeps {
  aurora: AuroraPort
  metrics: MetricsPort
  now?: () => Date
}

const hours = (from: string, now: Date) => Math.round(((now.getTime() - Date.parse(from)) / 3_600_000) * 10) / 10

function newest(snapshots: SnapshotInfo[], type: SnapshotInfo['type'], now: Date): SnapshotSummary | undefined {
  const s = snapshots.filter((x) => x.type === type && x.status === 'available').sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]
  return s ? {id: s.id, createdAt: s.createdAt, ageHours: hours(s.createdAt, now)} : undefined
}

export async function runStatus(options: {cluster: string; policy: StatusPolicy}, deps: StatusDeps): Promise<AuroraStatus> {
  const now = deps.now?.() ?? new Date()
  const {aurora} = deps
  const cluster = await aurora.getCluster(options.cluster)
  if (!cluster) throw new UsageError(`The Aurora cluster ${options.cluster} does not exist.`, {hint: 'Check aurora.cluster in the configuration (and the AWS region).'})
  const [instances, snapshots] = await Promise.all([aurora.listInstances(cluster.id), aurora.listSnapshots(cluster.id)])
  const ordered = orderedInstances(cluster, instances)
  const readers = ordered.filter((i) => i.role === 'reader').map((i) => i.id)
  const policy = options.policy
  const violations: string[] = []
  // Lag comes from CloudWatch: if it cannot be read, say so and show the rest.
  const lag = await deps.metrics.replicaLagMs(readers).catch((error: unknown) => {
    violations.push(`replica lag unavailable: ${(error as Error).message}`)
    return {} as Record<string, number | undefined>
  })
  if (cluster.status !== 'available') violations.push(`cluster ${cluster.id} is ${cluster.status}`)
  if (!ordered.some((i) => i.role === 'writer')) violations.push('the cluster has no writer instance')
  const rows = ordered.map((i) => {
    const lagMs = i.role === 'reader' ? lag[i.id] : undefined
    const lagFlagged = i.role === 'reader' && (lagMs === undefined || lagMs > policy.maxReplicaLagMs)
    if (i.status !== 'available') violations.push(`instance ${i.id} is ${i.status}`)
    if (i.role === 'reader' && i.status === 'available') {
      if (lagMs === undefined) {
        if (!violations.some((v) => v.startsWith('replica lag unavailable'))) violations.push(`no replica lag data for ${i.id}`)
      }
      else if (lagMs > policy.maxReplicaLagMs) violations.push(`replica lag of ${i.id} is ${lagMs} ms (max ${policy.maxReplicaLagMs} ms)`)
    }
    return {id: i.id, role: i.role, instanceClass: i.instanceClass, az: i.az, status: i.status, ...(lagMs === undefined ? {} : {lagMs}), lagFlagged}
  })
  if (cluster.backupRetentionDays < policy.retentionDays) violations.push(`backup retention is ${cluster.backupRetentionDays} days (policy ${policy.retentionDays})`)
  if (!cluster.latestRestorable) violations.push('the cluster has no restore window')
  const newestAutomated = newest(snapshots, 'automated', now)
  const newestManual = newest(snapshots, 'manual', now)
  const maxAge = policy.maxAutomatedSnapshotAgeHours ?? 26
  if (!newestAutomated) violations.push('no automated snapshot')
  else if (newestAutomated.ageHours > maxAge) violations.push(`the newest automated snapshot is ${newestAutomated.ageHours} h old (max ${maxAge} h)`)
  return {
    cluster: {id: cluster.id, status: cluster.status, engine: cluster.engine, engineVersion: cluster.engineVersion, endpoint: cluster.endpoint, readerEndpoint: cluster.readerEndpoint, backupRetentionDays: cluster.backupRetentionDays, deletionProtection: cluster.deletionProtection},
    instances: rows,
    ...(cluster.earliestRestorable && cluster.latestRestorable ? {restoreWindow: {earliest: cluster.earliestRestorable, latest: cluster.latestRestorable}} : {}),
    ...(newestAutomated ? {newestAutomated} : {}),
    ...(newestManual ? {newestManual} : {}),
    violations,
    ok: violations.length === 0,
  }
}
