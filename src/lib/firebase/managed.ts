/**
 * Firestore past one machine: a managed backup hands the copy to Firestore's own export
 * (exportDocuments into a Cloud Storage bucket, a long-running operation polled to the end) and
 * keeps, client-side, only the record of it: the export's URI, the operation's metadata, the
 * export's objects (sizes, MD5) and the documents per top-level collection (aggregation count
 * queries before and after). The client's requests grow with the number of collections, never
 * with the number of documents. The operation name is checkpointed before the first poll and the
 * export's folder is named after the backup id, so a killed backup polls the same export again
 * on the next run instead of starting a second one. Restore uses importDocuments.
 */
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {InterruptedError, OperationError, RefusedError, UsageError} from '../errors.js'
import {findUnfinishedBackup, saveCheckpoint, writeManifest} from './checkpoint.js'
import {MANIFEST_FILE, type Checkpoint, type KeyStats, type Manifest} from './format.js'
import type {BackupStore, FirestorePort, ManagedExportPort, ManagedOperation, ObjectStorePort, Progress} from './ports.js'
import {newBackupId, readManifest} from './read-backup.js'
import type {KeyComparison} from './restore.js'
import {stepRecorded} from '../journal/failpoint.js'

/** gs://bucket[/prefix] → parts; a UsageError (exit 2) for anything else. */
export function parseExportUri(uri: string): {bucket: string; prefix: string} {
  const m = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,221}[a-z0-9])(\/[^\s]*)?$/.exec(uri)
  if (!m) {
    throw new UsageError(`"${uri}" is not a Cloud Storage location.`, {
      code: 'E_BAD_EXPORT_URI',
      hint: 'Pass gs://BUCKET or gs://BUCKET/PATH (bucket names: lower-case letters, digits, dots, hyphens and underscores).',
    })
  }
  return {bucket: m[1], prefix: (m[2] ?? '').replace(/^\/+|\/+$/g, '')}
}

export interface ManagedDeps {
  /** The database, for the collection list and the aggregation counts. */
  firestore: FirestorePort
  admin: ManagedExportPort
  objects: ObjectStorePort
  store: BackupStore
  progress?: Progress
  /** Wait between polls (tests and the sandbox pass a short one). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

export interface ManagedBackupOptions {
  /** gs://bucket[/prefix]: the export goes to <uri>/<backup id>. */
  bucketUri: string
  toolVersion: string
  /** First wait between polls, doubling up to maxPollMs. */
  pollMs?: number
  maxPollMs?: number
  now?: () => Date
  signal?: AbortSignal
}

export interface ManagedBackupResult {
  id: string
  location: string
  /** The run polled an export a killed run had started. */
  resumed: boolean
  operation: string
  exportUri: string
  manifest: Manifest
  documents: number
  /** Polls of the operation in this run. */
  polls: number
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(t)
      resolve()
    }, {once: true})
  })

/** Documents per top-level collection: one listCollectionIds and one count query per collection. */
export async function collectionCounts(firestore: FirestorePort): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const c of (await firestore.listCollections()).sort()) out[c] = await firestore.count(c)
  return out
}

/** Poll an operation until it is done (waits doubling from pollMs to maxPollMs); a failed one is an OperationError. */
async function pollOperation(admin: ManagedExportPort, first: ManagedOperation, kind: 'export' | 'import', options: {pollMs?: number; maxPollMs?: number; signal?: AbortSignal; sleep?: ManagedDeps['sleep']; progress?: Progress; onPoll?: (op: ManagedOperation) => Promise<void> | void; interrupted: string}): Promise<{op: ManagedOperation; polls: number}> {
  const sleep = options.sleep ?? defaultSleep
  let op = first
  let wait = options.pollMs ?? 5000
  let polls = 0
  let last = ''
  while (!op.done) {
    if (options.signal?.aborted) throw new InterruptedError(options.interrupted, {hint: `Run the same command again: it polls operation ${op.name} instead of starting another ${kind}.`})
    await sleep(wait, options.signal)
    if (options.signal?.aborted) continue
    op = await admin.getOperation(op.name, kind)
    polls++
    await options.onPoll?.(op)
    const m = op.metadata as {operationState?: string; progressDocuments?: {completedWork?: string; estimatedWork?: string}}
    const line = `${kind} ${m.operationState ?? 'running'}: ${m.progressDocuments?.completedWork ?? '?'}/${m.progressDocuments?.estimatedWork ?? '?'} documents`
    if (line !== last) options.progress?.({phase: 'poll', message: line})
    last = line
    wait = Math.min(options.maxPollMs ?? 60_000, wait * 2)
  }
  if (op.error) throw new OperationError(`Firestore ${kind} ${op.name} failed: ${op.error.message} (code ${op.error.code}).`, {hint: kind === 'export' ? 'Check the bucket and the service account\'s permissions (roles/datastore.importExportAdmin, storage write), then run the backup again.' : 'Check the export\'s objects (`impress firebase verify`) and the permissions, then run the restore again.'})
  return {op, polls}
}

