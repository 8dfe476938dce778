/**
 * Restore an Aurora cluster into a NEW cluster (point in time, latest, or a snapshot), then
 * give it instances like the source's (writer first), wait until the cluster AND every
 * instance are available, and compare its configuration with the source's. Each step is
 * idempotent, so the rollback can rerun them after a crash without creating anything twice.
 */
import {OperationError, UsageError} from '../errors.js'
import {compareConfig, describeDifference, orderedInstances, viewOf, IMPRESS_TAG_PREFIX, type ConfigView, type Difference} from './compare.js'
import {names} from './names.js'
import {AlreadyExistsError, type AuroraPort, type ClusterInfo, type CreateInstanceSpec, type RestoreClusterSpec, type Tags} from './ports.js'

export type RestoreSource = {time: string} | {latest: true} | {snapshot: string}

export interface RestoreOptions {
  source: string
  target: string
  from: RestoreSource
  /** Tags added to the new cluster and instances (besides the source's). */
  tags?: Tags
}

export interface RestorePlan {
  source: string
  sourceResourceId: string
  target: string
  from: RestoreSource
  window?: {earliest: string; latest: string}
  cluster: RestoreClusterSpec
  instances: CreateInstanceSpec[]
  /** The configuration the restored cluster must end up with. */
  expected: ConfigView
}

export interface RestoreDeps {
  aurora: AuroraPort
  progress?: (message: string) => void
  signal?: AbortSignal
}

export interface RestoreResult {
  plan: RestorePlan
  cluster: ClusterInfo
  instances: {id: string; role: string; instanceClass: string; status: string; endpoint?: string}[]
  differences: Difference[]
  endpoints: {writer?: string; reader?: string}
}

export function windowText(w: {earliest?: string; latest?: string} | undefined): string {
  return w?.earliest && w.latest ? `${w.earliest} .. ${w.latest}` : '(none yet)'
}

/** Refuse (exit 2) a time outside the source's restore window, naming the window. */
export function checkInWindow(time: Date, source: ClusterInfo): void {
  const earliest = source.earliestRestorable ? Date.parse(source.earliestRestorable) : undefined
  const latest = source.latestRestorable ? Date.parse(source.latestRestorable) : undefined
  if (earliest === undefined || latest === undefined || time.getTime() < earliest || time.getTime() > latest) {
    throw new UsageError(`${time.toISOString()} is outside the restore window of ${source.id}: ${windowText({earliest: source.earliestRestorable, latest: source.latestRestorable})}.`, {
      hint: 'Pick a time inside the window (ISO 8601 or e.g. "2h ago"), or use --latest.',
      details: {window: {earliest: source.earliestRestorable, latest: source.latestRestorable}},
    })
  }
}

export async function planRestore(options: RestoreOptions, deps: RestoreDeps): Promise<RestorePlan> {
  const {aurora} = deps
  const source = await aurora.getCluster(options.source)
  if (!source) throw new UsageError(`The source cluster ${options.source} does not exist.`, {hint: 'Check aurora.cluster in the configuration.'})
  if (await aurora.getCluster(options.target)) {
    throw new UsageError(`A cluster named ${options.target} already exists.`, {hint: 'Choose another --target, or delete that cluster first.'})
  }
  if ('time' in options.from) checkInWindow(new Date(options.from.time), source)
  if ('snapshot' in options.from) {
    const snap = await aurora.getSnapshot(options.from.snapshot)
    if (!snap) throw new UsageError(`The snapshot ${options.from.snapshot} does not exist.`, {hint: 'List them with `impress aurora snapshots`.'})
    if (snap.status !== 'available') throw new UsageError(`The snapshot ${snap.id} is ${snap.status}, not available.`, {hint: 'Wait until it is available, then run the restore again.'})
  }
  const sourceInstances = orderedInstances(source, await aurora.listInstances(source.id))
  if (sourceInstances.length === 0) throw new OperationError(`The source cluster ${source.id} has no instances to copy.`, {hint: 'Check the cluster in the AWS console.'})
  const restorePoint = 'time' in options.from ? options.from.time : 'latest' in options.from ? 'latest' : `snapshot:${options.from.snapshot}`
  const tags: Tags = {...stripImpress(source.tags), [`${IMPRESS_TAG_PREFIX}restored-from`]: source.id, [`${IMPRESS_TAG_PREFIX}restore-point`]: restorePoint, ...options.tags}
  const cluster: RestoreClusterSpec = {
    target: options.target,
    from: 'snapshot' in options.from ? {snapshot: options.from.snapshot} : 'latest' in options.from ? {cluster: source.id, latest: true} : {cluster: source.id, time: options.from.time},
    engineVersion: source.engineVersion,
    parameterGroup: source.parameterGroup,
    subnetGroup: source.subnetGroup,
    securityGroups: source.securityGroups,
    deletionProtection: source.deletionProtection,
    copyTagsToSnapshot: source.copyTagsToSnapshot,
    tags,
  }
  const instances: CreateInstanceSpec[] = sourceInstances.map((i, n) => ({
    id: names.instance(options.target, n),
    cluster: options.target,
    instanceClass: i.instanceClass,
    parameterGroup: i.parameterGroup,
    az: i.az,
    monitoringInterval: i.monitoringInterval,
    monitoringRoleArn: i.monitoringRoleArn,
    performanceInsights: i.performanceInsights,
    promotionTier: i.promotionTier,
    publiclyAccessible: i.publiclyAccessible,
    tags,
  }))
  return {
    source: source.id,
    sourceResourceId: source.resourceId,
    target: options.target,
    from: options.from,
    ...(source.earliestRestorable && source.latestRestorable ? {window: {earliest: source.earliestRestorable, latest: source.latestRestorable}} : {}),
    cluster,
    instances,
    expected: viewOf(source, sourceInstances),
  }
}

