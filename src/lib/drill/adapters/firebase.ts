/**
 * The drill's Firebase port on the Firebase capability: the newest complete Realtime Database
 * backup, restored into the configured scratch database (`drill.firebaseTarget`, which must be
 * empty), compared with the manifest (counts and SHA-256), then emptied. Realtime Database
 * instances cannot be created per drill nor tagged: the restored data gets a `/_impress_drill`
 * marker naming the drill, and the scratch database is emptied only when its marker names the
 * drill being cleaned (or, killed before the marker was written, when that drill's journal
 * recorded the restore) and it is never the source database.
 */
import type {Context} from '../../context.js'
import {RefusedError} from '../../errors.js'
import {runRtdbBackup} from '../../firebase/backup.js'
import {listBackups} from '../../firebase/list.js'
import {runRtdbRestore} from '../../firebase/restore.js'
import {Journal} from '../../journal/journal.js'
import {defaultBackupRoot, rtdbFor, storeAt} from '../../platform/firebase/targets.js'
import {DRILL_EXPIRES_TAG, DRILL_TAG, type FirebaseDrillPort, type ScratchResource} from '../ports.js'
import {RESOURCES_STEP} from '../run.js'

const MARKER = '/_impress_drill'

export async function firebaseDrillPort(ctx: Context, version: string): Promise<FirebaseDrillPort | undefined> {
  const fb = ctx.env.config.firebase
  const scratch = ctx.env.config.drill?.firebaseTarget
  if (!fb || !scratch) return undefined
  const store = await storeAt(ctx, defaultBackupRoot(ctx))
  /** Recorded by a drill journal before that drill's restore started. */
  const journaled = (r: ScratchResource) =>
    Journal.list(ctx.env.dataDir, 'drill').some((j) => j.doc.params.drillId === r.drillId && ((j.step(RESOURCES_STEP)?.data?.list as ScratchResource[] | undefined) ?? []).some((x) => x.kind === r.kind && x.id === r.id))
  const isEmptyBut = async (rtdb: Awaited<ReturnType<typeof rtdbFor>>) => {
    const v = await rtdb.get('/', {shallow: true})
    return !v.tooBig && (v.value === null || (typeof v.value === 'object' && Object.keys(v.value as object).length === 0))
  }
  const isEmpty = async (ns: string) => isEmptyBut(await rtdbFor(ctx, ns))

  const source = (await rtdbFor(ctx)).source
  return {
    scratchTarget: () => scratch,
    async newestBackup() {
      const all = (await listBackups({store})).filter((b) => b.complete && b.kind === 'rtdb')
      const b = all.sort((x, y) => y.startedAt.localeCompare(x.startedAt))[0]
      return b ? {id: b.id, location: store.location, time: b.startedAt} : undefined
    },
    async backupNow(signal) {
      const rtdb = await rtdbFor(ctx)
      const r = await runRtdbBackup({toolVersion: version, signal}, {rtdb, store})
      return {id: r.id, location: r.location, time: r.manifest.startedAt ?? new Date().toISOString()}
    },
    targetIsEmpty: isEmpty,
    async restore({backup, target, drillId, signal, onResource}) {
      onResource({kind: 'firebase-namespace', id: target})
      const rtdb = await rtdbFor(ctx, target)
      const result = await runRtdbRestore(
        {id: backup.id, overwrite: false, stateDir: ctx.env.dataDir, signal},
        {store, target: rtdb, confirm: async () => {}},
      )
      await rtdb.patch('/', {[MARKER.slice(1)]: {[DRILL_TAG.replace(':', '_')]: drillId, [DRILL_EXPIRES_TAG.replace(':', '_').replace('-', '_')]: new Date(Date.now() + 24 * 3600_000).toISOString()}})
      return {
        target,
        documents: result.lines,
        matches: result.match,
        mismatches: result.comparison.filter((c) => !c.match).map((c) => `${c.key}: ${c.actual.count}/${c.expected.count} values, digest ${c.actual.digest.slice(0, 12)} vs ${c.expected.digest.slice(0, 12)}`),
      }
    },
    async listScratch() {
      // Namespaces cannot be listed over REST: the drills' journals say which ones were created.
      const seen = new Set<string>()
      const out: ScratchResource[] = []
      for (const j of Journal.list(ctx.env.dataDir, 'drill')) {
        for (const r of ((j.step(RESOURCES_STEP)?.data?.list as ScratchResource[] | undefined) ?? []).filter((x) => x.kind === 'firebase-namespace')) {
          if (seen.has(r.id)) continue
          seen.add(r.id)
          if (!(await isEmpty(r.id))) out.push(r)
        }
      }
      return out
    },
    async destroy(r) {
      const rtdb = await rtdbFor(ctx, r.id)
      if (rtdb.source.databaseURL === source.databaseURL && rtdb.source.namespace === source.namespace) {
        throw new RefusedError(`Refusing to empty ${r.id}: it is the source database.`, {code: 'E_NOT_DRILL', hint: 'Point drill.firebaseTarget at a dedicated scratch database.'})
      }
      const marker = await rtdb.get(MARKER)
      const markedBy = !marker.tooBig && marker.value && typeof marker.value === 'object' ? (marker.value as Record<string, unknown>)[DRILL_TAG.replace(':', '_')] : undefined
      const ours = markedBy === r.drillId || (markedBy === undefined && r.drillId !== undefined && (await isEmptyBut(rtdb) || journaled(r)))
      if (!ours) throw new RefusedError(`Refusing to empty ${r.id}: it is marked for drill ${String(markedBy)}, not ${r.drillId}.`, {code: 'E_NOT_DRILL', hint: 'Only the drill that created a scratch database deletes it.'})
      await rtdb.remove('/')
    },
  }
}