export async function runManagedBackup(options: ManagedBackupOptions, deps: ManagedDeps): Promise<ManagedBackupResult> {
  const {firestore, admin, objects, store} = deps
  const now = options.now ?? (() => new Date())
  const {bucket, prefix} = parseExportUri(options.bucketUri)
  if (!(await objects.bucketExists(bucket))) {
    throw new UsageError(`The bucket ${bucket} does not exist (or this account cannot see it).`, {
      code: 'E_BUCKET_NOT_FOUND',
      hint: 'Create it in the database\'s project (same location), or point firebase.firestore.exportBucket / --export-to at another gs:// bucket.',
    })
  }
  const src = admin.source
  const source = {projectId: src.projectId, databaseId: src.databaseId}
  const sourceName = src.databaseId === '(default)' ? src.projectId : `${src.projectId}-${src.databaseId}`

  // An unfinished managed backup of this database: poll its export again rather than start another.
  const found = await findUnfinishedBackup(store, 'firestore-managed', sourceName, (cp) => cp.source.projectId === src.projectId && cp.source.databaseId === src.databaseId && Boolean(cp.managed?.operation))
  let id: string
  let checkpoint: Checkpoint
  let op: ManagedOperation
  if (found) {
    id = found.id
    checkpoint = found.checkpoint
    const managed = checkpoint.managed!
    deps.progress?.({phase: 'resume', message: `resuming ${id}: polling export ${managed.operation} (started ${checkpoint.startedAt})`})
    op = await admin.getOperation(managed.operation!, 'export')
  } else {
    id = await newBackupId(store, now(), 'firestore-managed', sourceName)
    const exportUri = `gs://${bucket}/${prefix ? `${prefix}/` : ''}${id}`
    deps.progress?.({phase: 'count', message: 'counting documents per collection (aggregation queries)'})
    const countsBefore = await collectionCounts(firestore)
    checkpoint = {format: 'impress-firebase-backup/1', kind: 'firestore-managed', source, startedAt: now().toISOString(), chunks: [], managed: {exportUri, countsBefore}}
    if (options.signal?.aborted) throw new InterruptedError('Backup interrupted before the export started.')
    op = await admin.startExport(exportUri)
    // Checkpointed before the first wait: a rerun polls this operation.
    checkpoint.managed = {exportUri, operation: op.name, countsBefore}
    await saveCheckpoint(store, id, checkpoint)
    deps.progress?.({phase: 'export', message: `export ${op.name} started → ${exportUri}`})
  }
  const managed = checkpoint.managed!
  const {op: finished, polls} = await pollOperation(admin, op, 'export', {...options, sleep: deps.sleep, progress: deps.progress, interrupted: `Backup interrupted while export ${op.name} runs (it continues in Firestore).`})

  const countsAfter = await collectionCounts(firestore)
  const exportUri = finished.outputUriPrefix ?? managed.exportUri
  const where = parseExportUri(exportUri)
  const listed = (await objects.list(where.bucket, `${where.prefix}/`)).sort((a, b) => (a.name < b.name ? -1 : 1))
  if (listed.length === 0) throw new OperationError(`Export ${finished.name} reports success but ${exportUri} holds no objects.`, {hint: 'Check the bucket\'s lifecycle rules and permissions, then run the backup again.'})
  const keys: Record<string, KeyStats> = Object.fromEntries(Object.entries(countsAfter).map(([k, n]) => [k, {count: n, lines: 0, digest: ''}]))
  const bytes = listed.reduce((s, o) => s + o.bytes, 0)
  const digest = createHash('sha256').update(listed.map((o) => `${o.name}\t${o.bytes}\t${o.md5}\n`).join('')).digest('hex')
  const {manifest, location} = await writeManifest(store, id, {
    kind: 'firestore-managed', toolVersion: options.toolVersion, source, startedAt: checkpoint.startedAt, finishedAt: now().toISOString(), consistency: 'managed-export', chunks: [],
    lines: 0, count: Object.values(countsAfter).reduce((a, b) => a + b, 0), keys, digest, bytes,
    managed: {exportUri, operation: finished.name, metadata: finished.metadata, objects: listed, counts: {before: managed.countsBefore, after: countsAfter}},
  })
  return {id, location, resumed: Boolean(found), operation: finished.name, exportUri, manifest, documents: manifest.totals.count, polls}
}

