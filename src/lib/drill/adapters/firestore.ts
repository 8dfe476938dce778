/**
 * The drill's Firestore port on the Firebase capability: the newest complete Firestore backup of
 * the environment's database, client-side (`firestore`) or managed export (`firestore-managed`),
 * restored into the configured scratch database (`drill.firestoreTarget`, a database id in the
 * same project, which must be empty) with the same flows `impress firebase restore` uses, compared
 * with the manifest (counts and SHA-256 per collection for a client-side backup, counts per
 * collection for a managed one), then emptied. Firestore databases cannot be tagged: the restored
 * data gets a `_impress_drill/marker` document naming the drill, and the scratch database is
 * emptied only when its marker names the drill being cleaned (or, killed before the marker was
 * written, when that drill's journal recorded the restore), and never when it is the source.
 */
import type {Context} from '../../context.js'
import {RefusedError} from '../../errors.js'
import {emptyFirestore} from '../../firebase/firestore-backup.js'
import {listBackups} from '../../firebase/list.js'
import type {FirestorePort} from '../../firebase/ports.js'
import {readManifest} from '../../firebase/read-backup.js'
import {firestoreBackupFlow, firestoreRestoreFlow, managedRestoreFlow} from '../../firebase/wiring.js'
import {Journal} from '../../journal/journal.js'
import {defaultBackupRoot, firestoreFor, storeAt} from '../../platform/firebase/targets.js'
import {DRILL_TAG, type FirebaseDrillPort, type ScratchResource} from '../ports.js'
import {RESOURCES_STEP} from '../run.js'

const MARKER_COLLECTION = '_impress_drill'
const MARKER = `${MARKER_COLLECTION}/marker`
const SOURCE_DATABASE = '(default)'

export async function firestoreDrillPort(ctx: Context, version: string): Promise<FirebaseDrillPort | undefined> {
  const fb = ctx.env.config.firebase
  const scratch = ctx.env.config.drill?.firestoreTarget
  if (!fb || !scratch) return undefined
  const store = await storeAt(ctx, defaultBackupRoot(ctx))
  const source = `${fb.projectId}/${SOURCE_DATABASE}`
  const journaled = (r: ScratchResource) =>
    Journal.list(ctx.env.dataDir, 'drill').some((j) => j.doc.params.drillId === r.drillId && ((j.step(RESOURCES_STEP)?.data?.list as ScratchResource[] | undefined) ?? []).some((x) => x.kind === r.kind && x.id === r.id))
  const withDatabase = async <T>(databaseId: string, fn: (fs: FirestorePort) => Promise<T>): Promise<T> => {
    if (databaseId === SOURCE_DATABASE) throw new RefusedError(`Refusing to use Firestore ${source} as the drill's scratch database: it is the source.`, {code: 'E_NOT_DRILL', hint: 'Point drill.firestoreTarget at a dedicated, empty database id.'})
    const firestore = await firestoreFor(ctx, {databaseId})
    try {
      return await fn(firestore)
    } finally {
      await firestore.close()
    }
  }
  const isEmpty = (databaseId: string) => withDatabase(databaseId, async (fs) => (await fs.listCollections()).length === 0)
  const noProgress = () => {}

  return {
    scratchTarget: () => scratch,
    async newestBackup() {
      const all = (await listBackups({store})).filter((b) => b.complete && (b.kind === 'firestore' || b.kind === 'firestore-managed') && b.source === source)
      const b = all.sort((x, y) => y.startedAt.localeCompare(x.startedAt))[0]
      if (!b) return undefined
      const m = await readManifest(store, b.id)
      // The point in time the data is as of: the read time of a client-side backup, the export's start for a managed one.
      const time = m?.readTime ?? (typeof m?.managed?.metadata.startTime === 'string' ? m.managed.metadata.startTime : b.startedAt)
      return {id: b.id, location: store.location, time, kind: b.kind}
    },
    async backupNow(signal) {
      const r = await firestoreBackupFlow(ctx, {databaseId: SOURCE_DATABASE, store, chunkBytes: 16 * 1024 * 1024, toolVersion: version, signal, progress: noProgress})
      const m = r.result.manifest
      return {id: r.result.id, location: r.result.location, time: m.readTime ?? m.startedAt, kind: r.kind}
    },
    targetIsEmpty: isEmpty,
    async restore({backup, target, drillId, signal, onResource}) {
      if (target === SOURCE_DATABASE) throw new RefusedError(`Refusing to restore into Firestore ${source}: it is the source.`, {code: 'E_NOT_DRILL', hint: 'Point drill.firestoreTarget at a dedicated, empty database id.'})
      onResource({kind: 'firestore-database', id: target})
      const common = {id: backup.id, store, databaseId: target, signal, confirm: async () => {}, progress: noProgress}
      const result = backup.kind === 'firestore-managed' ? await managedRestoreFlow(ctx, {...common, resumable: false}) : await firestoreRestoreFlow(ctx, common)
      await withDatabase(target, (fs) => fs.write([{path: MARKER, data: {[DRILL_TAG.replace(':', '_')]: drillId, expiresAt: new Date(Date.now() + 24 * 3600_000).toISOString()}}]))
      return {
        target,
        documents: result.comparison.reduce((n, c) => n + c.actual.count, 0),
        matches: result.match,
        mismatches: result.comparison.filter((c) => !c.match).map((c) => `${c.key}: ${c.actual.count}/${c.expected.count} documents${c.expected.digest ? `, digest ${c.actual.digest.slice(0, 12)} vs ${c.expected.digest.slice(0, 12)}` : ''}`),
      }
    },
    async listScratch() {
      // Databases are not tagged: the drills' journals say which ones were restored into.
      const seen = new Set<string>()
      const out: ScratchResource[] = []
      for (const j of Journal.list(ctx.env.dataDir, 'drill')) {
        for (const r of ((j.step(RESOURCES_STEP)?.data?.list as ScratchResource[] | undefined) ?? []).filter((x) => x.kind === 'firestore-database')) {
          if (seen.has(r.id)) continue
          seen.add(r.id)
          if (!(await isEmpty(r.id))) out.push(r)
        }
      }
      return out
    },
    async destroy(r) {
      await withDatabase(r.id, async (fs) => {
        const marker = (await fs.page(MARKER_COLLECTION, undefined, 1)).find((d) => d.id === 'marker')
        const markedBy = marker?.data && typeof marker.data === 'object' ? (marker.data as Record<string, unknown>)[DRILL_TAG.replace(':', '_')] : undefined
        const ours = markedBy === r.drillId || (markedBy === undefined && r.drillId !== undefined && ((await fs.listCollections()).length === 0 || journaled(r)))
        if (!ours) throw new RefusedError(`Refusing to empty Firestore database ${r.id}: it is marked for drill ${String(markedBy)}, not ${r.drillId}.`, {code: 'E_NOT_DRILL', hint: 'Only the drill that restored into a scratch database empties it.'})
        await emptyFirestore(fs)
      })
    },
  }
}

/** Does the environment back up Firestore (a Firestore backup in its store)? Then a drill without drill.firestoreTarget leaves it unrehearsed. */
export async function firestoreBackedUp(ctx: Context): Promise<boolean> {
  if (!ctx.env.config.firebase) return false
  const store = await storeAt(ctx, defaultBackupRoot(ctx))
  return (await listBackups({store})).some((b) => b.kind === 'firestore' || b.kind === 'firestore-managed')
}
