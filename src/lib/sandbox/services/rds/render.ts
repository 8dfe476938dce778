/** XML shapes of the RDS API reference (DBCluster, DBInstance, DBClusterSnapshot), built for the query protocol. */
import {list, type XmlNode} from '../../aws/query.js'
import {arn, DURATIONS, ENDPOINT_HASH, restoreWindow, type Cluster, type Instance, type RdsState, type Snapshot, type Tag} from './model.js'

const HOSTED_ZONE = 'Z29XKXDKYMONMX'
const VPC = 'vpc-0impress00000001'
const AZS = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']

const tagList = (tags: Tag[]) => list('Tag', tags.map((t) => ({Key: t.Key, Value: t.Value})))

export function membersOf(state: RdsState, c: Cluster): Instance[] {
  return state.instances.filter((i) => i.clusterResourceId === c.resourceId)
}

export function clusterXml(state: RdsState, c: Cluster, now: number, lagMs?: number): XmlNode {
  const members = membersOf(state, c)
  const writer = members.find((i) => i.status !== 'deleting')
  const window = restoreWindow(c, now, lagMs)
  const pendingRename = c.pendingRename
  return {
    AllocatedStorage: 1,
    AvailabilityZones: list('AvailabilityZone', AZS),
    BackupRetentionPeriod: c.backupRetentionPeriod,
    DBClusterIdentifier: c.id,
    DBClusterParameterGroup: c.parameterGroup,
    DBSubnetGroup: c.subnetGroup,
    Status: c.status,
    ...(window ? {EarliestRestorableTime: new Date(window.earliest), LatestRestorableTime: new Date(window.latest)} : {}),
    Endpoint: `${c.id}.cluster-${ENDPOINT_HASH}.rds.amazonaws.com`,
    ReaderEndpoint: `${c.id}.cluster-ro-${ENDPOINT_HASH}.rds.amazonaws.com`,
    MultiAZ: members.length > 1,
    Engine: 'aurora-mysql',
    EngineVersion: c.engineVersion,
    Port: 3306,
    MasterUsername: c.masterUsername,
    PreferredBackupWindow: c.preferredBackupWindow,
    PreferredMaintenanceWindow: 'sun:04:00-sun:04:30',
    DBClusterMembers: list(
      'DBClusterMember',
      members.map((i) => ({DBInstanceIdentifier: i.id, IsClusterWriter: i === writer, DBClusterParameterGroupStatus: 'in-sync', PromotionTier: i.promotionTier})),
    ),
    VpcSecurityGroups: list('VpcSecurityGroupMembership', c.securityGroups.map((g) => ({VpcSecurityGroupId: g, Status: 'active'}))),
    HostedZoneId: HOSTED_ZONE,
    StorageEncrypted: c.storageEncrypted,
    DbClusterResourceId: c.resourceId,
    DBClusterArn: arn.cluster(c.id),
    IAMDatabaseAuthenticationEnabled: false,
    ClusterCreateTime: new Date(c.createdAt),
    EngineMode: 'provisioned',
    DeletionProtection: c.deletionProtection,
    HttpEndpointEnabled: false,
    CopyTagsToSnapshot: c.copyTagsToSnapshot,
    CrossAccountClone: false,
    TagList: tagList(c.tags),
    ...(pendingRename ? {PendingModifiedValues: {DBClusterIdentifier: pendingRename}} : {}),
  }
}

export function instanceXml(state: RdsState, i: Instance): XmlNode {
  const c = state.clusters.find((x) => x.resourceId === i.clusterResourceId)
  return {
    DBInstanceIdentifier: i.id,
    DBInstanceClass: i.instanceClass,
    Engine: 'aurora-mysql',
    DBInstanceStatus: i.status,
    MasterUsername: c?.masterUsername,
    ...(i.status === 'creating' ? {} : {Endpoint: {Address: `${i.id}.${ENDPOINT_HASH}.rds.amazonaws.com`, Port: 3306, HostedZoneId: HOSTED_ZONE}}),
    AllocatedStorage: 1,
    InstanceCreateTime: new Date(i.createdAt),
    PreferredBackupWindow: c?.preferredBackupWindow,
    BackupRetentionPeriod: c?.backupRetentionPeriod,
    VpcSecurityGroups: list('VpcSecurityGroupMembership', (c?.securityGroups ?? []).map((g) => ({VpcSecurityGroupId: g, Status: 'active'}))),
    DBParameterGroups: list('DBParameterGroup', [{DBParameterGroupName: i.parameterGroup, ParameterApplyStatus: 'in-sync'}]),
    AvailabilityZone: i.az,
    DBSubnetGroup: {DBSubnetGroupName: c?.subnetGroup, DBSubnetGroupDescription: `${c?.subnetGroup} subnets`, VpcId: VPC, SubnetGroupStatus: 'Complete'},
    PreferredMaintenanceWindow: 'sun:04:00-sun:04:30',
    MultiAZ: false,
    EngineVersion: c?.engineVersion,
    AutoMinorVersionUpgrade: true,
    LicenseModel: 'general-public-license',
    PubliclyAccessible: i.publiclyAccessible,
    StorageType: 'aurora',
    DbInstancePort: 0,
    DBClusterIdentifier: c?.id,
    StorageEncrypted: c?.storageEncrypted,
    DbiResourceId: i.resourceId,
    CopyTagsToSnapshot: c?.copyTagsToSnapshot,
    MonitoringInterval: i.monitoringInterval,
    ...(i.monitoringRoleArn ? {MonitoringRoleArn: i.monitoringRoleArn} : {}),
    PromotionTier: i.promotionTier,
    DBInstanceArn: arn.instance(i.id),
    IAMDatabaseAuthenticationEnabled: false,
    PerformanceInsightsEnabled: i.performanceInsightsEnabled,
    DeletionProtection: false,
    TagList: tagList(i.tags),
  }
}

export function snapshotXml(s: Snapshot, now: number, real: (ms: number) => number): XmlNode {
  let progress = 100
  if (s.status === 'creating') {
    const end = s.transitions[0]?.at ?? now
    const total = real(DURATIONS.snapshotCreate) || 1
    progress = Math.max(0, Math.min(99, Math.round(100 - ((end - now) / total) * 100)))
  }
  return {
    AvailabilityZones: list('AvailabilityZone', AZS),
    DBClusterSnapshotIdentifier: s.id,
    DBClusterIdentifier: s.clusterId,
    SnapshotCreateTime: new Date(s.createdAt),
    Engine: 'aurora-mysql',
    EngineMode: 'provisioned',
    AllocatedStorage: s.allocatedStorage,
    Status: s.status,
    Port: 0,
    VpcId: VPC,
    ClusterCreateTime: new Date(s.clusterCreatedAt),
    MasterUsername: 'impress_admin',
    EngineVersion: s.engineVersion,
    LicenseModel: 'aurora-mysql',
    SnapshotType: s.type,
    PercentProgress: progress,
    StorageEncrypted: true,
    DBClusterSnapshotArn: arn.snapshot(s.id),
    IAMDatabaseAuthenticationEnabled: false,
    TagList: tagList(s.tags),
    DbClusterResourceId: s.clusterResourceId,
  }
}