/** The export's objects against the manifest: missing, size or MD5 changed, and the counts recorded. */
export async function verifyManagedExport(manifest: Manifest, objects: ObjectStorePort): Promise<{object?: string; problem: string}[]> {
  const m = manifest.managed
  if (!m) return [{problem: 'the manifest has no export record'}]
  const problems: {object?: string; problem: string}[] = []
  if (Object.keys(m.counts.after).length === 0) problems.push({problem: 'no document counts recorded'})
  const where = parseExportUri(m.exportUri)
  let listed: Map<string, {bytes: number; md5: string}>
  try {
    listed = new Map((await objects.list(where.bucket, `${where.prefix}/`)).map((o) => [o.name, o]))
  } catch (error) {
    return [...problems, {problem: `cannot list ${m.exportUri}: ${(error as Error).message.split('\n')[0]}`}]
  }
  for (const o of m.objects) {
    const got = listed.get(o.name)
    if (!got) problems.push({object: o.name, problem: 'missing'})
    else if (got.bytes !== o.bytes) problems.push({object: o.name, problem: `size mismatch (manifest ${o.bytes}, bucket ${got.bytes})`})
    else if (got.md5 !== o.md5) problems.push({object: o.name, problem: `MD5 mismatch (manifest ${o.md5}, bucket ${got.md5})`})
  }
  return problems
}

/** Delete the objects of an export (prune; also an unfinished backup's partial export), then the caller removes the record. */
export async function removeManagedExport(exportUri: string, objects: ObjectStorePort): Promise<number> {
  const where = parseExportUri(exportUri)
  const names = (await objects.list(where.bucket, `${where.prefix}/`)).map((o) => o.name)
  await objects.remove(where.bucket, names)
  return names.length
}

export interface ManagedRestoreOptions {
  id: string
  overwrite?: boolean
  dryRun?: boolean
  /** Directory for the restore's progress file (the import's operation name, polled again on a rerun). */
  stateDir?: string
  pollMs?: number
  maxPollMs?: number
  signal?: AbortSignal
}

export interface ManagedRestoreResult {
  id: string
  kind: 'firestore-managed'
  target: {projectId: string; databaseId: string}
  dryRun: boolean
  resumed: boolean
  targetWasEmpty: boolean
  exportUri: string
  operation?: string
  collections: string[]
  /** Target collections the backup does not have: never touched by the import. */
  untouched: string[]
  documents: number
  comparison: KeyComparison[]
  match: boolean
}

/**
 * Restore a managed backup with importDocuments: the export's objects are checked first, a
 * non-empty target needs --overwrite (the import replaces the backup's documents and keeps the
 * others), then documents per collection are counted and compared with the manifest.
 */
