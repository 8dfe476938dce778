/**
 * The RDS emulation's state: Aurora clusters, their instances and cluster snapshots, with
 * status changes scheduled on the wall clock (simulated durations × time scale) and applied
 * lazily whenever the state is read. Seeds the demo IMPRESS cluster.
 */
import {randomBytes} from 'node:crypto'
import {SANDBOX_ACCOUNT} from '../sts.js'

export const REGION = 'eu-west-1'
/** Aurora endpoints carry one hash per account and region, so a renamed cluster takes over the endpoint of its new name. */
export const ENDPOINT_HASH = 'c9akciq32.eu-west-1'
export const DEFAULT_PARAMETER_GROUP = 'default.aurora-mysql8.0'
export const DEFAULT_SUBNET_GROUP = 'default'
export const DEFAULT_SECURITY_GROUP = 'sg-0default0000000000'
export const ENGINE_VERSION = '8.0.mysql_aurora.3.05.2'
export const SEED_CLUSTER = 'impress-sandbox'
const MIN = 60_000
const DAY = 24 * 60 * MIN

/** Simulated durations (ms). */
export const DURATIONS = {
  snapshotCreate: 6 * MIN,
  snapshotDelete: 1 * MIN,
  restoreCreating: 18 * MIN,
  restoreBackingUp: 4 * MIN,
  instanceCreating: 9 * MIN,
  instanceMonitoring: 1 * MIN,
  rename: 3 * MIN,
  clusterDelete: 5 * MIN,
  instanceDelete: 6 * MIN,
  /** LatestRestorableTime trails the present by this much. */
  restoreLag: 5 * MIN,
}

export interface Tag {
  Key: string
  Value: string
}

/** A scheduled change: at wall time `at`, set the status, rename, or remove the resource. */
export interface Transition {
  at: number
  status?: string
  rename?: string
  remove?: boolean
}

export interface Cluster {
  id: string
  resourceId: string
  status: string
  createdAt: number
  engineVersion: string
  parameterGroup: string
  subnetGroup: string
  securityGroups: string[]
  backupRetentionPeriod: number
  preferredBackupWindow: string
  masterUsername: string
  deletionProtection: boolean
  copyTagsToSnapshot: boolean
  storageEncrypted: boolean
  tags: Tag[]
  transitions: Transition[]
  /** A rename waiting for ApplyImmediately=false (never applied by the sandbox). */
  pendingRename?: string
  /** Where the data came from (sandbox bookkeeping, shown in /_sandbox/platform). */
  restoredFrom?: {cluster: string; resourceId: string; time: string; snapshot?: string}
}

export interface Instance {
  id: string
  resourceId: string
  clusterResourceId: string
  instanceClass: string
  az: string
  status: string
  createdAt: number
  parameterGroup: string
  monitoringInterval: number
  monitoringRoleArn?: string
  performanceInsightsEnabled: boolean
  promotionTier: number
  publiclyAccessible: boolean
  tags: Tag[]
  transitions: Transition[]
}

export interface Snapshot {
  id: string
  clusterId: string
  clusterResourceId: string
  type: 'manual' | 'automated'
  status: string
  createdAt: number
  clusterCreatedAt: number
  engineVersion: string
  allocatedStorage: number
  tags: Tag[]
  transitions: Transition[]
}

export interface RdsState {
  clusters: Cluster[]
  instances: Instance[]
  snapshots: Snapshot[]
}

export const arn = {
  cluster: (id: string) => `arn:aws:rds:${REGION}:${SANDBOX_ACCOUNT}:cluster:${id}`,
  instance: (id: string) => `arn:aws:rds:${REGION}:${SANDBOX_ACCOUNT}:db:${id}`,
  snapshot: (id: string) => `arn:aws:rds:${REGION}:${SANDBOX_ACCOUNT}:cluster-snapshot:${id}`,
}

