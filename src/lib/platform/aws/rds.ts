/**
 * The Aurora port over @aws-sdk/client-rds: pagination (Marker), the SDK's waiters with delays
 * scaled to the sandbox's time scale, and error translation into impress errors. The SDK is
 * imported lazily so --help never loads it.
 */
import type {DBCluster, DBClusterSnapshot, DBInstance, RDSClient, Tag} from '@aws-sdk/client-rds'
import {OperationError} from '../../errors.js'
import {AlreadyExistsError, type AuroraPort, type ClusterInfo, type InstanceInfo, type SnapshotInfo, type Tags, type WaitOptions} from '../../aurora/ports.js'
import type {AwsClientConfig} from './client-config.js'
import {awsSdk} from './sdk.js'

/** Waiter delays in (simulated) seconds: never more than one describe per 5 s of waiting per resource. */
export const WAIT_MIN_DELAY_S = 5
export const WAIT_MAX_DELAY_S = 60
const WAIT_MAX_S = 12 * 3600

export interface RdsAdapterDeps {
  aws<C extends {destroy(): void}>(Ctor: new (config: AwsClientConfig) => C): Promise<C>
  timeScale(): Promise<number>
}

const NOT_FOUND = new Set(['DBClusterNotFoundFault', 'DBInstanceNotFound', 'DBInstanceNotFoundFault', 'DBClusterSnapshotNotFoundFault'])
const EXISTS = new Set(['DBClusterAlreadyExistsFault', 'DBInstanceAlreadyExists', 'DBInstanceAlreadyExistsFault', 'DBClusterSnapshotAlreadyExistsFault'])

function translate(op: string, error: unknown): Error {
  const e = error as {name?: string; message?: string; $metadata?: unknown}
  if (e?.name === 'AbortError') return error as Error
  if (e?.name && EXISTS.has(e.name)) return new AlreadyExistsError(op, e.message ?? e.name)
  if (e?.$metadata === undefined) {
    return new OperationError(`RDS ${op} failed: ${e?.message ?? String(error)}`, {code: 'E_AWS', hint: 'Check the network and the AWS endpoint, then run the command again.', cause: error})
  }
  return new OperationError(`RDS ${op} failed: ${e.name}: ${e.message}`, {code: 'E_AWS', hint: 'Check the message above; the AWS RDS API reference lists the error code.', cause: error})
}

const isNotFound = (error: unknown) => NOT_FOUND.has((error as {name?: string})?.name ?? '')

const tagsOf = (list: Tag[] | undefined): Tags => Object.fromEntries((list ?? []).map((t) => [t.Key ?? '', t.Value ?? '']))
const tagList = (tags: Tags): Tag[] => Object.entries(tags).map(([Key, Value]) => ({Key, Value}))
const iso = (d: Date | undefined) => (d ? d.toISOString() : undefined)

export function toClusterInfo(c: DBCluster): ClusterInfo {
  return {
    id: c.DBClusterIdentifier ?? '',
    resourceId: c.DbClusterResourceId ?? '',
    arn: c.DBClusterArn ?? '',
    status: c.Status ?? 'unknown',
    engine: c.Engine ?? '',
    engineVersion: c.EngineVersion ?? '',
    parameterGroup: c.DBClusterParameterGroup ?? '',
    subnetGroup: c.DBSubnetGroup ?? '',
    securityGroups: (c.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId ?? ''),
    backupRetentionDays: c.BackupRetentionPeriod ?? 0,
    deletionProtection: Boolean(c.DeletionProtection),
    copyTagsToSnapshot: Boolean(c.CopyTagsToSnapshot),
    earliestRestorable: iso(c.EarliestRestorableTime),
    latestRestorable: iso(c.LatestRestorableTime),
    endpoint: c.Endpoint,
    readerEndpoint: c.ReaderEndpoint,
    members: (c.DBClusterMembers ?? []).map((m) => ({id: m.DBInstanceIdentifier ?? '', writer: Boolean(m.IsClusterWriter)})),
    tags: tagsOf(c.TagList),
  }
}

export function toInstanceInfo(i: DBInstance): InstanceInfo {
  return {
    id: i.DBInstanceIdentifier ?? '',
    clusterId: i.DBClusterIdentifier,
    status: i.DBInstanceStatus ?? 'unknown',
    instanceClass: i.DBInstanceClass ?? '',
    az: i.AvailabilityZone,
    parameterGroup: i.DBParameterGroups?.[0]?.DBParameterGroupName,
    monitoringInterval: i.MonitoringInterval ?? 0,
    monitoringRoleArn: i.MonitoringRoleArn,
    performanceInsights: Boolean(i.PerformanceInsightsEnabled),
    promotionTier: i.PromotionTier,
    publiclyAccessible: Boolean(i.PubliclyAccessible),
    endpoint: i.Endpoint?.Address,
  }
}

