import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {compareConfig, describeDifference, orderedInstances, viewOf} from '../../../src/lib/aurora/compare.js'
import type {ClusterInfo, InstanceInfo} from '../../../src/lib/aurora/ports.js'

const cluster = (over: Partial<ClusterInfo> = {}): ClusterInfo => ({
  id: 'c',
  resourceId: 'cluster-1',
  arn: 'arn',
  status: 'available',
  engine: 'aurora-mysql',
  engineVersion: '8.0.mysql_aurora.3.05.2',
  parameterGroup: 'impress-pg',
  subnetGroup: 'impress-private',
  securityGroups: ['sg-b', 'sg-a'],
  backupRetentionDays: 7,
  deletionProtection: true,
  copyTagsToSnapshot: true,
  members: [
    {id: 'r1', writer: false},
    {id: 'w', writer: true},
  ],
  tags: {app: 'impress', 'impress:restored-from': 'x'},
  ...over,
})
const instance = (id: string, over: Partial<InstanceInfo> = {}): InstanceInfo => ({
  id,
  status: 'available',
  instanceClass: 'db.r6g.large',
  parameterGroup: 'impress-ipg',
  monitoringInterval: 60,
  monitoringRoleArn: 'arn:role',
  performanceInsights: true,
  promotionTier: 1,
  publiclyAccessible: false,
  ...over,
})

describe('restored configuration comparison', () => {
  it('orders the writer first, then readers by promotion tier', () => {
    const ordered = orderedInstances(cluster({members: [{id: 'a', writer: false}, {id: 'b', writer: false}, {id: 'w', writer: true}]}), [instance('b', {promotionTier: 2}), instance('a', {promotionTier: 1}), instance('w', {promotionTier: 0})])
    expect(ordered.map((i) => [i.id, i.role])).toEqual([
      ['w', 'writer'],
      ['a', 'reader'],
      ['b', 'reader'],
    ])
  })

  it('identical configurations (ignoring names, impress tags, security group order) have no differences', () => {
    const a = viewOf(cluster(), [instance('w'), instance('r1')])
    const b = viewOf(cluster({id: 'other', resourceId: 'cluster-2', securityGroups: ['sg-a', 'sg-b'], tags: {app: 'impress', 'impress:rollback': 'j1'}, members: [{id: 'x-writer', writer: true}, {id: 'x-reader-1', writer: false}]}), [
      instance('x-writer'),
      instance('x-reader-1'),
    ])
    expect(compareConfig(a, b)).toEqual([])
  })

  it('catches the classic traps: default parameter group, smaller class, monitoring off, missing tag, missing instance', () => {
    const src = viewOf(cluster(), [instance('w'), instance('r1')])
    const bad = viewOf(cluster({parameterGroup: 'default.aurora-mysql8.0', tags: {}, members: [{id: 'w', writer: true}]}), [instance('w', {instanceClass: 'db.t3.medium', monitoringInterval: 0})])
    const diffs = compareConfig(src, bad)
    expect(diffs.map((d) => d.path)).toEqual(['cluster.parameterGroup', 'tags.app', 'instances.count', 'instances[0].instanceClass', 'instances[0].monitoringInterval', 'instances[0].monitoringRoleArn'])
    expect(describeDifference(diffs[0])).toBe('cluster.parameterGroup: expected impress-pg, got default.aurora-mysql8.0')
  })

  it('property: a difference is reported exactly when one field of one instance changes', () => {
    const fields = ['instanceClass', 'parameterGroup', 'monitoringInterval', 'performanceInsights', 'publiclyAccessible', 'promotionTier'] as const
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.integer({min: 0, max: 1}), (field, index) => {
        const src = viewOf(cluster(), [instance('w'), instance('r1')])
        const changed = [instance('w'), instance('r1')]
        const target = changed[index === 0 ? 0 : 1]
        const value = target[field]
        ;(target as unknown as Record<string, unknown>)[field] = typeof value === 'boolean' ? !value : typeof value === 'number' ? value + 1 : `${value}-x`
        const diffs = compareConfig(src, viewOf(cluster(), changed))
        const paths = diffs.map((d) => d.path)
        // the writer is 'w' (index 0 in the ordered view); r1 is index 1
        expect(paths).toContain(`instances[${index}].${field}`)
        expect(paths.every((p) => p.startsWith(`instances[${index}]`))).toBe(true)
      }),
    )
  })
})
