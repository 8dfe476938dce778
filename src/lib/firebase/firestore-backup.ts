/**
 * Firestore backup and restore: every collection and sub-collection, paged by document id,
 * all read at one read time (a consistent point in time), written to the same chunked
 * format as Realtime Database backups (one line per document: {path, value: tagged JSON}).
 * Restore writes with the adapter's BulkWriter, then re-reads and compares per collection.
 */
import fs from 'node:fs'
import path from 'node:path'
import {InterruptedError, RefusedError, UsageError} from '../errors.js'
import {checkpointedWriter, findUnfinishedBackup, reopenCheckpoint, saveCheckpoint, writeManifest} from './checkpoint.js'
import {joinPath, KeyStatsBuilder, splitPath, type Checkpoint, type ChunkInfo, type JsonValue, type Manifest} from './format.js'
import type {BackupStore, FirestorePort, Progress} from './ports.js'
import {newBackupId, readChunk} from './read-backup.js'
import {runVerify} from './verify.js'
import type {KeyComparison} from './restore.js'
import {stepRecorded} from '../journal/failpoint.js'

export interface FirestoreBackupOptions {
  /** Continue the newest unfinished Firestore backup of the same database, at its read time. */
  resume?: boolean
  toolVersion: string
  chunkBytes?: number
  pageSize?: number
  now?: () => Date
  signal?: AbortSignal
}

export interface FirestoreBackupResult {
  id: string
  location: string
  resumed: boolean
  manifest: Manifest
  documents: number
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i])
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker))
  return out
}

export interface WalkOptions {
  readTime?: string
  pageSize: number
  /** Only these top-level collections (default: every one). */
  roots?: string[]
  /** Resume after this document (path segments): it and everything before it in walk order were written. */
  cursor?: string[]
  signal?: AbortSignal
}

/**
 * Walk collections at `readTime`, depth first: collection ids in order, documents by id, each
 * document followed by its sub-collections. With a cursor (the last document written), skip
 * everything up to and including it: earlier collection ids, the cursor document's earlier
 * siblings (pages start after its id), and the sub-collections of its ancestors that come
 * before the cursor's own.
 */
export async function walkFirestore(fs: FirestorePort, options: WalkOptions, emit: (path: string, data: JsonValue) => Promise<void>): Promise<void> {
  const {readTime, pageSize, signal} = options
  const walkCollections = async (parent: string | undefined, ids: string[], tail: string[] | undefined): Promise<void> => {
    for (const id of [...ids].sort()) {
      const collectionPath = parent ? `${parent}/${id}` : id
      if (tail && tail.length > 0) {
        if (id < tail[0]) continue
        if (id === tail[0]) {
          await walkCollection(collectionPath, tail.slice(1))
          continue
        }
      }
      await walkCollection(collectionPath, undefined)
    }
  }
  const walkCollection = async (collectionPath: string, tail: string[] | undefined): Promise<void> => {
    let after: string | undefined
    if (tail && tail.length > 0) {
      // The document tail[0] was written; its sub-collections continue from the rest of the cursor.
      const docPath = `${collectionPath}/${tail[0]}`
      await walkCollections(docPath, await fs.listCollections(docPath), tail.slice(1))
      after = tail[0]
    }
    for (;;) {
      if (signal?.aborted) throw new InterruptedError('Backup interrupted.')
      const docs = await fs.page(collectionPath, after, pageSize, readTime)
      // Sub-collections of the page's documents, asked 8 at a time (one request per document).
      const subs = await mapLimit(docs, 8, (d) => fs.listCollections(d.path))
      for (const [i, d] of docs.entries()) {
        await emit(`/${d.path}`, d.data)
        await walkCollections(d.path, subs[i], undefined)
      }
      if (docs.length < pageSize) return
      after = docs[docs.length - 1].id
    }
  }
  const roots = await fs.listCollections()
  await walkCollections(undefined, options.roots ? roots.filter((c) => options.roots!.includes(c)) : roots, options.cursor)
}

