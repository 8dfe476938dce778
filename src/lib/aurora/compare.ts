/**
 * What "a restored cluster like its source" means, and the comparison that catches the classic
 * restore traps (a default parameter group, a smaller instance class, monitoring switched off,
 * missing tags). Pure functions.
 */
import type {ClusterInfo, InstanceInfo, Tags} from './ports.js'

export interface InstanceView {
  role: 'writer' | 'reader'
  instanceClass: string
  parameterGroup?: string
  monitoringInterval: number
  monitoringRoleArn?: string
  performanceInsights: boolean
  promotionTier?: number
  publiclyAccessible: boolean
}

export interface ConfigView {
  engineVersion: string
  parameterGroup: string
  subnetGroup: string
  securityGroups: string[]
  backupRetentionDays: number
  deletionProtection: boolean
  copyTagsToSnapshot: boolean
  /** Tags except impress's own bookkeeping (`impress:*`). */
  tags: Tags
  instances: InstanceView[]
}

export interface Difference {
  path: string
  expected: unknown
  actual: unknown
}

export const IMPRESS_TAG_PREFIX = 'impress:'

export function ownTags(tags: Tags): Tags {
  return Object.fromEntries(Object.entries(tags).filter(([k]) => !k.startsWith(IMPRESS_TAG_PREFIX)))
}

/** The instances of a cluster, writer first, then readers by promotion tier and name. */
export function orderedInstances(cluster: ClusterInfo, instances: InstanceInfo[]): (InstanceInfo & {role: 'writer' | 'reader'})[] {
  const writer = new Set(cluster.members.filter((m) => m.writer).map((m) => m.id))
  const live = instances.filter((i) => i.status !== 'deleting')
  const w = live.filter((i) => writer.has(i.id)).map((i) => ({...i, role: 'writer' as const}))
  const r = live
    .filter((i) => !writer.has(i.id))
    .sort((a, b) => (a.promotionTier ?? 1) - (b.promotionTier ?? 1) || a.id.localeCompare(b.id))
    .map((i) => ({...i, role: 'reader' as const}))
  return [...w, ...r]
}

export function viewOf(cluster: ClusterInfo, instances: InstanceInfo[]): ConfigView {
  return {
    engineVersion: cluster.engineVersion,
    parameterGroup: cluster.parameterGroup,
    subnetGroup: cluster.subnetGroup,
    securityGroups: [...cluster.securityGroups].sort(),
    backupRetentionDays: cluster.backupRetentionDays,
    deletionProtection: cluster.deletionProtection,
    copyTagsToSnapshot: cluster.copyTagsToSnapshot,
    tags: ownTags(cluster.tags),
    instances: orderedInstances(cluster, instances).map((i) => ({
      role: i.role,
      instanceClass: i.instanceClass,
      parameterGroup: i.parameterGroup,
      monitoringInterval: i.monitoringInterval,
      monitoringRoleArn: i.monitoringInterval > 0 ? i.monitoringRoleArn : undefined,
      performanceInsights: i.performanceInsights,
      promotionTier: i.promotionTier,
      publiclyAccessible: i.publiclyAccessible,
    })),
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** Every difference between the expected configuration and the actual one (empty: identical). */
export function compareConfig(expected: ConfigView, actual: ConfigView): Difference[] {
  const out: Difference[] = []
  const scalar = ['engineVersion', 'parameterGroup', 'subnetGroup', 'securityGroups', 'backupRetentionDays', 'deletionProtection', 'copyTagsToSnapshot'] as const
  for (const k of scalar) if (!same(expected[k], actual[k])) out.push({path: `cluster.${k}`, expected: expected[k], actual: actual[k]})
  for (const k of new Set([...Object.keys(expected.tags), ...Object.keys(actual.tags)])) {
    if (expected.tags[k] !== actual.tags[k]) out.push({path: `tags.${k}`, expected: expected.tags[k], actual: actual.tags[k]})
  }
  if (expected.instances.length !== actual.instances.length) out.push({path: 'instances.count', expected: expected.instances.length, actual: actual.instances.length})
  const n = Math.min(expected.instances.length, actual.instances.length)
  for (let i = 0; i < n; i++) {
    const e = expected.instances[i]
    const a = actual.instances[i]
    for (const k of Object.keys(e) as (keyof InstanceView)[]) {
      if (!same(e[k], a[k])) out.push({path: `instances[${i}].${k}`, expected: e[k], actual: a[k]})
    }
  }
  return out
}

export function describeDifference(d: Difference): string {
  const show = (v: unknown) => (v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v))
  return `${d.path}: expected ${show(d.expected)}, got ${show(d.actual)}`
}