export function toSnapshotInfo(s: DBClusterSnapshot): SnapshotInfo {
  return {
    id: s.DBClusterSnapshotIdentifier ?? '',
    clusterId: s.DBClusterIdentifier ?? '',
    type: s.SnapshotType === 'automated' ? 'automated' : 'manual',
    status: s.Status ?? 'unknown',
    createdAt: iso(s.SnapshotCreateTime) ?? '',
    sizeGb: s.AllocatedStorage,
    progress: s.PercentProgress,
    tags: tagsOf(s.TagList),
  }
}

export async function createRdsPort(deps: RdsAdapterDeps): Promise<AuroraPort> {
  const sdk = awsSdk('@aws-sdk/client-rds')
  const client: RDSClient = await deps.aws(sdk.RDSClient)
  const scale = await deps.timeScale()

  async function call<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (error) {
      throw translate(op, error)
    }
  }
  async function maybe<T>(op: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn()
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw translate(op, error)
    }
  }
  const waiter = (options?: WaitOptions) => ({
    client,
    minDelay: WAIT_MIN_DELAY_S * scale,
    maxDelay: WAIT_MAX_DELAY_S * scale,
    maxWaitTime: WAIT_MAX_S * scale,
    ...(options?.signal ? {abortSignal: options.signal} : {}),
  })
  async function waited(what: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn()
    } catch (error) {
      const e = error as Error
      if (e.name === 'AbortError') throw error
      if (e.name === 'TimeoutError') throw new OperationError(`Timed out waiting for ${what} to become available.`, {code: 'E_TIMEOUT', hint: 'Check it in the AWS console; rerun the command to resume waiting.', cause: error})
      throw new OperationError(`${what} did not become available: it reached a failed or deleting state.`, {code: 'E_FAILED_STATE', hint: 'Check the resource in the AWS console.', cause: error})
    }
  }

  return {
    getCluster: (id) => maybe('DescribeDBClusters', async () => {
      const out = await client.send(new sdk.DescribeDBClustersCommand({DBClusterIdentifier: id}))
      return out.DBClusters?.[0] ? toClusterInfo(out.DBClusters[0]) : undefined
    }),
    listClusters: () => call('DescribeDBClusters', async () => {
      const all: ClusterInfo[] = []
      for await (const page of sdk.paginateDescribeDBClusters({client}, {})) all.push(...(page.DBClusters ?? []).map(toClusterInfo))
      return all
    }),
    getInstance: (id) => maybe('DescribeDBInstances', async () => {
      const out = await client.send(new sdk.DescribeDBInstancesCommand({DBInstanceIdentifier: id}))
      return out.DBInstances?.[0] ? toInstanceInfo(out.DBInstances[0]) : undefined
    }),
    listInstances: (clusterId) => call('DescribeDBInstances', async () => {
      const all: InstanceInfo[] = []
      for await (const page of sdk.paginateDescribeDBInstances({client}, {Filters: [{Name: 'db-cluster-id', Values: [clusterId]}]})) all.push(...(page.DBInstances ?? []).map(toInstanceInfo))
      return all
    }),
    listSnapshots: (clusterId) => call('DescribeDBClusterSnapshots', async () => {
      const all: SnapshotInfo[] = []
      for await (const page of sdk.paginateDescribeDBClusterSnapshots({client}, {DBClusterIdentifier: clusterId})) all.push(...(page.DBClusterSnapshots ?? []).map(toSnapshotInfo))
      return all
    }),
    getSnapshot: (id) => maybe('DescribeDBClusterSnapshots', async () => {
      const out = await client.send(new sdk.DescribeDBClusterSnapshotsCommand({DBClusterSnapshotIdentifier: id}))
      return out.DBClusterSnapshots?.[0] ? toSnapshotInfo(out.DBClusterSnapshots[0]) : undefined
    }),
    createSnapshot: (clusterId, snapshotId, tags) => call('CreateDBClusterSnapshot', async () => {
      try {
        const out = await client.send(new sdk.CreateDBClusterSnapshotCommand({DBClusterIdentifier: clusterId, DBClusterSnapshotIdentifier: snapshotId, Tags: tagList(tags)}))
        return toSnapshotInfo(out.DBClusterSnapshot ?? {})
      } catch (error) {
        // the SDK's retry of a create whose answer was lost finds the snapshot the first attempt made (same id, same
        // cluster): that is the snapshot asked for, not a conflict (the reliability campaign found the rerun taking a second one)
        if ((error as {name?: string}).name !== 'DBClusterSnapshotAlreadyExistsFault') throw error
        const out = await client.send(new sdk.DescribeDBClusterSnapshotsCommand({DBClusterSnapshotIdentifier: snapshotId}))
        const existing = out.DBClusterSnapshots?.[0]
        if (existing?.DBClusterIdentifier !== clusterId) throw error
        return toSnapshotInfo(existing)
      }
    }),
    deleteSnapshot: (snapshotId) => call('DeleteDBClusterSnapshot', async () => {
      await client.send(new sdk.DeleteDBClusterSnapshotCommand({DBClusterSnapshotIdentifier: snapshotId}))
    }),
    restoreCluster: (spec) => call('RestoreDBCluster', async () => {
      const common = {
        DBClusterIdentifier: spec.target,
        DBClusterParameterGroupName: spec.parameterGroup,
        DBSubnetGroupName: spec.subnetGroup,
        VpcSecurityGroupIds: spec.securityGroups,
        DeletionProtection: spec.deletionProtection,
        CopyTagsToSnapshot: spec.copyTagsToSnapshot,
        Tags: tagList(spec.tags),
      }
      const out =
        'snapshot' in spec.from
          ? await client.send(new sdk.RestoreDBClusterFromSnapshotCommand({...common, SnapshotIdentifier: spec.from.snapshot, Engine: 'aurora-mysql', EngineVersion: spec.engineVersion}))
          : await client.send(
              new sdk.RestoreDBClusterToPointInTimeCommand({
                ...common,
                SourceDBClusterIdentifier: spec.from.cluster,
                RestoreType: 'full-copy',
                ...('latest' in spec.from ? {UseLatestRestorableTime: true} : {RestoreToTime: new Date(spec.from.time)}),
              }),
            )
      return toClusterInfo(out.DBCluster ?? {})
    }),
    createInstance: (spec) => call('CreateDBInstance', async () => {
      const out = await client.send(
        new sdk.CreateDBInstanceCommand({
          DBInstanceIdentifier: spec.id,
          DBClusterIdentifier: spec.cluster,
          DBInstanceClass: spec.instanceClass,
          Engine: 'aurora-mysql',
          DBParameterGroupName: spec.parameterGroup,
          AvailabilityZone: spec.az,
          MonitoringInterval: spec.monitoringInterval,
          MonitoringRoleArn: spec.monitoringInterval > 0 ? spec.monitoringRoleArn : undefined,
          EnablePerformanceInsights: spec.performanceInsights,
          PromotionTier: spec.promotionTier,
          PubliclyAccessible: spec.publiclyAccessible,
          Tags: tagList(spec.tags),
        }),
      )
      return toInstanceInfo(out.DBInstance ?? {})
    }),
    renameCluster: (from, to) => call('ModifyDBCluster', async () => {
      await client.send(new sdk.ModifyDBClusterCommand({DBClusterIdentifier: from, NewDBClusterIdentifier: to, ApplyImmediately: true}))
    }),
    setDeletionProtection: (clusterId, enabled) => call('ModifyDBCluster', async () => {
      await client.send(new sdk.ModifyDBClusterCommand({DBClusterIdentifier: clusterId, DeletionProtection: enabled, ApplyImmediately: true}))
    }),
    deleteInstance: (id) => call('DeleteDBInstance', async () => {
      await client.send(new sdk.DeleteDBInstanceCommand({DBInstanceIdentifier: id, SkipFinalSnapshot: true}))
    }),
    deleteCluster: (id) => call('DeleteDBCluster', async () => {
      await client.send(new sdk.DeleteDBClusterCommand({DBClusterIdentifier: id, SkipFinalSnapshot: true}))
    }),
    waitSnapshotAvailable: (id, options) => waited(`snapshot ${id}`, () => sdk.waitUntilDBClusterSnapshotAvailable(waiter(options), {DBClusterSnapshotIdentifier: id})),
    waitClusterAvailable: (id, options) => waited(`cluster ${id}`, () => sdk.waitUntilDBClusterAvailable(waiter(options), {DBClusterIdentifier: id})),
    waitInstanceAvailable: (id, options) => waited(`instance ${id}`, () => sdk.waitUntilDBInstanceAvailable(waiter(options), {DBInstanceIdentifier: id})),
    pause: (simulatedMs, options) =>
      new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, Math.max(1, simulatedMs * scale))
        options?.signal?.addEventListener('abort', () => {
          clearTimeout(t)
          reject(Object.assign(new Error('Interrupted'), {name: 'AbortError'}))
        })
      }),
  }
}