export async function runFirestoreBackup(options: FirestoreBackupOptions, deps: {firestore: FirestorePort; store: BackupStore; progress?: Progress}): Promise<FirestoreBackupResult> {
  const {firestore, store} = deps
  const now = options.now ?? (() => new Date())
  const src = firestore.source
  const source = {projectId: src.projectId, databaseId: src.databaseId}
  const sourceName = src.databaseId === '(default)' ? src.projectId : `${src.projectId}-${src.databaseId}`
  const stats = KeyStatsBuilder.forKind('firestore')

  let id: string
  let checkpoint: Checkpoint | undefined
  if (options.resume) {
    const found = await findUnfinishedBackup(store, 'firestore', sourceName, (cp) => cp.source.projectId === src.projectId && cp.source.databaseId === src.databaseId)
    if (!found) {
      throw new RefusedError(`No unfinished Firestore backup of ${src.projectId}/${src.databaseId} to resume in ${store.location}.`, {
        code: 'E_NOTHING_TO_RESUME',
        hint: 'Run the backup without --resume to start a new one.',
      })
    }
    id = found.id
    checkpoint = found.checkpoint
    const readTime = checkpoint.readTime
    if (!readTime) throw new RefusedError(`Backup ${id} has no read time in its checkpoint; it cannot be resumed consistently.`, {code: 'E_READ_TIME_EXPIRED', hint: 'Start a new backup (without --resume).'})
    // Mixing read times would break the single point in time: refuse rather than read at another.
    const age = now().getTime() - Date.parse(readTime)
    if (age >= firestore.maxReadAgeMs) {
      throw new RefusedError(`Backup ${id} reads at ${readTime}, ${Math.round(age / 60_000)} minutes ago: Firestore keeps document versions for ${Math.round(firestore.maxReadAgeMs / 60_000)} minutes, so it cannot be resumed at the same point in time.`, {
        code: 'E_READ_TIME_EXPIRED',
        hint: `Start a new backup (without --resume); the unfinished one (${id}) stays listed as incomplete until you delete it.`,
      })
    }
    await reopenCheckpoint(store, id, checkpoint, (line) => stats.addLine(line))
    deps.progress?.({phase: 'resume', message: `resuming ${id} at read time ${readTime} after ${checkpoint.chunks.length} chunk(s), from ${checkpoint.cursor ? joinPath(checkpoint.cursor) : 'the start'}`})
  } else {
    id = await newBackupId(store, now(), 'firestore', sourceName)
  }
  const startedAt = checkpoint?.startedAt ?? now().toISOString()
  const readTime = checkpoint?.readTime ?? (await firestore.readTime())
  const chunks: ChunkInfo[] = [...(checkpoint?.chunks ?? [])]
  let cursor: string[] | undefined = checkpoint?.cursor
  let pendingLast: string[] | undefined
  const save = () => saveCheckpoint(store, id, {kind: 'firestore', source, startedAt, readTime, chunks, cursor})
  if (!checkpoint) await save()

  const writer = await checkpointedWriter({
    store, id, chunks, chunkBytes: options.chunkBytes, progress: deps.progress,
    commit: () => {
      cursor = pendingLast
      return save()
    },
    describe: (chunk) => `${chunk.file}: ${chunk.lines} documents (last ${chunk.lastPath})`,
  })
  try {
    await walkFirestore(firestore, {readTime, pageSize: options.pageSize ?? 300, cursor: checkpoint?.cursor, signal: options.signal}, async (docPath, value) => {
      stats.addLine({path: docPath, value})
      pendingLast = splitPath(docPath)
      await writer.write({path: docPath, value})
    })
    await writer.close()
  } catch (error) {
    // Keep the complete chunks only: the open one is written again on --resume, so a resumed
    // backup has the same chunk files as an uninterrupted one (as after kill -9).
    writer.abandon()
    if (error instanceof InterruptedError || options.signal?.aborted) {
      throw new InterruptedError(`Backup interrupted; ${chunks.length} complete chunk(s) kept.`, {hint: `Continue it with --resume within the hour (backup ${id}, read time ${readTime}).`})
    }
    throw error
  }
  const totals = stats.total()
  const {manifest, location} = await writeManifest(store, id, {
    kind: 'firestore', toolVersion: options.toolVersion, source, startedAt, finishedAt: now().toISOString(), consistency: 'read-time', readTime, chunks,
    lines: totals.lines, count: totals.count, keys: stats.snapshot(), digest: totals.digest,
  })
  return {id, location, resumed: Boolean(checkpoint), manifest, documents: totals.count}
}

