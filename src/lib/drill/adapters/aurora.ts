/**
 * The drill's Aurora port on the Aurora capability: restore into a scratch cluster with
 * instances like the source's (differences reported, not thrown), list scratch clusters by
 * their drill tag, and delete only clusters that carry it.
 */
import {checkRestored, ensureInstances, ensureRestoredCluster, planRestore, waitRestored} from '../../aurora/restore.js'
import {describeDifference} from '../../aurora/compare.js'
import type {Context} from '../../context.js'
import {OperationError, RefusedError} from '../../errors.js'
import {createRdsPort} from '../../platform/aws/rds.js'
import {DRILL_EXPIRES_TAG, DRILL_TAG, type AuroraDrillPort, type ScratchResource} from '../ports.js'

export async function auroraDrillPort(ctx: Context): Promise<AuroraDrillPort | undefined> {
  const cfg = ctx.env.config.aurora
  if (!cfg) return undefined
  const aurora = await createRdsPort(ctx)
  return {
    async latestRestorableTime() {
      const c = await aurora.getCluster(cfg.cluster)
      if (!c?.latestRestorable) throw new OperationError(`Aurora cluster ${cfg.cluster} has no restorable time.`, {hint: 'Check the cluster with `impress aurora status`.'})
      return new Date(c.latestRestorable)
    },
    async restore({target, toTime, tags, signal, onResource}) {
      onResource({kind: 'aurora-cluster', id: target})
      const deps = {aurora, signal}
      const plan = await planRestore({source: cfg.cluster, target, from: {time: toTime.toISOString()}, tags}, deps)
      await ensureRestoredCluster(plan, deps)
      await ensureInstances(plan, deps)
      await waitRestored(plan, deps)
      const check = await checkRestored(plan, deps)
      return {
        cluster: target,
        endpoint: check.cluster.endpoint,
        readerEndpoint: check.cluster.readerEndpoint,
        restoredTo: toTime.toISOString(),
        differences: check.differences.map(describeDifference),
        instances: check.instances.map((i) => i.id),
      }
    },
    async listScratch() {
      const clusters = await aurora.listClusters()
      return clusters
        .filter((c) => c.tags[DRILL_TAG])
        .map((c): ScratchResource => ({kind: 'aurora-cluster', id: c.id, drillId: c.tags[DRILL_TAG], expiresAt: c.tags[DRILL_EXPIRES_TAG]}))
    },
    async destroy(r) {
      const c = await aurora.getCluster(r.id)
      if (!c || c.status === 'deleting') return
      if (!c.tags[DRILL_TAG]) {
        throw new RefusedError(`Refusing to delete Aurora cluster ${r.id}: it has no ${DRILL_TAG} tag.`, {code: 'E_NOT_DRILL', hint: 'Only resources a drill created are deleted.'})
      }
      for (const i of await aurora.listInstances(c.id)) if (i.status !== 'deleting') await aurora.deleteInstance(i.id)
      if (c.status !== 'available') await aurora.waitClusterAvailable(c.id)
      if (c.deletionProtection) {
        await aurora.setDeletionProtection(c.id, false)
        await aurora.waitClusterAvailable(c.id)
      }
      await aurora.deleteCluster(c.id)
    },
  }
}
