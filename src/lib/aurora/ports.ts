/**
 * The narrow interfaces the Aurora capabilities need from the platform: what an adapter must
 * implement (src/lib/platform/aws/rds.ts, cloudwatch.ts) and what the sandbox must answer.
 * Plain data only.
 */

export type Tags = Record<string, string>

export interface ClusterInfo {
  id: string
  /** Immutable across renames: how impress recognises a cluster after a rename. */
  resourceId: string
  arn: string
  status: string
  engine: string
  engineVersion: string
  parameterGroup: string
  subnetGroup: string
  securityGroups: string[]
  backupRetentionDays: number
  deletionProtection: boolean
  copyTagsToSnapshot: boolean
  earliestRestorable?: string
  latestRestorable?: string
  endpoint?: string
  readerEndpoint?: string
  members: {id: string; writer: boolean}[]
  tags: Tags
}

export interface InstanceInfo {
  id: string
  clusterId?: string
  status: string
  instanceClass: string
  az?: string
  parameterGroup?: string
  monitoringInterval: number
  monitoringRoleArn?: string
  performanceInsights: boolean
  promotionTier?: number
  publiclyAccessible: boolean
  endpoint?: string
}

export interface SnapshotInfo {
  id: string
  clusterId: string
  type: 'manual' | 'automated'
  status: string
  createdAt: string
  sizeGb?: number
  progress?: number
  tags: Tags
}

export interface RestoreClusterSpec {
  target: string
  /** Point in time of a cluster, or a snapshot. */
  from: {cluster: string; time: string} | {cluster: string; latest: true} | {snapshot: string}
  engineVersion: string
  parameterGroup: string
  subnetGroup: string
  securityGroups: string[]
  deletionProtection: boolean
  copyTagsToSnapshot: boolean
  tags: Tags
}

export interface CreateInstanceSpec {
  id: string
  cluster: string
  instanceClass: string
  parameterGroup?: string
  az?: string
  monitoringInterval: number
  monitoringRoleArn?: string
  performanceInsights: boolean
  promotionTier?: number
  publiclyAccessible: boolean
  tags: Tags
}

export interface WaitOptions {
  signal?: AbortSignal
}

export interface AuroraPort {
  getCluster(id: string): Promise<ClusterInfo | undefined>
  listClusters(): Promise<ClusterInfo[]>
  getInstance(id: string): Promise<InstanceInfo | undefined>
  listInstances(clusterId: string): Promise<InstanceInfo[]>
  listSnapshots(clusterId: string): Promise<SnapshotInfo[]>
  getSnapshot(id: string): Promise<SnapshotInfo | undefined>
  createSnapshot(clusterId: string, snapshotId: string, tags: Tags): Promise<SnapshotInfo>
  deleteSnapshot(snapshotId: string): Promise<void>
  restoreCluster(spec: RestoreClusterSpec): Promise<ClusterInfo>
  createInstance(spec: CreateInstanceSpec): Promise<InstanceInfo>
  /** Rename with ApplyImmediately; the new name appears after a delay. */
  renameCluster(from: string, to: string): Promise<void>
  setDeletionProtection(clusterId: string, enabled: boolean): Promise<void>
  deleteInstance(id: string): Promise<void>
  deleteCluster(id: string): Promise<void>
  waitSnapshotAvailable(id: string, options?: WaitOptions): Promise<void>
  /** Until a cluster of this name exists and is available (also how a rename is awaited). */
  waitClusterAvailable(id: string, options?: WaitOptions): Promise<void>
  waitInstanceAvailable(id: string, options?: WaitOptions): Promise<void>
  /** Sleep a simulated duration (scaled like the waiters), for custom polling such as a rename settling. */
  pause(simulatedMs: number, options?: WaitOptions): Promise<void>
}

export interface MetricsPort {
  /** Newest AuroraReplicaLag (ms) over the last few minutes per instance; undefined when no data. */
  replicaLagMs(instanceIds: string[]): Promise<Record<string, number | undefined>>
}

/** The platform refused because the resource already exists (idempotent steps treat it as done). */
export class AlreadyExistsError extends Error {
  constructor(
    readonly resource: string,
    message: string,
  ) {
    super(message)
    this.name = 'AlreadyExistsError'
  }
}