export interface FirestoreRestoreResult {
  id: string
  target: FirestorePort['source']
  dryRun: boolean
  resumed: boolean
  targetWasEmpty: boolean
  /** Top-level collections of the backup: restored (with --overwrite, to exactly the backup's content). */
  collections: string[]
  /** Target collections the backup does not have: never touched. */
  untouched: string[]
  /** Documents written in this run (a resumed run skips those written before). */
  documents: number
  /** Documents of the restored collections that the backup does not have: deleted with --overwrite (planned in a dry run). */
  extra: number
  deleted: number
  comparison: KeyComparison[]
  match: boolean
}

export interface FirestoreRestoreOptions {
  id: string
  /** Make the restored collections exactly the backup's content (extra documents are deleted). */
  overwrite?: boolean
  resume?: boolean
  dryRun?: boolean
  /** Documents per BulkWriter batch, and per progress record. */
  batch?: number
  /** Directory for the restore's progress file (needed for --resume). */
  stateDir?: string
  signal?: AbortSignal
}

interface FirestoreRestoreProgress {
  id: string
  target: string
  overwrite: boolean
  /** Index in manifest.chunks and line number (1-based) of the last document committed. */
  chunk: number
  line: number
}

/** Paths (without the leading "/") of every document in the backup, for the --overwrite difference. */
async function backupPaths(store: BackupStore, id: string, manifest: Manifest): Promise<Set<string>> {
  const paths = new Set<string>()
  for (const chunk of manifest.chunks) await readChunk(store, id, chunk, (line) => void paths.add(line.path.slice(1)))
  return paths
}

/**
 * Delete every document of a database, sub-collections and missing parents included (the drill's
 * scratch database): returns how many were deleted.
 */
export async function emptyFirestore(firestore: FirestorePort, options: {batch?: number; signal?: AbortSignal} = {}): Promise<number> {
  const paths = await extraDocuments(firestore, await firestore.listCollections(), new Set(), options.signal)
  const batch = options.batch ?? 500
  for (let i = 0; i < paths.length; i += batch) await firestore.remove(paths.slice(i, i + batch))
  return paths.length
}

/** Documents under `roots` in the target (missing parents included) that `keep` does not hold. */
async function extraDocuments(firestore: FirestorePort, roots: string[], keep: Set<string>, signal?: AbortSignal): Promise<string[]> {
  const extra: string[] = []
  const walk = async (collectionPath: string): Promise<void> => {
    if (signal?.aborted) throw new InterruptedError('Restore interrupted.')
    const docs = await firestore.listDocumentPaths(collectionPath)
    const subs = await mapLimit(docs, 8, (d) => firestore.listCollections(d))
    for (const [i, d] of docs.entries()) {
      if (!keep.has(d)) extra.push(d)
      for (const sub of subs[i].sort()) await walk(`${d}/${sub}`)
    }
  }
  for (const c of roots) await walk(c)
  return extra
}

