/**
 * The Firestore backup and restore flows of the commands, on a context: which kind of backup
 * (client-side walk or managed export, by --managed or by the size estimate), the adapters each
 * needs, the per-database lock and the poll interval (the sandbox's scaled by its time scale).
 */
import type {Context} from '../context.js'
import {Lock} from '../journal/journal.js'
import {exportBucketFor, firestoreFor, managedFor, objectsFor} from '../platform/firebase/targets.js'
import {runFirestoreBackup, runFirestoreRestore, type FirestoreBackupResult, type FirestoreRestoreOptions, type FirestoreRestoreResult} from './firestore-backup.js'
import {collectionCounts, parseExportUri, runManagedBackup, runManagedRestore, type ManagedBackupResult, type ManagedRestoreResult} from './managed.js'
import type {BackupStore, Progress} from './ports.js'

export interface FirestoreBackupFlowOptions {
  databaseId: string
  store: BackupStore
  /** Force the managed export (true) or the client-side walk (false); undefined: by size. */
  managed?: boolean
  exportTo?: string
  resume?: boolean
  chunkBytes: number
  toolVersion: string
  signal: AbortSignal
  progress: Progress
}

/** Poll waits: 5 s doubling to 60 s against Firestore; the same scaled against the sandbox. */
async function pollTimes(ctx: Context): Promise<{pollMs: number; maxPollMs: number}> {
  const scale = await ctx.timeScale()
  return {pollMs: Math.max(10, Math.round(5000 * scale)), maxPollMs: Math.max(20, Math.round(60_000 * scale))}
}

/**
 * Managed when asked, or when firebase.firestore.managedAboveBytes is set and the documents
 * (one count query per top-level collection) × estimatedDocumentBytes exceed it.
 */
async function chooseManaged(ctx: Context, counts: () => Promise<Record<string, number>>, flag: boolean | undefined, progress: Progress): Promise<boolean> {
  if (flag !== undefined) return flag
  const conf = ctx.env.config.firebase?.firestore
  if (!conf?.managedAboveBytes) return false
  const documents = Object.values(await counts()).reduce((a, b) => a + b, 0)
  const estimate = documents * conf.estimatedDocumentBytes
  const managed = estimate > conf.managedAboveBytes
  progress({phase: 'size', message: `${documents} documents ≈ ${estimate} bytes: ${managed ? 'above' : 'within'} ${conf.managedAboveBytes} (firebase.firestore.managedAboveBytes): ${managed ? 'managed export' : 'client-side backup'}`})
  return managed
}

export async function firestoreBackupFlow(ctx: Context, o: FirestoreBackupFlowOptions): Promise<{kind: 'firestore'; result: FirestoreBackupResult} | {kind: 'firestore-managed'; result: ManagedBackupResult}> {
  const projectId = ctx.env.config.firebase?.projectId ?? ''
  // Bad input first (exit 2) when the managed export is asked for: no connection made.
  if (o.managed) parseExportUri(exportBucketFor(ctx, o.exportTo))
  const lock = Lock.acquire(ctx.env.dataDir, `firebase-backup-firestore-${projectId}-${o.databaseId}`, `firebase backup of Firestore ${projectId}/${o.databaseId}`)
  try {
    const firestore = await firestoreFor(ctx, {databaseId: o.databaseId})
    try {
      const managed = await chooseManaged(ctx, () => collectionCounts(firestore), o.managed, o.progress)
      if (!managed) {
        const result = await runFirestoreBackup({resume: o.resume, chunkBytes: o.chunkBytes, toolVersion: o.toolVersion, signal: o.signal}, {firestore, store: o.store, progress: o.progress})
        return {kind: 'firestore', result}
      }
      const bucketUri = exportBucketFor(ctx, o.exportTo)
      const {admin, objects} = await managedFor(ctx, {databaseId: o.databaseId})
      try {
        const result = await runManagedBackup({bucketUri, toolVersion: o.toolVersion, signal: o.signal, ...(await pollTimes(ctx))}, {firestore, admin, objects, store: o.store, progress: o.progress})
        return {kind: 'firestore-managed', result}
      } finally {
        await admin.close()
      }
    } finally {
      await firestore.close()
    }
  } finally {
    lock.release()
  }
}

/** `resumable: false` (the drill): no progress file, so an interrupted import is never polled again by a later restore. */
export async function managedRestoreFlow(ctx: Context, o: {id: string; store: BackupStore; projectId?: string; databaseId?: string; overwrite?: boolean; dryRun?: boolean; resumable?: boolean; signal: AbortSignal; confirm: (action: string) => Promise<void>; progress: Progress}): Promise<ManagedRestoreResult> {
  const target = {projectId: o.projectId, databaseId: o.databaseId}
  const firestore = await firestoreFor(ctx, target)
  const {admin, objects} = await managedFor(ctx, target)
  try {
    return await runManagedRestore(
      {id: o.id, overwrite: o.overwrite, dryRun: o.dryRun, stateDir: o.resumable === false ? undefined : `${ctx.env.dataDir}/firebase`, signal: o.signal, ...(await pollTimes(ctx))},
      {store: o.store, firestore, admin, objects, confirm: o.confirm, progress: o.progress},
    )
  } finally {
    await admin.close()
    await firestore.close()
  }
}

/** A client-side Firestore backup restored into a project/database (firebase-admin). */
export async function firestoreRestoreFlow(ctx: Context, o: FirestoreRestoreOptions & {store: BackupStore; projectId?: string; databaseId?: string; confirm: (action: string) => Promise<void>; progress: Progress}): Promise<FirestoreRestoreResult> {
  const {store, projectId, databaseId, confirm, progress, ...options} = o
  const firestore = await firestoreFor(ctx, {projectId, databaseId})
  try {
    if (options.dryRun) return await runFirestoreRestore(options, {store, firestore, confirm, progress})
    // one restore per target database at a time from this machine
    const target = `${firestore.source.projectId}/${firestore.source.databaseId}`
    return await Lock.with(ctx.env.dataDir, [`firebase-restore-firestore-${target.replace(/[^A-Za-z0-9_-]+/g, '_')}`], `impress firebase restore into Firestore ${target}`, () => runFirestoreRestore(options, {store, firestore, confirm, progress}))
  } finally {
    await firestore.close()
  }
}

/** The Cloud Storage client for verify and prune, built only when a managed backup needs it. */
export function exportObjects(ctx: Context) {
  return () => objectsFor(ctx)
}
