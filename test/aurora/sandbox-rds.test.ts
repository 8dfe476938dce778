import {CloudWatchClient, GetMetricDataCommand} from '@aws-sdk/client-cloudwatch'
import {
  AddTagsToResourceCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  DeleteDBClusterCommand,
  DeleteDBClusterSnapshotCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBInstancesCommand,
  ListTagsForResourceCommand,
  ModifyDBClusterCommand,
  RDSClient,
  RestoreDBClusterFromSnapshotCommand,
  RestoreDBClusterToPointInTimeCommand,
  paginateDescribeDBClusterSnapshots,
} from '@aws-sdk/client-rds'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {getJson} from '../helpers/http.js'
import {awsTestConfig, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (ok(v)) return v
    if (Date.now() > deadline) throw new Error(`condition not met: ${JSON.stringify(v)}`)
    await sleep(20)
  }
}

describe('sandbox RDS emulation through the real @aws-sdk/client-rds', () => {
  let sb: TestSandbox
  let rds: RDSClient
  beforeAll(async () => {
    sb = await startTestSandbox({timeScale: 0.0005})
    rds = new RDSClient(awsTestConfig(sb.url))
  })
  afterAll(async () => {
    rds.destroy()
    await sb.stop()
  })

  const cluster = async (id: string) => (await rds.send(new DescribeDBClustersCommand({DBClusterIdentifier: id}))).DBClusters?.[0]

  it('seeds the IMPRESS cluster: writer + replica, settings, tags and a moving restore window', async () => {
    const c = await cluster('impress-sandbox')
    expect(c).toMatchObject({Status: 'available', Engine: 'aurora-mysql', DBClusterParameterGroup: 'impress-aurora-mysql8', DBSubnetGroup: 'impress-private', BackupRetentionPeriod: 7, DeletionProtection: true})
    expect(c?.DBClusterMembers?.map((m) => [m.DBInstanceIdentifier, m.IsClusterWriter])).toEqual([
      ['impress-sandbox-writer', true],
      ['impress-sandbox-replica-1', false],
    ])
    expect(c?.VpcSecurityGroups?.map((g) => g.VpcSecurityGroupId)).toEqual(['sg-0impressdb000001', 'sg-0impressbastion01'])
    expect(c?.TagList).toContainEqual({Key: 'app', Value: 'impress'})
    const span = c!.LatestRestorableTime!.getTime() - c!.EarliestRestorableTime!.getTime()
    expect(span).toBeGreaterThan(6.9 * 86_400_000)
    await sleep(30)
    const later = await cluster('impress-sandbox')
    expect(later!.LatestRestorableTime!.getTime()).toBeGreaterThan(c!.LatestRestorableTime!.getTime())
    const inst = await rds.send(new DescribeDBInstancesCommand({Filters: [{Name: 'db-cluster-id', Values: ['impress-sandbox']}]}))
    expect(inst.DBInstances?.map((i) => [i.DBInstanceIdentifier, i.DBInstanceClass, i.DBParameterGroups?.[0]?.DBParameterGroupName, i.MonitoringInterval, i.PerformanceInsightsEnabled])).toEqual([
      ['impress-sandbox-writer', 'db.r6g.large', 'impress-aurora-mysql8-instance', 60, true],
      ['impress-sandbox-replica-1', 'db.r6g.large', 'impress-aurora-mysql8-instance', 60, true],
    ])
    expect(inst.DBInstances?.[0]?.DBSubnetGroup?.DBSubnetGroupName).toBe('impress-private')
  })

  it('pages snapshots with Marker (small default page), a week of automated ones and two manual', async () => {
    const first = await rds.send(new DescribeDBClusterSnapshotsCommand({DBClusterIdentifier: 'impress-sandbox'}))
    expect(first.DBClusterSnapshots).toHaveLength(5)
    expect(first.Marker).toBeTruthy()
    const all = []
    for await (const p of paginateDescribeDBClusterSnapshots({client: rds}, {DBClusterIdentifier: 'impress-sandbox'})) all.push(...(p.DBClusterSnapshots ?? []))
    const automated = all.filter((s) => s.SnapshotType === 'automated')
    const manual = all.filter((s) => s.SnapshotType === 'manual')
    expect(automated.length).toBeGreaterThanOrEqual(7)
    expect(automated.length).toBeLessThanOrEqual(8)
    expect(manual).toHaveLength(2)
    expect(manual[0].TagList).toContainEqual({Key: 'keep', Value: 'true'})
    await expect(rds.send(new DescribeDBClusterSnapshotsCommand({MaxRecords: 5}))).rejects.toMatchObject({name: 'InvalidParameterValue'})
  })

  it('real error codes: not found, already exists, invalid state, deletion protection', async () => {
    await expect(cluster('nope')).rejects.toMatchObject({name: 'DBClusterNotFoundFault', $metadata: {httpStatusCode: 404}})
    await expect(rds.send(new ModifyDBClusterCommand({DBClusterIdentifier: 'impress-sandbox', NewDBClusterIdentifier: 'impress-sandbox', ApplyImmediately: true}))).resolves.toBeDefined()
    await expect(rds.send(new DeleteDBClusterCommand({DBClusterIdentifier: 'impress-sandbox', SkipFinalSnapshot: true}))).rejects.toMatchObject({name: 'InvalidParameterCombination'})
    const restore = await rds.send(new RestoreDBClusterToPointInTimeCommand({DBClusterIdentifier: 'dup-check', SourceDBClusterIdentifier: 'impress-sandbox', UseLatestRestorableTime: true}))
    expect(restore.DBCluster?.Status).toBe('creating')
    await expect(rds.send(new RestoreDBClusterToPointInTimeCommand({DBClusterIdentifier: 'dup-check', SourceDBClusterIdentifier: 'impress-sandbox', UseLatestRestorableTime: true}))).rejects.toMatchObject({name: 'DBClusterAlreadyExistsFault'})
    await expect(rds.send(new CreateDBClusterSnapshotCommand({DBClusterIdentifier: 'dup-check', DBClusterSnapshotIdentifier: 'too-early'}))).rejects.toMatchObject({name: 'InvalidDBClusterStateFault'})
    await expect(
      rds.send(new RestoreDBClusterToPointInTimeCommand({DBClusterIdentifier: 'too-old', SourceDBClusterIdentifier: 'impress-sandbox', RestoreToTime: new Date(Date.now() - 30 * 86_400_000)})),
    ).rejects.toMatchObject({name: 'InvalidRestoreFault'})
  })

  it('a restore creates a cluster WITHOUT instances and with default groups unless asked; creating → backing-up → available', async () => {
    const at = new Date(Date.now() - 3_600_000)
    const r = await rds.send(new RestoreDBClusterToPointInTimeCommand({DBClusterIdentifier: 'pitr', SourceDBClusterIdentifier: 'impress-sandbox', RestoreToTime: at, Tags: [{Key: 'purpose', Value: 'test'}]}))
    expect(r.DBCluster).toMatchObject({Status: 'creating', DBClusterParameterGroup: 'default.aurora-mysql8.0', DBSubnetGroup: 'default', DBClusterMembers: []})
    const seen = new Set<string>()
    await until(
      async () => {
        const s = (await cluster('pitr'))!.Status!
        seen.add(s)
        return s
      },
      (s) => s === 'available',
    )
    expect(seen.has('backing-up') || seen.has('creating')).toBe(true)
    const platform = await getJson(`${sb.url}/_sandbox/platform`)
    expect(platform.rds.clusters.find((c: {id: string}) => c.id === 'pitr').restoredFrom).toMatchObject({cluster: 'impress-sandbox', time: at.toISOString()})
    const created = await rds.send(new CreateDBInstanceCommand({DBInstanceIdentifier: 'pitr-1', DBClusterIdentifier: 'pitr', DBInstanceClass: 'db.r6g.large', Engine: 'aurora-mysql', MonitoringInterval: 60, MonitoringRoleArn: 'arn:aws:iam::000000000000:role/rds-monitoring-role'}))
    expect(created.DBInstance?.DBInstanceStatus).toBe('creating')
    await until(async () => (await rds.send(new DescribeDBInstancesCommand({DBInstanceIdentifier: 'pitr-1'}))).DBInstances![0].DBInstanceStatus, (s) => s === 'available')
    expect((await cluster('pitr'))!.DBClusterMembers).toEqual([expect.objectContaining({DBInstanceIdentifier: 'pitr-1', IsClusterWriter: true})])
    // tags through the tagging API
    const arn = (await cluster('pitr'))!.DBClusterArn!
    await rds.send(new AddTagsToResourceCommand({ResourceName: arn, Tags: [{Key: 'owner', Value: 'ops'}]}))
    expect((await rds.send(new ListTagsForResourceCommand({ResourceName: arn}))).TagList).toEqual([
      {Key: 'purpose', Value: 'test'},
      {Key: 'owner', Value: 'ops'},
    ])
  })

  it('renames after a delay (status renaming), keeping the resource id and taking over the endpoint name', async () => {
    const before = (await cluster('pitr'))!
    const m = await rds.send(new ModifyDBClusterCommand({DBClusterIdentifier: 'pitr', NewDBClusterIdentifier: 'pitr-renamed', ApplyImmediately: true}))
    expect(m.DBCluster).toMatchObject({DBClusterIdentifier: 'pitr', Status: 'renaming'})
    await expect(rds.send(new ModifyDBClusterCommand({DBClusterIdentifier: 'impress-sandbox', NewDBClusterIdentifier: 'pitr-renamed', ApplyImmediately: true}))).rejects.toMatchObject({name: 'DBClusterAlreadyExistsFault'})
    const after = await until(
      () => cluster('pitr-renamed').catch(() => undefined),
      (c) => c?.Status === 'available',
    )
    expect(after!.DbClusterResourceId).toBe(before.DbClusterResourceId)
    expect(after!.Endpoint).toBe(before.Endpoint!.replace('pitr.', 'pitr-renamed.'))
    await expect(cluster('pitr')).rejects.toMatchObject({name: 'DBClusterNotFoundFault'})
  })

  it('snapshots: create (cluster backing-up), restore from it, delete; clusters delete after their instances', async () => {
    const s = await rds.send(new CreateDBClusterSnapshotCommand({DBClusterIdentifier: 'pitr-renamed', DBClusterSnapshotIdentifier: 'snap-one', Tags: [{Key: 'why', Value: 'test'}]}))
    expect(s.DBClusterSnapshot).toMatchObject({Status: 'creating', SnapshotType: 'manual'})
    expect((await cluster('pitr-renamed'))!.Status).toBe('backing-up')
    await until(async () => (await rds.send(new DescribeDBClusterSnapshotsCommand({DBClusterSnapshotIdentifier: 'snap-one'}))).DBClusterSnapshots![0].Status, (x) => x === 'available')
    const fromSnap = await rds.send(new RestoreDBClusterFromSnapshotCommand({DBClusterIdentifier: 'from-snap', SnapshotIdentifier: 'snap-one', Engine: 'aurora-mysql'}))
    expect(fromSnap.DBCluster?.DBClusterMembers).toEqual([])
    await rds.send(new DeleteDBClusterSnapshotCommand({DBClusterSnapshotIdentifier: 'snap-one'}))
    await until(() => rds.send(new DescribeDBClusterSnapshotsCommand({DBClusterSnapshotIdentifier: 'snap-one'})).then(() => 'there', (e: Error) => e.name), (x) => x === 'DBClusterSnapshotNotFoundFault')
    await expect(rds.send(new DeleteDBClusterCommand({DBClusterIdentifier: 'pitr-renamed', SkipFinalSnapshot: true}))).rejects.toMatchObject({name: 'InvalidDBClusterStateFault'})
    await rds.send(new DeleteDBInstanceCommand({DBInstanceIdentifier: 'pitr-1', SkipFinalSnapshot: true}))
    const d = await rds.send(new DeleteDBClusterCommand({DBClusterIdentifier: 'pitr-renamed', SkipFinalSnapshot: true}))
    expect(d.DBCluster?.Status).toBe('deleting')
    await until(() => cluster('pitr-renamed').then(() => 'there', (e: Error) => e.name), (x) => x === 'DBClusterNotFoundFault')
  })

  it('injected throttling renders as a query-protocol Throttling fault that the SDK retries', async () => {
    await fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({service: 'rds', kind: 'throttle', times: 2, retryAfter: 0})})
    await fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})
    expect((await cluster('impress-sandbox'))!.Status).toBe('available')
    const counts = await getJson(`${sb.url}/_sandbox/requests?log=1`)
    expect(counts.log.map((l: {status: number}) => l.status)).toEqual([400, 400, 200])
  })

  it('CloudWatch GetMetricData (JSON 1.0 as the SDK sends it) returns AuroraReplicaLag for the replica only', async () => {
    const cw = new CloudWatchClient(awsTestConfig(sb.url))
    const end = new Date()
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(end.getTime() - 600_000),
        EndTime: end,
        MetricDataQueries: ['impress-sandbox-replica-1', 'impress-sandbox-writer'].map((id, n) => ({
          Id: `q${n}`,
          MetricStat: {Metric: {Namespace: 'AWS/RDS', MetricName: 'AuroraReplicaLag', Dimensions: [{Name: 'DBInstanceIdentifier', Value: id}]}, Period: 60, Stat: 'Average'},
        })),
      }),
    )
    expect(out.MetricDataResults?.[0].Values?.length).toBeGreaterThanOrEqual(9)
    expect(out.MetricDataResults?.[0].Timestamps?.[0]).toBeInstanceOf(Date)
    for (const v of out.MetricDataResults![0].Values!) expect(v).toBeGreaterThan(300)
    expect(out.MetricDataResults?.[1].Values).toEqual([])
    const log = await getJson(`${sb.url}/_sandbox/requests?service=cloudwatch`)
    expect(log.counts.cloudwatch).toEqual({GetMetricData: 1})
    cw.destroy()
  })
})