function stripImpress(tags: Tags): Tags {
  return Object.fromEntries(Object.entries(tags).filter(([k]) => !k.startsWith(IMPRESS_TAG_PREFIX)))
}

/**
 * Start the restore unless a cluster of that name already exists. An existing one must carry
 * `marker` in its tags (it is ours, from an earlier run), or we refuse to touch it.
 */
export async function ensureRestoredCluster(plan: RestorePlan, deps: RestoreDeps, marker?: {key: string; value: string}): Promise<ClusterInfo> {
  const spec = marker ? {...plan.cluster, tags: {...plan.cluster.tags, [marker.key]: marker.value}} : plan.cluster
  const existing = await deps.aurora.getCluster(plan.target)
  if (existing) return ours(existing, marker)
  deps.progress?.(`Restoring ${plan.source} into the new cluster ${plan.target} (${restoreLabel(plan.from)})`)
  try {
    return await deps.aurora.restoreCluster(spec)
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error
    const again = await deps.aurora.getCluster(plan.target)
    if (!again) throw error
    return ours(again, marker)
  }
}

function ours(c: ClusterInfo, marker?: {key: string; value: string}): ClusterInfo {
  if (marker && c.tags[marker.key] !== marker.value) {
    throw new OperationError(`A cluster named ${c.id} exists but was not created by this operation.`, {hint: 'Investigate it before going on; impress never reuses a cluster it did not create.'})
  }
  return c
}

export function restoreLabel(from: RestoreSource): string {
  return 'time' in from ? `to ${from.time}` : 'latest' in from ? 'to the latest restorable time' : `from snapshot ${from.snapshot}`
}

/** Create the planned instances that do not exist yet, writer first. */
export async function ensureInstances(plan: RestorePlan, deps: RestoreDeps): Promise<string[]> {
  const created: string[] = []
  for (const spec of plan.instances) {
    const existing = await deps.aurora.getInstance(spec.id)
    if (existing) {
      if (existing.clusterId !== plan.target) throw new OperationError(`An instance named ${spec.id} exists in another cluster (${existing.clusterId}).`, {hint: 'Investigate it; impress never reuses an instance it did not create.'})
      continue
    }
    deps.progress?.(`Creating instance ${spec.id} (${spec.instanceClass})`)
    try {
      await deps.aurora.createInstance(spec)
      created.push(spec.id)
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error
    }
  }
  return created
}

/** The cluster reports available long before its instances: wait for every one of them. */
export async function waitRestored(plan: RestorePlan, deps: RestoreDeps, clusterId = plan.target): Promise<void> {
  deps.progress?.(`Waiting for the cluster ${clusterId} to be available`)
  await deps.aurora.waitClusterAvailable(clusterId, {signal: deps.signal})
  for (const i of plan.instances) {
    deps.progress?.(`Waiting for the instance ${i.id} to be available`)
    await deps.aurora.waitInstanceAvailable(i.id, {signal: deps.signal})
  }
}

/** Compare the restored cluster (under `clusterId`) with the configuration planned from the source. */
export async function checkRestored(plan: RestorePlan, deps: RestoreDeps, clusterId = plan.target): Promise<{cluster: ClusterInfo; differences: Difference[]; instances: RestoreResult['instances']}> {
  const cluster = await deps.aurora.getCluster(clusterId)
  if (!cluster) throw new OperationError(`The restored cluster ${clusterId} is gone.`, {hint: 'Check the AWS console.'})
  const instances = await deps.aurora.listInstances(clusterId)
  const differences = compareConfig(plan.expected, viewOf(cluster, instances))
  const notAvailable = [cluster, ...instances].filter((r) => r.status !== 'available')
  for (const r of notAvailable) differences.push({path: `status.${r.id}`, expected: 'available', actual: r.status})
  return {
    cluster,
    differences,
    instances: orderedInstances(cluster, instances).map((i) => ({id: i.id, role: i.role, instanceClass: i.instanceClass, status: i.status, endpoint: i.endpoint})),
  }
}

/** The whole restore: plan → cluster → instances → wait → compare (differences fail it). */
export async function runRestore(options: RestoreOptions, deps: RestoreDeps, plan?: RestorePlan): Promise<RestoreResult> {
  const p = plan ?? (await planRestore(options, deps))
  await ensureRestoredCluster(p, deps)
  await ensureInstances(p, deps)
  await waitRestored(p, deps)
  const check = await checkRestored(p, deps)
  const result: RestoreResult = {plan: p, cluster: check.cluster, instances: check.instances, differences: check.differences, endpoints: {writer: check.cluster.endpoint, reader: check.cluster.readerEndpoint}}
  if (check.differences.length > 0) {
    throw new OperationError(`The restored cluster ${p.target} differs from ${p.source}: ${check.differences.map(describeDifference).join('; ')}.`, {
      code: 'E_RESTORE_DIFFERS',
      hint: `Fix ${p.target} by hand or delete it; the source was not touched.`,
      details: {differences: check.differences},
    })
  }
  return result
}