export function resourceId(prefix: 'cluster' | 'db'): string {
  return `${prefix}-${randomBytes(13).toString('base64url').replace(/[^A-Za-z0-9]/g, 'X').toUpperCase().slice(0, 26)}`
}

export function automatedSnapshotId(clusterId: string, at: number): string {
  const d = new Date(at).toISOString()
  return `rds:${clusterId}-${d.slice(0, 10)}-${d.slice(11, 13)}-${d.slice(14, 16)}`
}

/** The restore window of a cluster at `now` (latest trails by `lagMs`, scaled by the caller), or undefined while it has none. */
export function restoreWindow(c: Cluster, now: number, lagMs = DURATIONS.restoreLag): {earliest: number; latest: number} | undefined {
  if (c.status === 'creating') return undefined
  const earliest = Math.max(c.createdAt, now - c.backupRetentionPeriod * DAY)
  const latest = Math.max(earliest, now - lagMs)
  return {earliest, latest}
}

export function seedState(now = Date.now()): RdsState {
  const created = now - 400 * DAY
  const clusterResourceId = resourceId('cluster')
  const tags: Tag[] = [
    {Key: 'app', Value: 'impress'},
    {Key: 'env', Value: 'sandbox'},
    {Key: 'data', Value: 'financial'},
  ]
  const cluster: Cluster = {
    id: SEED_CLUSTER,
    resourceId: clusterResourceId,
    status: 'available',
    createdAt: created,
    engineVersion: ENGINE_VERSION,
    parameterGroup: 'impress-aurora-mysql8',
    subnetGroup: 'impress-private',
    securityGroups: ['sg-0impressdb000001', 'sg-0impressbastion01'],
    backupRetentionPeriod: 7,
    preferredBackupWindow: '03:00-03:30',
    masterUsername: 'impress_admin',
    deletionProtection: true,
    copyTagsToSnapshot: true,
    storageEncrypted: true,
    tags,
    transitions: [],
  }
  const instance = (id: string, az: string, tier: number): Instance => ({
    id,
    resourceId: resourceId('db'),
    clusterResourceId,
    instanceClass: 'db.r6g.large',
    az,
    status: 'available',
    createdAt: created,
    parameterGroup: 'impress-aurora-mysql8-instance',
    monitoringInterval: 60,
    monitoringRoleArn: `arn:aws:iam::${SANDBOX_ACCOUNT}:role/rds-monitoring-role`,
    performanceInsightsEnabled: true,
    promotionTier: tier,
    publiclyAccessible: false,
    tags,
    transitions: [],
  })
  const snapshots: Snapshot[] = []
  const manual = (id: string, daysAgo: number, extra: Tag[]): Snapshot => ({
    id,
    clusterId: SEED_CLUSTER,
    clusterResourceId,
    type: 'manual',
    status: 'available',
    createdAt: now - daysAgo * DAY,
    clusterCreatedAt: created,
    engineVersion: ENGINE_VERSION,
    allocatedStorage: 212,
    tags: [...tags, ...extra],
    transitions: [],
  })
  snapshots.push(
    manual(`impress-${SEED_CLUSTER}-${compactTime(now - 30 * DAY)}`, 30, [{Key: 'keep', Value: 'true'}, {Key: 'reason', Value: 'before schema migration 42'}, {Key: 'created-by', Value: 'alice'}]),
    manual(`impress-${SEED_CLUSTER}-${compactTime(now - 10 * DAY)}`, 10, [{Key: 'reason', Value: 'monthly close'}, {Key: 'created-by', Value: 'bob'}]),
  )
  const state: RdsState = {clusters: [cluster], instances: [instance(`${SEED_CLUSTER}-writer`, 'eu-west-1a', 0), instance(`${SEED_CLUSTER}-replica-1`, 'eu-west-1b', 1)], snapshots}
  ensureAutomatedSnapshots(state, now)
  return state
}

