/**
 * Amazon RDS (Aurora MySQL), query protocol (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/):
 * clusters, instances and cluster snapshots with scheduled state changes, restore windows that
 * advance with time, renames applied after a delay, tags. See SPEC.md next to this file.
 */
import type {ServiceFactory} from '../../types.js'
import {AwsFault, queryAction, renderQueryFault, sendQueryError, sendQueryResult, list, type XmlNode} from '../../aws/query.js'
import {
  advance,
  arn,
  compactTime,
  DEFAULT_PARAMETER_GROUP,
  DEFAULT_SECURITY_GROUP,
  DEFAULT_SUBNET_GROUP,
  DURATIONS,
  ensureAutomatedSnapshots,
  resourceId,
  restoreWindow,
  schedule,
  seedState,
  type Cluster,
  type Instance,
  type RdsState,
  type Snapshot,
  type Tag,
} from './model.js'
import {rdsCatalog} from './catalog.js'
import {Params} from './params.js'
import {clusterXml, instanceXml, membersOf, snapshotXml} from './render.js'

const NS = 'http://rds.amazonaws.com/doc/2014-10-31/'
/** Page size when MaxRecords is absent (AWS: 100); small so clients exercise Marker pagination. */
export const DEFAULT_PAGE = 5
const ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/

function validId(kind: string, raw: string, max = 63): string {
  const id = raw.toLowerCase()
  if (id.length > max || !ID.test(id)) {
    throw new AwsFault(400, 'InvalidParameterValue', `The parameter ${kind} is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.`)
  }
  return id
}

function page<T>(items: T[], p: Params): {items: T[]; marker?: string} {
  const max = p.int('MaxRecords')
  if (max !== undefined && (max < 20 || max > 100)) throw new AwsFault(400, 'InvalidParameterValue', 'Invalid value for MaxRecords. Must be between 20 and 100')
  const size = max ?? DEFAULT_PAGE
  const marker = p.str('Marker')
  const start = marker ? Number.parseInt(Buffer.from(marker, 'base64url').toString('utf8'), 10) : 0
  if (!Number.isFinite(start) || start < 0) throw new AwsFault(400, 'InvalidParameterValue', 'Invalid Marker.')
  const slice = items.slice(start, start + size)
  return {items: slice, ...(start + size < items.length ? {marker: Buffer.from(String(start + size)).toString('base64url')} : {})}
}

/** An identifier given as a name or an ARN. */
function bareId(value: string): string {
  const m = /^arn:aws:rds:[^:]+:\d+:(?:cluster|db|cluster-snapshot):(.+)$/.exec(value)
  return (m ? m[1] : value).toLowerCase()
}

