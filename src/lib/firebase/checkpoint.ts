/**
 * The backup checkpoint, for either kind: `checkpoint.json` next to the chunks lists the chunks
 * complete on disk and the path of the last line in them (the cursor). It is written when the
 * backup starts and after every finished chunk (the ChunkWriter's onChunk); the manifest is
 * written last. Resuming drops chunk files written after the checkpoint and re-reads the kept
 * ones (checking their SHA-256) so counts and digests continue over the lines already written.
 * The same mechanism the Realtime Database backup uses (backup.ts), as shared helpers.
 */
import fs from 'node:fs'
import path from 'node:path'
import {OperationError} from '../errors.js'
import {BACKUP_FORMAT, CHECKPOINT_FILE, MANIFEST_FILE, type BackupKind, type BackupLine, type Checkpoint, type ChunkInfo, type KeyStats, type Manifest} from './format.js'
import {ChunkWriter} from './chunk-writer.js'
import type {BackupStore, Progress} from './ports.js'
import {readChunk} from './read-backup.js'
import {stepRecorded} from '../journal/failpoint.js'

/** The newest backup of `kind` for `sourceName` with a checkpoint and no manifest that `matches`. */
export async function findUnfinishedBackup(store: BackupStore, kind: BackupKind, sourceName: string, matches: (cp: Checkpoint) => boolean): Promise<{id: string; checkpoint: Checkpoint} | undefined> {
  const suffix = `-${kind}-${sourceName.replace(/[^A-Za-z0-9_-]/g, '_')}`
  const ids = (await store.list()).filter((i) => i.endsWith(suffix)).reverse()
  for (const id of ids) {
    if (await store.read(id, MANIFEST_FILE)) continue
    const raw = await store.read(id, CHECKPOINT_FILE)
    if (!raw) continue
    let cp: Checkpoint
    try {
      cp = JSON.parse(raw.toString('utf8')) as Checkpoint
    } catch {
      continue
    }
    if (cp.kind === kind && matches(cp)) return {id, checkpoint: cp}
  }
  return undefined
}

/**
 * Prepare a checkpointed backup for resuming: remove chunk files the checkpoint does not list
 * (written after it, they are rewritten), and hand every line of the kept chunks to `onLine`
 * (to rebuild counts and digests), refusing when a kept chunk no longer has its SHA-256.
 */
export async function reopenCheckpoint(store: BackupStore, id: string, checkpoint: Checkpoint, onLine: (line: BackupLine) => void): Promise<void> {
  const keep = new Set(checkpoint.chunks.map((c) => c.file))
  for (const f of await store.files(id)) {
    if (!/^chunk-\d+\.ndjson\.gz$/.test(f.name) || keep.has(f.name)) continue
    fs.rmSync(path.join(await store.stagingDir(id), f.name), {force: true})
    await store.removeFile?.(id, f.name)
  }
  for (const c of checkpoint.chunks) {
    const r = await readChunk(store, id, c, onLine)
    if (r.sha256 !== c.sha256) {
      throw new OperationError(`Cannot resume backup ${id}: ${c.file} changed since it was written.`, {hint: 'Start a new backup (without --resume).'})
    }
  }
}

/** Write the checkpoint (atomically, through the store). */
export async function saveCheckpoint(store: BackupStore, id: string, checkpoint: Omit<Checkpoint, 'format'>): Promise<void> {
  const doc: Checkpoint = {format: BACKUP_FORMAT, ...checkpoint}
  await store.write(id, CHECKPOINT_FILE, JSON.stringify(doc, null, 2))
  stepRecorded()
}

/**
 * Finish a backup of either kind: the manifest (written last, so only a complete backup has
 * one) with the chunk totals summed. Returns the manifest and where the backup is.
 */
export async function writeManifest(
  store: BackupStore,
  id: string,
  fields: Omit<Manifest, 'format' | 'tool' | 'totals' | 'keys' | 'digest'> & {toolVersion: string; lines: number; count: number; keys: Record<string, KeyStats>; digest: string; bytes?: number},
): Promise<{manifest: Manifest; location: string}> {
  // A managed export has no chunks: its bytes are the export's objects'.
  const {toolVersion, lines, count, bytes, ...rest} = fields
  const manifest: Manifest = {
    format: BACKUP_FORMAT,
    ...rest,
    tool: {name: 'impress', version: toolVersion},
    totals: {lines, count, bytes: bytes ?? fields.chunks.reduce((s, c) => s + c.bytes, 0), rawBytes: fields.chunks.reduce((s, c) => s + c.rawBytes, 0)},
  }
  await store.write(id, MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`)
  return {manifest, location: `${store.location.replace(/\/$/, '')}/${id}`}
}

export interface CheckpointedWriterOptions {
  store: BackupStore
  id: string
  /** The chunks complete so far (a resumed backup's); each finished chunk is appended. */
  chunks: ChunkInfo[]
  chunkBytes?: number
  /** Move the cursor to the chunk's last line and save the checkpoint. */
  commit: () => Promise<void>
  /** The progress line for a finished chunk. */
  describe: (chunk: ChunkInfo) => string
  progress?: Progress
  /** Sees every piece of NDJSON as it goes to gzip (the digests). */
  onData?: (data: Buffer) => Promise<void> | undefined
}

/**
 * The chunk writer of a backup of either kind: chunks are written in the store's staging
 * directory, and each finished one is stored, listed, checkpointed and reported, in that order.
 */
export async function checkpointedWriter(o: CheckpointedWriterOptions): Promise<ChunkWriter> {
  const staging = await o.store.stagingDir(o.id)
  return new ChunkWriter(staging, o.chunks.length + 1, o.chunkBytes ?? 16 * 1024 * 1024, async (chunk) => {
    await o.store.putChunk(o.id, chunk.file)
    o.chunks.push(chunk)
    await o.commit()
    o.progress?.({phase: 'chunk', message: o.describe(chunk)})
  }, o.onData)
}
