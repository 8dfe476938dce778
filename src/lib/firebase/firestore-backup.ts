/**
 * Firestore backup and restore: every collection and sub-collection, paged by document id,
 * all read at one read time (a consistent point in time), written to the same chunked
 * format as Realtime Database backups (one line per document: {path, value: tagged JSON}).
 * Restore writes with the adapter's BulkWriter, then re-reads and compares per collection.
 */
import {InterruptedError, RefusedError, UsageError} from '../errors.js'
import {ChunkWriter} from './chunk-writer.js'
import {BACKUP_FORMAT, KeyStatsBuilder, MANIFEST_FILE, splitPath, type ChunkInfo, type JsonValue, type Manifest} from './format.js'
import type {BackupStore, FirestorePort, Progress} from './ports.js'
import {newBackupId, readChunk} from './read-backup.js'
import {runVerify} from './verify.js'
import type {KeyComparison} from './restore.js'

export interface FirestoreBackupOptions {
  toolVersion: string
  chunkBytes?: number
  pageSize?: number
  now?: () => Date
  signal?: AbortSignal
}

export interface FirestoreBackupResult {
  id: string
  location: string
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

/** Walk every collection at `readTime`, depth first, in id order. */
async function walkFirestore(fs: FirestorePort, readTime: string | undefined, pageSize: number, emit: (path: string, data: JsonValue) => Promise<void>, signal?: AbortSignal): Promise<void> {
  const walkCollection = async (collectionPath: string): Promise<void> => {
    let after: string | undefined
    for (;;) {
      if (signal?.aborted) throw new InterruptedError('Backup interrupted.')
      const docs = await fs.page(collectionPath, after, pageSize, readTime)
      // Sub-collections of the page's documents, asked 8 at a time (one request per document).
      const subs = await mapLimit(docs, 8, (d) => fs.listCollections(d.path))
      for (const [i, d] of docs.entries()) {
        await emit(`/${d.path}`, d.data)
        for (const sub of subs[i].sort()) await walkCollection(`${d.path}/${sub}`)
      }
      if (docs.length < pageSize) return
      after = docs[docs.length - 1].id
    }
  }
  for (const c of (await fs.listCollections()).sort()) await walkCollection(c)
}

export async function runFirestoreBackup(options: FirestoreBackupOptions, deps: {firestore: FirestorePort; store: BackupStore; progress?: Progress}): Promise<FirestoreBackupResult> {
  const {firestore, store} = deps
  const now = options.now ?? (() => new Date())
  const src = firestore.source
  const started = now()
  const id = await newBackupId(store, started, 'firestore', src.databaseId === '(default)' ? src.projectId : `${src.projectId}-${src.databaseId}`)
  const readTime = await firestore.readTime()
  const stats = KeyStatsBuilder.forKind('firestore')
  const chunks: ChunkInfo[] = []
  const staging = await store.stagingDir(id)
  const writer = new ChunkWriter(staging, 1, options.chunkBytes ?? 16 * 1024 * 1024, async (chunk) => {
    await store.putChunk(id, chunk.file)
    chunks.push(chunk)
    deps.progress?.({phase: 'chunk', message: `${chunk.file}: ${chunk.lines} documents (last ${chunk.lastPath})`})
  })
  await walkFirestore(firestore, readTime, options.pageSize ?? 300, async (path, value) => {
    stats.addLine({path, value})
    await writer.write({path, value})
  }, options.signal)
  await writer.close()
  const totals = stats.total()
  const manifest: Manifest = {
    format: BACKUP_FORMAT,
    kind: 'firestore',
    tool: {name: 'impress', version: options.toolVersion},
    source: {projectId: src.projectId, databaseId: src.databaseId},
    startedAt: started.toISOString(),
    finishedAt: now().toISOString(),
    consistency: 'read-time',
    readTime,
    chunks,
    totals: {lines: totals.lines, count: totals.count, bytes: chunks.reduce((s, c) => s + c.bytes, 0), rawBytes: chunks.reduce((s, c) => s + c.rawBytes, 0)},
    keys: stats.snapshot(),
    digest: totals.digest,
  }
  await store.write(id, MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`)
  return {id, location: `${store.location.replace(/\/$/, '')}/${id}`, manifest, documents: totals.count}
}

export interface FirestoreRestoreResult {
  id: string
  target: FirestorePort['source']
  dryRun: boolean
  targetWasEmpty: boolean
  documents: number
  comparison: KeyComparison[]
  match: boolean
}

export async function runFirestoreRestore(
  options: {id: string; overwrite?: boolean; dryRun?: boolean; batch?: number; signal?: AbortSignal},
  deps: {store: BackupStore; firestore: FirestorePort; confirm: (action: string) => Promise<void>; progress?: Progress},
): Promise<FirestoreRestoreResult> {
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
  const existing = await firestore.listCollections()
  const targetWasEmpty = existing.length === 0
  const targetName = `${firestore.source.projectId}/${firestore.source.databaseId}`
  if (!targetWasEmpty && !options.overwrite) {
    throw new RefusedError(`The Firestore target ${targetName} already has collections (${existing.slice(0, 5).join(', ')}).`, {
      code: 'E_TARGET_NOT_EMPTY',
      hint: 'Restore into an empty database, or pass --overwrite to write over the documents there.',
    })
  }
  if (options.dryRun) return {id: options.id, target: firestore.source, dryRun: true, targetWasEmpty, documents: 0, comparison: [], match: true}
  if (!targetWasEmpty) await deps.confirm(`write ${manifest.totals.count} documents over the existing data of ${targetName}`)
  const batchSize = options.batch ?? 500
  let batch: {path: string; data: JsonValue}[] = []
  let documents = 0
  const flush = async () => {
    if (batch.length === 0) return
    if (options.signal?.aborted) throw new InterruptedError('Restore interrupted.')
    await firestore.write(batch)
    documents += batch.length
    batch = []
  }
  for (const chunk of manifest.chunks) {
    await readChunk(store, options.id, chunk, async (line) => {
      batch.push({path: splitPath(line.path).join('/'), data: line.value})
      if (batch.length >= batchSize) await flush()
    })
    deps.progress?.({phase: 'restore', message: `${chunk.file} restored (${documents} documents so far)`})
  }
  await flush()
  const actual = KeyStatsBuilder.forKind('firestore')
  await walkFirestore(firestore, undefined, 300, async (path, value) => actual.addLine({path, value}))
  const want = manifest.keys
  const got = actual.snapshot()
  const keys = [...new Set([...Object.keys(want), ...Object.keys(got)])].sort()
  const comparison = keys.map((key) => {
    const e = want[key] ?? {count: 0, lines: 0, digest: ''}
    const a = got[key] ?? {count: 0, lines: 0, digest: ''}
    return {key, expected: {count: e.count, digest: e.digest}, actual: {count: a.count, digest: a.digest}, match: e.count === a.count && e.digest === a.digest}
  })
  return {id: options.id, target: firestore.source, dryRun: false, targetWasEmpty, documents, comparison, match: comparison.every((c) => c.match)}
}