export const rdsService: ServiceFactory = (ctx) => {
  const store = () => ctx.state.open<RdsState>('rds', 'rds', () => seedState())
  /** The state with every transition due now applied. */
  const current = (): RdsState => {
    const s = store()
    const now = Date.now()
    const a = advance(s.data, now)
    const b = ensureAutomatedSnapshots(s.data, now)
    if (a || b) s.save()
    return s.data
  }
  const real = (ms: number) => ctx.clock.real(ms)
  /** LatestRestorableTime trails the present by 5 simulated minutes. */
  const lag = () => real(DURATIONS.restoreLag)

  const cluster = (state: RdsState, id: string): Cluster => {
    const c = state.clusters.find((x) => x.id === bareId(id))
    if (!c) throw new AwsFault(404, 'DBClusterNotFoundFault', `DBCluster ${id} not found.`)
    return c
  }
  const clusterIdTaken = (state: RdsState, id: string) => state.clusters.some((c) => c.id === id || c.pendingRename === id || c.transitions.some((t) => t.rename === id))
  const instance = (state: RdsState, id: string): Instance => {
    const i = state.instances.find((x) => x.id === bareId(id))
    if (!i) throw new AwsFault(404, 'DBInstanceNotFound', `DBInstance ${id} not found.`)
    return i
  }
  const snapshot = (state: RdsState, id: string): Snapshot => {
    const raw = id.startsWith('arn:') ? id.slice(id.lastIndexOf(':cluster-snapshot:') + ':cluster-snapshot:'.length) : id
    const s = state.snapshots.find((x) => x.id === raw.toLowerCase() || x.id === raw)
    if (!s) throw new AwsFault(404, 'DBClusterSnapshotNotFoundFault', `DBClusterSnapshot ${id} not found.`)
    return s
  }

  /** A new cluster from a restore: no instances, settings from the request or AWS defaults. */
  const restoredCluster = (state: RdsState, p: Params, source: {engineVersion: string; masterUsername: string; storageEncrypted: boolean; backupRetentionPeriod: number; preferredBackupWindow: string}, from: Cluster['restoredFrom']): Cluster => {
    const id = validId('DBClusterIdentifier', p.required('DBClusterIdentifier'))
    if (clusterIdTaken(state, id)) throw new AwsFault(400, 'DBClusterAlreadyExistsFault', `DB Cluster already exists`)
    const sgs = p.list('VpcSecurityGroupIds')
    const now = Date.now()
    const c: Cluster = {
      id,
      resourceId: resourceId('cluster'),
      status: 'creating',
      createdAt: now,
      engineVersion: p.str('EngineVersion') ?? source.engineVersion,
      parameterGroup: p.str('DBClusterParameterGroupName') ?? DEFAULT_PARAMETER_GROUP,
      subnetGroup: p.str('DBSubnetGroupName') ?? DEFAULT_SUBNET_GROUP,
      securityGroups: sgs.length > 0 ? sgs : [DEFAULT_SECURITY_GROUP],
      backupRetentionPeriod: source.backupRetentionPeriod,
      preferredBackupWindow: source.preferredBackupWindow,
      masterUsername: source.masterUsername,
      deletionProtection: p.bool('DeletionProtection') ?? false,
      copyTagsToSnapshot: p.bool('CopyTagsToSnapshot') ?? false,
      storageEncrypted: source.storageEncrypted,
      tags: p.tags(),
      transitions: schedule(now, real, [
        {status: 'backing-up', ms: DURATIONS.restoreCreating},
        {status: 'available', ms: DURATIONS.restoreBackingUp},
      ]),
      restoredFrom: from,
    }
    state.clusters.push(c)
    return c
  }

  const handlers: Record<string, (p: Params, state: RdsState) => XmlNode | undefined> = {
    DescribeDBClusters(p, state) {
      const id = p.str('DBClusterIdentifier')
      let items = id ? [cluster(state, id)] : state.clusters
      for (const f of p.filters()) {
        if (f.name === 'db-cluster-id') items = items.filter((c) => f.values.map(bareId).includes(c.id))
        else throw new AwsFault(400, 'InvalidParameterValue', `Unrecognized filter name: ${f.name}`)
      }
      const pg = page(items, p)
      const now = Date.now()
      return {DBClusters: list('DBCluster', pg.items.map((c) => clusterXml(state, c, now, lag()))), Marker: pg.marker}
    },
    DescribeDBInstances(p, state) {
      const id = p.str('DBInstanceIdentifier')
      let items = id ? [instance(state, id)] : state.instances
      for (const f of p.filters()) {
        const values = f.values.map(bareId)
        if (f.name === 'db-cluster-id') {
          const rids = new Set(state.clusters.filter((c) => values.includes(c.id)).map((c) => c.resourceId))
          items = items.filter((i) => rids.has(i.clusterResourceId))
        } else if (f.name === 'db-instance-id') {
          items = items.filter((i) => values.includes(i.id))
        } else {
          throw new AwsFault(400, 'InvalidParameterValue', `Unrecognized filter name: ${f.name}`)
        }
      }
      const pg = page(items, p)
      return {DBInstances: list('DBInstance', pg.items.map((i) => instanceXml(state, i))), Marker: pg.marker}
    },
    DescribeDBClusterSnapshots(p, state) {
      const sid = p.str('DBClusterSnapshotIdentifier')
      const cid = p.str('DBClusterIdentifier')
      const type = p.str('SnapshotType')
      let items = sid ? [snapshot(state, sid)] : [...state.snapshots]
      if (cid) {
        const c = state.clusters.find((x) => x.id === bareId(cid))
        // Snapshots taken under that name, and the automated backups of the cluster that has it now.
        items = items.filter((s) => s.clusterId === bareId(cid) || (c !== undefined && s.clusterResourceId === c.resourceId))
      }
      if (type) items = items.filter((s) => s.type === type)
      for (const f of p.filters()) {
        const values = f.values.map(bareId)
        if (f.name === 'db-cluster-id') items = items.filter((s) => values.includes(s.clusterId))
        else if (f.name === 'db-cluster-snapshot-id') items = items.filter((s) => values.includes(s.id))
        else if (f.name === 'snapshot-type') items = items.filter((s) => f.values.includes(s.type))
        else throw new AwsFault(400, 'InvalidParameterValue', `Unrecognized filter name: ${f.name}`)
      }
      items.sort((a, b) => a.createdAt - b.createdAt)
      const pg = page(items, p)
      const now = Date.now()
      return {DBClusterSnapshots: list('DBClusterSnapshot', pg.items.map((s) => snapshotXml(s, now, real))), Marker: pg.marker}
    },
    DescribeDBSnapshots(p, state) {
      // Aurora backs up clusters (DescribeDBClusterSnapshots): there are no DB instance snapshots.
      const iid = p.str('DBInstanceIdentifier')
      if (iid) instance(state, iid)
      const sid = p.str('DBSnapshotIdentifier')
      if (sid) throw new AwsFault(404, 'DBSnapshotNotFound', `DBSnapshot ${sid} not found.`)
      for (const f of p.filters()) {
        if (!['db-instance-id', 'db-snapshot-id', 'snapshot-type', 'dbi-resource-id', 'engine'].includes(f.name)) throw new AwsFault(400, 'InvalidParameterValue', `Unrecognized filter name: ${f.name}`)
      }
      page([], p)
      return {DBSnapshots: list('DBSnapshot', [])}
    },
    CreateDBClusterSnapshot(p, state) {
      const c = cluster(state, p.required('DBClusterIdentifier'))
      const id = validId('DBClusterSnapshotIdentifier', p.required('DBClusterSnapshotIdentifier'), 255)
      if (state.snapshots.some((s) => s.id === id)) throw new AwsFault(400, 'DBClusterSnapshotAlreadyExistsFault', `Cannot create the snapshot because a snapshot with the identifier ${id} already exists.`)
      if (c.status !== 'available') throw new AwsFault(400, 'InvalidDBClusterStateFault', `DBCluster ${c.id} is not in the available state (${c.status}).`)
      const now = Date.now()
      const s: Snapshot = {
        id,
        clusterId: c.id,
        clusterResourceId: c.resourceId,
        type: 'manual',
        status: 'creating',
        createdAt: now,
        clusterCreatedAt: c.createdAt,
        engineVersion: c.engineVersion,
        allocatedStorage: 212,
        tags: mergeTags(c.copyTagsToSnapshot ? c.tags : [], p.tags()),
        transitions: schedule(now, real, [{status: 'available', ms: DURATIONS.snapshotCreate}]),
      }
      state.snapshots.push(s)
      c.status = 'backing-up'
      c.transitions.push(...schedule(now, real, [{status: 'available', ms: DURATIONS.snapshotCreate}]))
      return {DBClusterSnapshot: snapshotXml(s, now, real)}
    },
    DeleteDBClusterSnapshot(p, state) {
      const s = snapshot(state, p.required('DBClusterSnapshotIdentifier'))
      if (s.type === 'automated') throw new AwsFault(400, 'InvalidDBClusterSnapshotStateFault', 'Automated snapshots cannot be deleted; they expire with the backup retention period.')
      if (s.status !== 'available') throw new AwsFault(400, 'InvalidDBClusterSnapshotStateFault', `DBClusterSnapshot ${s.id} is not in the available state (${s.status}).`)
      const now = Date.now()
      s.status = 'deleting'
      s.transitions = schedule(now, real, [{remove: true, ms: DURATIONS.snapshotDelete}])
      return {DBClusterSnapshot: snapshotXml(s, now, real)}
    },
    RestoreDBClusterToPointInTime(p, state) {
      const source = cluster(state, p.required('SourceDBClusterIdentifier'))
      const latest = p.bool('UseLatestRestorableTime') ?? false
      const to = p.str('RestoreToTime')
      if (latest && to) throw new AwsFault(400, 'InvalidParameterCombination', 'Cannot specify both RestoreToTime and UseLatestRestorableTime.')
      if (!latest && !to) throw new AwsFault(400, 'InvalidParameterCombination', 'Either RestoreToTime or UseLatestRestorableTime must be specified.')
      const now = Date.now()
      const window = restoreWindow(source, now, lag())
      if (!window) throw new AwsFault(400, 'InvalidDBClusterStateFault', `DBCluster ${source.id} has no restorable time yet (${source.status}).`)
      const at = latest ? window.latest : Date.parse(to!)
      if (!Number.isFinite(at)) throw new AwsFault(400, 'InvalidParameterValue', `Invalid RestoreToTime: ${to}`)
      if (at < window.earliest || at > window.latest) {
        throw new AwsFault(400, 'InvalidRestoreFault', `The requested restore time ${new Date(at).toISOString()} is outside the restorable window ${new Date(window.earliest).toISOString()} - ${new Date(window.latest).toISOString()}.`)
      }
      const c = restoredCluster(state, p, source, {cluster: source.id, resourceId: source.resourceId, time: new Date(at).toISOString()})
      return {DBCluster: clusterXml(state, c, now, lag())}
    },
    RestoreDBClusterFromSnapshot(p, state) {
      const s = snapshot(state, p.required('SnapshotIdentifier'))
      p.required('Engine')
      if (s.status !== 'available') throw new AwsFault(400, 'InvalidDBClusterSnapshotStateFault', `DBClusterSnapshot ${s.id} is not available (${s.status}).`)
      const src = state.clusters.find((c) => c.resourceId === s.clusterResourceId)
      const c = restoredCluster(
        state,
        p,
        {engineVersion: s.engineVersion, masterUsername: 'impress_admin', storageEncrypted: true, backupRetentionPeriod: src?.backupRetentionPeriod ?? 1, preferredBackupWindow: src?.preferredBackupWindow ?? '03:00-03:30'},
        {cluster: s.clusterId, resourceId: s.clusterResourceId, time: new Date(s.createdAt).toISOString(), snapshot: s.id},
      )
      return {DBCluster: clusterXml(state, c, Date.now(), lag())}
    },
    CreateDBInstance(p, state) {
      const id = validId('DBInstanceIdentifier', p.required('DBInstanceIdentifier'))
      const cls = p.required('DBInstanceClass')
      p.required('Engine')
      const cid = p.str('DBClusterIdentifier')
      if (!cid) throw new AwsFault(400, 'InvalidParameterCombination', 'Aurora instances must be created in a DB cluster (DBClusterIdentifier).')
      const c = cluster(state, cid)
      if (state.instances.some((i) => i.id === id)) throw new AwsFault(400, 'DBInstanceAlreadyExists', `DB instance already exists`)
      if (c.status === 'deleting') throw new AwsFault(400, 'InvalidDBClusterStateFault', `DBCluster ${c.id} is being deleted.`)
      const monitoring = p.int('MonitoringInterval') ?? 0
      const role = p.str('MonitoringRoleArn')
      if (monitoring > 0 && !role) throw new AwsFault(400, 'InvalidParameterCombination', 'A MonitoringRoleARN value is required if you specify a MonitoringInterval value other than 0.')
      const now = Date.now()
      const i: Instance = {
        id,
        resourceId: resourceId('db'),
        clusterResourceId: c.resourceId,
        instanceClass: cls,
        az: p.str('AvailabilityZone') ?? ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'][membersOf(state, c).length % 3],
        status: 'creating',
        createdAt: now,
        parameterGroup: p.str('DBParameterGroupName') ?? DEFAULT_PARAMETER_GROUP,
        monitoringInterval: monitoring,
        ...(monitoring > 0 && role ? {monitoringRoleArn: role} : {}),
        performanceInsightsEnabled: p.bool('EnablePerformanceInsights') ?? false,
        promotionTier: p.int('PromotionTier') ?? 1,
        publiclyAccessible: p.bool('PubliclyAccessible') ?? false,
        tags: p.tags(),
        transitions: schedule(now, real, [
          ...(monitoring > 0 ? [{status: 'configuring-enhanced-monitoring', ms: DURATIONS.instanceCreating}] : [{status: 'backing-up', ms: DURATIONS.instanceCreating}]),
          {status: 'available', ms: DURATIONS.instanceMonitoring},
        ]),
      }
      state.instances.push(i)
      return {DBInstance: instanceXml(state, i)}
    },
    ModifyDBCluster(p, state) {
      const c = cluster(state, p.required('DBClusterIdentifier'))
      if (c.status !== 'available') throw new AwsFault(400, 'InvalidDBClusterStateFault', `DBCluster ${c.id} is not in the available state (${c.status}).`)
      const now = Date.now()
      const retention = p.int('BackupRetentionPeriod')
      if (retention !== undefined) {
        if (retention < 1 || retention > 35) throw new AwsFault(400, 'InvalidParameterValue', 'BackupRetentionPeriod must be between 1 and 35.')
        c.backupRetentionPeriod = retention
      }
      const protection = p.bool('DeletionProtection')
      if (protection !== undefined) c.deletionProtection = protection
      const rawNew = p.str('NewDBClusterIdentifier')
      if (rawNew) {
        const next = validId('NewDBClusterIdentifier', rawNew)
        if (next !== c.id) {
          if (clusterIdTaken(state, next)) throw new AwsFault(400, 'DBClusterAlreadyExistsFault', `DB Cluster already exists`)
          if (p.bool('ApplyImmediately')) {
            c.status = 'renaming'
            c.transitions.push(...schedule(now, real, [{status: 'available', rename: next, ms: DURATIONS.rename}]))
          } else {
            c.pendingRename = next
          }
        }
      }
      return {DBCluster: clusterXml(state, c, now, lag())}
    },
    DeleteDBInstance(p, state) {
      const i = instance(state, p.required('DBInstanceIdentifier'))
      if (i.status === 'deleting') throw new AwsFault(400, 'InvalidDBInstanceState', `Instance ${i.id} is already being deleted.`)
      const now = Date.now()
      i.status = 'deleting'
      i.transitions = schedule(now, real, [{remove: true, ms: DURATIONS.instanceDelete}])
      return {DBInstance: instanceXml(state, i)}
    },
    DeleteDBCluster(p, state) {
      const c = cluster(state, p.required('DBClusterIdentifier'))
      if (c.deletionProtection) throw new AwsFault(400, 'InvalidParameterCombination', 'Cannot delete protected Cluster, please disable deletion protection and try again.')
      if (c.status !== 'available' && c.status !== 'failed') throw new AwsFault(400, 'InvalidDBClusterStateFault', `DBCluster ${c.id} is not in the available state (${c.status}).`)
      if (membersOf(state, c).some((i) => i.status !== 'deleting')) throw new AwsFault(400, 'InvalidDBClusterStateFault', 'Cluster cannot be deleted, it still contains DB instances in non-deleting state.')
      const skip = p.bool('SkipFinalSnapshot') ?? false
      const finalId = p.str('FinalDBSnapshotIdentifier')
      if (!skip && !finalId) throw new AwsFault(400, 'InvalidParameterCombination', 'FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.')
      const now = Date.now()
      if (!skip && finalId) {
        const sid = validId('FinalDBSnapshotIdentifier', finalId, 255)
        if (state.snapshots.some((s) => s.id === sid)) throw new AwsFault(400, 'DBClusterSnapshotAlreadyExistsFault', `Cannot create the snapshot because a snapshot with the identifier ${sid} already exists.`)
        state.snapshots.push({id: sid, clusterId: c.id, clusterResourceId: c.resourceId, type: 'manual', status: 'available', createdAt: now, clusterCreatedAt: c.createdAt, engineVersion: c.engineVersion, allocatedStorage: 212, tags: c.copyTagsToSnapshot ? [...c.tags] : [], transitions: []})
      }
      c.status = 'deleting'
      c.transitions = schedule(now, real, [{remove: true, ms: DURATIONS.clusterDelete}])
      return {DBCluster: clusterXml(state, c, now, lag())}
    },
    AddTagsToResource(p, state) {
      const target = taggable(state, p.required('ResourceName'))
      target.tags = mergeTags(target.tags, p.tags())
      return undefined
    },
    ListTagsForResource(p, state) {
      return {TagList: list('Tag', taggable(state, p.required('ResourceName')).tags.map((t) => ({Key: t.Key, Value: t.Value})))}
    },
  }

  const taggable = (state: RdsState, name: string): {tags: Tag[]} => {
    const m = /^arn:aws:rds:[^:]+:\d+:(cluster|db|cluster-snapshot):(.+)$/.exec(name)
    if (!m) throw new AwsFault(400, 'InvalidParameterValue', `Invalid resource name: ${name}`)
    if (m[1] === 'cluster') return cluster(state, m[2])
    if (m[1] === 'db') return instance(state, m[2])
    return snapshot(state, m[2])
  }

  return {
    name: 'rds',
    catalog: rdsCatalog,
    handlerNames: () => Object.keys(handlers),
    matches: (req) => req.awsService === 'rds' || (req.method === 'POST' && req.form().get('Version') === '2014-10-31'),
    operation: (req) => queryAction(req),
    handle(req, res) {
      const action = queryAction(req)
      try {
        const h = handlers[action]
        if (!h) throw new AwsFault(400, 'InvalidAction', `The action ${action} is not valid for this web service.`)
        const state = current()
        const result = h(new Params(req.form()), state)
        store().save()
        sendQueryResult(res, action, NS, result)
      } catch (error) {
        if (error instanceof AwsFault) sendQueryError(res, error.status, error.code, error.message)
        else throw error
      }
    },
    renderError: (_req, res, error) => renderQueryFault(res, error),
    seed: () => void store(),
    describe: () => {
      const s = current()
      return {
        clusters: s.clusters.map((c) => ({id: c.id, resourceId: c.resourceId, status: c.status, instances: membersOf(s, c).map((i) => ({id: i.id, status: i.status, class: i.instanceClass})), ...(c.restoredFrom ? {restoredFrom: c.restoredFrom} : {})})),
        snapshots: s.snapshots.map((x) => ({id: x.id, type: x.type, status: x.status, cluster: x.clusterId})),
      }
    },
  }
}

function mergeTags(base: Tag[], extra: Tag[]): Tag[] {
  const out = new Map(base.map((t) => [t.Key, t.Value]))
  for (const t of extra) out.set(t.Key, t.Value)
  return [...out].map(([Key, Value]) => ({Key, Value}))
}

/** For the SPEC: a manual snapshot name as the seed writes it. */
export const seedSnapshotName = (cluster: string, t: number) => `impress-${cluster}-${compactTime(t)}`
export {arn}
