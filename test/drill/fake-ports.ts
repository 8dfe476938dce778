/** In-memory drill ports for unit tests of the drill engine (the real adapters are tested end to end). */
import {DRILL_TAG, type DrillPorts, type ScratchResource} from '../../src/lib/drill/ports.js'

export interface FakeWorld {
  existing: ScratchResource[]
  deleted: string[]
  log: string[]
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(t)
      reject(new Error('aborted'))
    })
  })

/** firestore: add the Firestore port (a backup of `kind`, `ageMs` old; `mismatch` fails its check; `nonEmpty` scratch). */
export function fakePorts(world: FakeWorld, opts: {restoreMs?: number; failAurora?: boolean; mismatch?: boolean; backupAgeMs?: number; verifyExit?: number; nonEmpty?: boolean; firestore?: {kind: 'firestore' | 'firestore-managed'; ageMs: number; restoreMs?: number; mismatch?: boolean; nonEmpty?: boolean; none?: boolean}} = {}): DrillPorts {
  const scratch = (kind: ScratchResource['kind']) => ({
    async listScratch() {
      return world.existing.filter((r) => r.kind === kind)
    },
    async destroy(r: ScratchResource) {
      if (!r.drillId) throw new Error(`refusing to delete ${r.id}: no ${DRILL_TAG} tag`)
      world.deleted.push(`${r.kind}:${r.id}`)
      world.existing = world.existing.filter((x) => !(x.kind === r.kind && x.id === r.id))
    },
  })
  const ms = opts.restoreMs ?? 30
  return {
    now: () => new Date(),
    aurora: {
      ...scratch('aurora-cluster'),
      async latestRestorableTime() {
        return new Date(Date.now() - 60_000)
      },
      async restore({target, toTime, signal, onResource, drillId}) {
        const r = {kind: 'aurora-cluster' as const, id: target, drillId}
        onResource(r)
        world.existing.push(r)
        world.log.push('aurora:start')
        await sleep(ms, signal)
        if (opts.failAurora) throw new Error('RestoreDBClusterToPointInTime failed: InsufficientDBClusterCapacityFault')
        world.log.push('aurora:end')
        return {cluster: target, endpoint: `${target}.cluster.local`, readerEndpoint: `${target}.cluster-ro.local`, restoredTo: toTime.toISOString(), differences: [], instances: ['w', 'r']}
      },
    },
    firebase: {
      ...scratch('firebase-namespace'),
      scratchTarget: (drillId) => `impress-drill-${drillId}`,
      async newestBackup() {
        return {id: 'b1', location: '/backups/b1', time: new Date(Date.now() - (opts.backupAgeMs ?? 120_000)).toISOString()}
      },
      async backupNow() {
        return {id: 'b2', location: '/backups/b2', time: new Date().toISOString()}
      },
      async targetIsEmpty() {
        return !opts.nonEmpty
      },
      async restore({target, signal, onResource, drillId}) {
        const r = {kind: 'firebase-namespace' as const, id: target, drillId}
        onResource(r)
        world.existing.push(r)
        world.log.push('firebase:start')
        await sleep(ms, signal)
        world.log.push('firebase:end')
        return {target, documents: 42, matches: !opts.mismatch, mismatches: opts.mismatch ? ['texts: 10 != 11'] : []}
      },
    },
    ...(opts.firestore
      ? {
          firestore: {
            ...scratch('firestore-database'),
            scratchTarget: () => 'scratch',
            async newestBackup() {
              const f = opts.firestore!
              return f.none ? undefined : {id: 'fs1', location: '/backups', time: new Date(Date.now() - f.ageMs).toISOString(), kind: f.kind}
            },
            async backupNow() {
              world.log.push('firestore:backup')
              return {id: 'fs2', location: '/backups', time: new Date().toISOString(), kind: 'firestore'}
            },
            async targetIsEmpty() {
              return !opts.firestore!.nonEmpty
            },
            async restore({target, signal, onResource, drillId, backup}) {
              const r = {kind: 'firestore-database' as const, id: target, drillId}
              onResource(r)
              world.existing.push(r)
              world.log.push(`firestore:start:${backup.kind}`)
              await sleep(opts.firestore!.restoreMs ?? ms, signal)
              world.log.push('firestore:end')
              return {target, documents: 312, matches: !opts.firestore!.mismatch, mismatches: opts.firestore!.mismatch ? ['users: 39/40 documents'] : []}
            },
          },
        }
      : {}),
    lambda: {
      ...scratch('lambda-alias'),
      async rehearse({alias, module, signal, onResource, drillId}) {
        const r = {kind: 'lambda-alias' as const, id: `${module}:${alias}`, drillId}
        onResource(r)
        world.existing.push(r)
        world.log.push('lambda:start')
        await sleep(ms / 2, signal)
        world.log.push('lambda:end')
        return {module, alias, from: '7', to: '6', restored: true}
      },
    },
    commands: {
      async run(command, env) {
        world.log.push(`verify:${command}:${env.IMPRESS_DRILL_DB_HOST ?? ''}`)
        return {exitCode: opts.verifyExit ?? 0, output: opts.verifyExit ? 'row count mismatch' : 'ok'}
      },
    },
  }
}
