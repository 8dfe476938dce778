/** What the RDS (Aurora) emulation models (see ../../catalog.ts); anything else is refused 501. */
import type {ServiceCatalog} from '../../catalog.js'

const PAGED = ['MaxRecords', 'Marker']
const RESTORE = ['DBClusterIdentifier', 'EngineVersion', 'DBClusterParameterGroupName', 'DBSubnetGroupName', 'VpcSecurityGroupIds.*', 'DeletionProtection', 'CopyTagsToSnapshot', 'Tags.*']

export const rdsCatalog: ServiceCatalog = {
  title: 'Amazon RDS (Aurora MySQL)',
  protocol: 'aws-query',
  reference: 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/',
  operations: {
    DescribeDBClusters: {params: ['DBClusterIdentifier', 'Filters.*', 'IncludeShared', ...PAGED], note: 'filter db-cluster-id; default page 5 records'},
    DescribeDBInstances: {params: ['DBInstanceIdentifier', 'Filters.*', ...PAGED], note: 'filters db-cluster-id, db-instance-id'},
    DescribeDBClusterSnapshots: {params: ['DBClusterIdentifier', 'DBClusterSnapshotIdentifier', 'SnapshotType', 'Filters.*', 'IncludeShared', 'IncludePublic', ...PAGED], note: 'filters db-cluster-id, db-cluster-snapshot-id, snapshot-type'},
    DescribeDBSnapshots: {params: ['DBInstanceIdentifier', 'DBSnapshotIdentifier', 'SnapshotType', 'Filters.*', 'IncludeShared', 'IncludePublic', ...PAGED], note: 'always empty: Aurora backs up clusters, not instances'},
    CreateDBClusterSnapshot: {params: ['DBClusterIdentifier', 'DBClusterSnapshotIdentifier', 'Tags.*']},
    DeleteDBClusterSnapshot: {params: ['DBClusterSnapshotIdentifier']},
    RestoreDBClusterToPointInTime: {params: [...RESTORE, 'SourceDBClusterIdentifier', 'RestoreToTime', 'UseLatestRestorableTime', 'RestoreType']},
    RestoreDBClusterFromSnapshot: {params: [...RESTORE, 'SnapshotIdentifier', 'Engine']},
    CreateDBInstance: {params: ['DBInstanceIdentifier', 'DBInstanceClass', 'Engine', 'DBClusterIdentifier', 'AvailabilityZone', 'DBParameterGroupName', 'MonitoringInterval', 'MonitoringRoleArn', 'EnablePerformanceInsights', 'PromotionTier', 'PubliclyAccessible', 'Tags.*']},
    ModifyDBCluster: {params: ['DBClusterIdentifier', 'NewDBClusterIdentifier', 'ApplyImmediately', 'BackupRetentionPeriod', 'DeletionProtection']},
    DeleteDBInstance: {params: ['DBInstanceIdentifier', 'SkipFinalSnapshot']},
    DeleteDBCluster: {params: ['DBClusterIdentifier', 'SkipFinalSnapshot', 'FinalDBSnapshotIdentifier']},
    AddTagsToResource: {params: ['ResourceName', 'Tags.*']},
    ListTagsForResource: {params: ['ResourceName']},
  },
  refused: ['CreateDBCluster', 'ModifyDBInstance', 'RebootDBInstance', 'FailoverDBCluster', 'CopyDBClusterSnapshot', 'RemoveTagsFromResource', 'DescribeDBEngineVersions', 'DescribeDBClusterParameterGroups', 'DescribeEvents', 'DescribeDBSubnetGroups'],
}