/** `20261123-051500` (UTC; identifiers are lower case, so no letters). */
export function compactTime(t: number): string {
  const iso = new Date(t).toISOString()
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`
}

/** Automated snapshots: one a day at the start of the backup window, kept for the retention period. */
export function ensureAutomatedSnapshots(state: RdsState, now: number): boolean {
  let changed = false
  for (const c of state.clusters) {
    if (c.status === 'creating') continue
    const [hh, mm] = c.preferredBackupWindow.split('-')[0].split(':').map(Number)
    const from = now - c.backupRetentionPeriod * DAY
    // The backup taken when a cluster is created or restored (its backing-up phase).
    if (c.createdAt >= from && !state.snapshots.some((s) => s.type === 'automated' && s.clusterResourceId === c.resourceId)) {
      state.snapshots.push(automated(c, c.createdAt))
      changed = true
    }
    const firstDay = Math.floor(from / DAY) * DAY
    for (let day = firstDay; day <= now; day += DAY) {
      const at = day + hh * 3_600_000 + mm * MIN
      if (at < from || at > now || at < c.createdAt) continue
      if (state.snapshots.some((s) => s.type === 'automated' && s.clusterResourceId === c.resourceId && Math.abs(s.createdAt - at) < MIN)) continue
      state.snapshots.push(automated(c, at))
      changed = true
    }
  }
  const live = new Map(state.clusters.map((c) => [c.resourceId, c]))
  const before = state.snapshots.length
  state.snapshots = state.snapshots.filter((s) => {
    if (s.type !== 'automated') return true
    const c = live.get(s.clusterResourceId)
    return c !== undefined && s.createdAt >= now - c.backupRetentionPeriod * DAY
  })
  return changed || state.snapshots.length !== before
}

function automated(c: Cluster, at: number): Snapshot {
  return {
    id: automatedSnapshotId(c.id, at),
    clusterId: c.id,
    clusterResourceId: c.resourceId,
    type: 'automated',
    status: 'available',
    createdAt: at,
    clusterCreatedAt: c.createdAt,
    engineVersion: c.engineVersion,
    allocatedStorage: 212,
    tags: c.copyTagsToSnapshot ? [...c.tags] : [],
    transitions: [],
  }
}

/** Apply every scheduled transition due at `now`. Returns true when something changed. */
export function advance(state: RdsState, now: number): boolean {
  let changed = false
  const step = <T extends {id: string; status: string; transitions: Transition[]}>(items: T[], onRename?: (item: T, from: string) => void): T[] => {
    const keep: T[] = []
    for (const item of items) {
      let removed = false
      while (item.transitions.length > 0 && item.transitions[0].at <= now) {
        const t = item.transitions.shift()!
        changed = true
        if (t.rename) {
          const from = item.id
          item.id = t.rename
          onRename?.(item, from)
        }
        if (t.status) item.status = t.status
        if (t.remove) removed = true
      }
      if (!removed) keep.push(item)
    }
    return keep
  }
  state.clusters = step(state.clusters)
  state.instances = step(state.instances)
  state.snapshots = step(state.snapshots)
  // Instances of a cluster being deleted go with it; deleted clusters' manual snapshots stay.
  const clusterIds = new Set(state.clusters.map((c) => c.resourceId))
  const n = state.instances.length
  state.instances = state.instances.filter((i) => clusterIds.has(i.clusterResourceId))
  if (state.instances.length !== n) changed = true
  return changed
}

/** Schedule a sequence of statuses: each entry lasts `ms` simulated milliseconds. */
export function schedule(start: number, real: (ms: number) => number, phases: {status?: string; ms: number; rename?: string; remove?: boolean}[]): Transition[] {
  const out: Transition[] = []
  let at = start
  for (const p of phases) {
    at += real(p.ms)
    out.push({at, ...(p.status ? {status: p.status} : {}), ...(p.rename ? {rename: p.rename} : {}), ...(p.remove ? {remove: true} : {})})
  }
  return out
}