export async function runFirestoreRestore(options: FirestoreRestoreOptions, deps: {store: BackupStore; firestore: FirestorePort; confirm: (action: string) => Promise<void>; progress?: Progress}): Promise<FirestoreRestoreResult> {
  const {store, firestore} = deps
  const verify = await runVerify({id: options.id}, {store, progress: deps.progress})
  if (!verify.ok || !verify.manifest) {
    const first = verify.problems[0]
    throw new UsageError(`Backup ${options.id} is ${verify.complete ? 'corrupt' : 'incomplete'}: ${first?.chunk ? `${first.chunk}: ` : ''}${first?.problem ?? 'unknown problem'}.`, {
      hint: 'Run `impress firebase verify` on it for details, and restore another backup (`impress firebase backups`).',
    })
  }
  const manifest = verify.manifest
  if (manifest.kind !== 'firestore') throw new UsageError(`Backup ${options.id} is a ${manifest.kind} backup, not a Firestore one.`, {hint: 'Restore it with --to-database URL|NAME.'})
  const targetName = `${firestore.source.projectId}/${firestore.source.databaseId}`
  const progressFile = options.stateDir ? path.join(options.stateDir, `restore-${options.id}-firestore-${targetName.replace(/[^A-Za-z0-9_-]+/g, '_')}.json`) : undefined
  let saved: FirestoreRestoreProgress | undefined
  if (options.resume) {
    if (!progressFile || !fs.existsSync(progressFile)) throw new RefusedError(`No interrupted restore of ${options.id} into ${targetName} to resume.`, {code: 'E_NOTHING_TO_RESUME', hint: 'Run the restore without --resume.'})
    saved = JSON.parse(fs.readFileSync(progressFile, 'utf8')) as FirestoreRestoreProgress
  }
  const overwrite = Boolean(options.overwrite || saved?.overwrite)

  const collections = Object.keys(manifest.keys).sort()
  const existing = await firestore.listCollections()
  const targetWasEmpty = existing.length === 0
  const untouched = existing.filter((c) => !collections.includes(c)).sort()
  if (!saved && !targetWasEmpty && !overwrite) {
    throw new RefusedError(`The Firestore target ${targetName} already has collections (${existing.slice(0, 5).join(', ')}).`, {
      code: 'E_TARGET_NOT_EMPTY',
      hint: 'Restore into an empty database, or pass --overwrite to make the backup\'s collections there exactly the backup\'s content.',
    })
  }
  // --overwrite: the documents of the restored collections that the backup does not have.
  const present = existing.filter((c) => collections.includes(c))
  const extra = overwrite && present.length > 0 ? await extraDocuments(firestore, present, await backupPaths(store, options.id, manifest), options.signal) : []
  const base = {id: options.id, target: firestore.source, resumed: Boolean(saved), targetWasEmpty, collections, untouched, extra: extra.length}
  if (options.dryRun) return {...base, dryRun: true, documents: 0, deleted: 0, comparison: [], match: true}
  if ((!saved && !targetWasEmpty) || extra.length > 0) {
    await deps.confirm(
      `write ${manifest.totals.count} documents into ${targetName} (collections ${collections.join(', ')})` +
        (overwrite ? ` and delete the ${extra.length} documents there that the backup does not have` : '') +
        (untouched.length > 0 ? `; ${untouched.join(', ')} untouched` : ''),
    )
  }

  const batchSize = options.batch ?? 500
  let done = {chunk: saved?.chunk ?? -1, line: saved?.line ?? 0}
  let pendingPos = done
  if (progressFile) fs.mkdirSync(path.dirname(progressFile), {recursive: true})
  const save = () => {
    if (!progressFile) return
    const doc: FirestoreRestoreProgress = {id: options.id, target: targetName, overwrite, chunk: done.chunk, line: done.line}
    fs.writeFileSync(`${progressFile}.tmp`, JSON.stringify(doc))
    fs.renameSync(`${progressFile}.tmp`, progressFile)
    stepRecorded()
  }
  save()

  let deleted = 0
  for (let i = 0; i < extra.length; i += batchSize) {
    if (options.signal?.aborted) throw new InterruptedError('Restore interrupted.', {hint: 'Continue it with --resume.'})
    await firestore.remove(extra.slice(i, i + batchSize))
    deleted += Math.min(batchSize, extra.length - i)
  }
  if (deleted > 0) deps.progress?.({phase: 'delete', message: `${deleted} documents not in the backup deleted`})

  let batch: {path: string; data: JsonValue}[] = []
  let documents = 0
  const flush = async () => {
    if (batch.length === 0) return
    if (options.signal?.aborted) throw new InterruptedError('Restore interrupted.', {hint: 'Continue it with --resume.'})
    await firestore.write(batch)
    documents += batch.length
    batch = []
    done = pendingPos
    save()
  }
  for (let ci = 0; ci < manifest.chunks.length; ci++) {
    const chunk = manifest.chunks[ci]
    if (ci < done.chunk) continue
    await readChunk(store, options.id, chunk, async (line, n) => {
      // Documents committed before an interruption are not written again.
      if (ci === done.chunk && n <= done.line) return
      batch.push({path: splitPath(line.path).join('/'), data: line.value})
      pendingPos = {chunk: ci, line: n}
      if (batch.length >= batchSize) await flush()
    })
    deps.progress?.({phase: 'restore', message: `${chunk.file} restored (${documents} documents so far)`})
  }
  await flush()

  // Re-read the restored collections (only those: the others are not ours) and compare.
  const actual = KeyStatsBuilder.forKind('firestore')
  await walkFirestore(firestore, {pageSize: 300, roots: collections}, async (p, value) => actual.addLine({path: p, value}))
  const want = manifest.keys
  const got = actual.snapshot()
  const comparison = collections.map((key) => {
    const e = want[key]
    const a = got[key] ?? {count: 0, lines: 0, digest: ''}
    return {key, expected: {count: e.count, digest: e.digest}, actual: {count: a.count, digest: a.digest}, match: e.count === a.count && e.digest === a.digest}
  })
  if (progressFile) fs.rmSync(progressFile, {force: true})
  return {...base, dryRun: false, documents, deleted, comparison, match: comparison.every((c) => c.match)}
}