export async function runManagedRestore(options: ManagedRestoreOptions, deps: Omit<ManagedDeps, 'store'> & {store: BackupStore; confirm: (action: string) => Promise<void>}): Promise<ManagedRestoreResult> {
  const {store, firestore, admin, objects} = deps
  const manifest = await readManifest(store, options.id)
  if (!manifest) throw new UsageError(`Backup ${options.id} is incomplete: no ${MANIFEST_FILE}.`, {hint: 'Run `impress firebase backup --managed` again to finish it, or restore another backup (`impress firebase backups`).'})
  if (manifest.kind !== 'firestore-managed' || !manifest.managed) throw new UsageError(`Backup ${options.id} is a ${manifest.kind} backup, not a managed export.`, {hint: 'Restore it with `impress firebase restore` (it picks the method from the backup).'})
  const problems = await verifyManagedExport(manifest, objects)
  if (problems.length > 0) {
    throw new UsageError(`Backup ${options.id}'s export is damaged: ${problems[0].object ? `${problems[0].object}: ` : ''}${problems[0].problem}.`, {hint: 'Run `impress firebase verify` on it for details, and restore another backup (`impress firebase backups`).'})
  }
  const target = admin.source
  const targetName = `${target.projectId}/${target.databaseId}`
  const collections = Object.keys(manifest.managed.counts.after).sort()
  const existing = await firestore.listCollections()
  const targetWasEmpty = existing.length === 0
  const untouched = existing.filter((c) => !collections.includes(c)).sort()
  const progressFile = options.stateDir ? path.join(options.stateDir, `restore-${options.id}-managed-${targetName.replace(/[^A-Za-z0-9_-]+/g, '_')}.json`) : undefined
  const saved = progressFile && fs.existsSync(progressFile) ? (JSON.parse(fs.readFileSync(progressFile, 'utf8')) as {operation: string; overwrite: boolean}) : undefined
  const base = {id: options.id, kind: 'firestore-managed' as const, target, resumed: Boolean(saved), targetWasEmpty, exportUri: manifest.managed.exportUri, collections, untouched}
  if (!saved && !targetWasEmpty && !options.overwrite) {
    throw new RefusedError(`The Firestore target ${targetName} already has collections (${existing.slice(0, 5).join(', ')}).`, {
      code: 'E_TARGET_NOT_EMPTY',
      hint: 'Restore into an empty database, or pass --overwrite to import over it (the backup\'s documents are replaced, documents it does not have are kept).',
    })
  }
  if (options.dryRun) return {...base, dryRun: true, documents: 0, comparison: [], match: true}
  if (!saved && !targetWasEmpty) await deps.confirm(`import ${manifest.totals.count} documents from ${manifest.managed.exportUri} into ${targetName} (documents of the backup's collections replaced, others kept${untouched.length > 0 ? `; ${untouched.join(', ')} untouched` : ''})`)

  let op: ManagedOperation
  if (saved) {
    deps.progress?.({phase: 'resume', message: `polling import ${saved.operation} again`})
    op = await admin.getOperation(saved.operation, 'import')
  } else {
    op = await admin.startImport(manifest.managed.exportUri)
    if (progressFile) {
      fs.mkdirSync(path.dirname(progressFile), {recursive: true})
      fs.writeFileSync(`${progressFile}.tmp`, JSON.stringify({operation: op.name, overwrite: Boolean(options.overwrite)}))
      fs.renameSync(`${progressFile}.tmp`, progressFile)
      stepRecorded()
    }
    deps.progress?.({phase: 'import', message: `import ${op.name} started from ${manifest.managed.exportUri}`})
  }
  const {op: finished} = await pollOperation(admin, op, 'import', {...options, sleep: deps.sleep, progress: deps.progress, interrupted: `Restore interrupted while import ${op.name} runs (it continues in Firestore).`})
  const after = await collectionCounts(firestore)
  const comparison: KeyComparison[] = collections.map((key) => {
    const expected = manifest.managed!.counts.after[key]
    const actual = after[key] ?? 0
    return {key, expected: {count: expected, digest: ''}, actual: {count: actual, digest: ''}, match: expected === actual}
  })
  if (progressFile) fs.rmSync(progressFile, {force: true})
  return {...base, dryRun: false, operation: finished.name, documents: manifest.totals.count, comparison, match: comparison.every((c) => c.match)}
}
