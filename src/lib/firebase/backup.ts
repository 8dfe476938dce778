/**
 * Streamed Realtime Database backup over REST: walk the tree from the top-level keys, read
 * each subtree whole when the database (and the client's response cap) allow it, otherwise
 * page its children with orderBy="$key" + limitToFirst + startAt, shrinking the page on
 * too_big and descending into a single child that is itself too big. Lines go to gzip NDJSON
 * chunks; after every chunk a checkpoint records the chunks and the last path, so --resume
 * continues from there. The manifest is written last.
 */
import {InterruptedError, RefusedError} from '../errors.js'
import {checkpointedWriter, findUnfinishedBackup, reopenCheckpoint, saveCheckpoint as writeCheckpoint, writeManifest} from './checkpoint.js'
import {newBackupId} from './read-backup.js'
import {walkTree} from './walk.js'
import {memoryGuard} from './memory.js'
import {startLineDigests} from './line-digests.js'
import {
  joinPath,
  type Checkpoint,
  type ChunkInfo,
  type Manifest,
} from './format.js'
import type {BackupStore, Progress, RtdbPort} from './ports.js'

export interface RtdbBackupOptions {
  /** Continue the newest unfinished backup of the same source. */
  resume?: boolean
  /** Raw (uncompressed) bytes per chunk. */
  chunkBytes?: number
  /** First page size when paging a wide node; doubles up to maxPage while pages fit. */
  pageSize?: number
  maxPage?: number
  toolVersion: string
  now?: () => Date
  signal?: AbortSignal
}

export interface RtdbBackupDeps {
  rtdb: RtdbPort
  store: BackupStore
  progress?: Progress
}

export interface RtdbBackupResult {
  id: string
  location: string
  resumed: boolean
  manifest: Manifest
  requests: number
}

export async function runRtdbBackup(options: RtdbBackupOptions, deps: RtdbBackupDeps): Promise<RtdbBackupResult> {
  const {rtdb, store} = deps
  const now = options.now ?? (() => new Date())
  const source = {...rtdb.source}
  const sourceName = source.namespace ?? new URL(source.databaseURL).hostname.split('.')[0]

  let id: string
  let checkpoint: Checkpoint | undefined
  if (options.resume) {
    const found = await findUnfinished(store, sourceName, source.databaseURL)
    if (!found) {
      throw new RefusedError(`No unfinished backup of ${sourceName} to resume in ${store.location}.`, {
        code: 'E_NOTHING_TO_RESUME',
        hint: 'Run the backup without --resume to start a new one.',
      })
    }
    id = found.id
    checkpoint = found.checkpoint
  } else {
    id = await newBackupId(store, now(), 'rtdb', sourceName)
  }
  const startedAt = checkpoint?.startedAt ?? now().toISOString()
  const chunks: ChunkInfo[] = [...(checkpoint?.chunks ?? [])]
  // Per-key digests of the lines, on a worker thread when possible (see line-digests.ts).
  const digests = startLineDigests()
  try {
    let lastPath: string[] | undefined = checkpoint?.cursor
    let pendingLast: string[] | undefined

    if (checkpoint) {
      // Drop chunk files written after the checkpoint (they are rewritten); the digests continue
      // over the lines already written: read them back (checked against the checkpoint).
      await reopenCheckpoint(store, id, checkpoint, (line) => digests.addLine(line))
      deps.progress?.({phase: 'resume', message: `resuming ${id} after ${chunks.length} chunk(s), from ${joinPath(checkpoint.cursor ?? [])}`})
    }

    const saveCheckpoint = () => writeCheckpoint(store, id, {kind: 'rtdb', source, startedAt, chunks, cursor: lastPath})
    if (!checkpoint) await saveCheckpoint()

    // The digests see the same NDJSON bytes as gzip (on the worker when there is one).
    const writer = await checkpointedWriter({
      store, id, chunks, chunkBytes: options.chunkBytes, progress: deps.progress,
      commit: () => {
        lastPath = pendingLast
        return saveCheckpoint()
      },
      describe: (chunk) => `${chunk.file}: ${chunk.lines} lines, ${chunk.bytes} bytes (last ${chunk.lastPath})`,
      onData: (data) => digests.addEncoded(data),
    })

    let requests = 0
    const get: RtdbPort['getRaw'] = async (p, o) => {
      if (options.signal?.aborted) throw new InterruptedError('Backup interrupted.')
      requests++
      return rtdb.getRaw(p, o)
    }
    const guard = memoryGuard() // bounded RSS: see memory.ts
    const emit = (segments: string[], text: Buffer, start: number, end: number) => {
      guard()
      pendingLast = segments
      return writer.writeRaw(joinPath(segments), text, start, end)
    }

    const cursor = lastPath
    try {
      await walkTree({get, emit, cursor, pageSize: options.pageSize, maxPage: options.maxPage, onSplit: (p) => deps.progress?.({phase: 'split', message: `${p} is too big for one read: paging its children`})})
      await writer.close()
    } catch (error) {
      // Keep what is complete: close the open chunk so the checkpoint covers it.
      if (error instanceof InterruptedError || options.signal?.aborted) {
        await writer.close()
        throw new InterruptedError(`Backup interrupted; ${chunks.length} chunk(s) kept.`, {hint: `Continue it with --resume (backup ${id}).`})
      }
      throw error
    }

    const {total: totals, keys} = await digests.result()
    const {manifest, location} = await writeManifest(store, id, {
      kind: 'rtdb', toolVersion: options.toolVersion, source, startedAt, finishedAt: now().toISOString(), consistency: 'per-request', chunks,
      lines: totals.lines, count: totals.count, keys, digest: totals.digest,
    })
    return {id, location, resumed: Boolean(checkpoint), manifest, requests}
  } finally {
    digests.close()
  }
}

/** The newest backup of this source with a checkpoint and no manifest. */
export async function findUnfinished(store: BackupStore, sourceName: string, databaseURL: string): Promise<{id: string; checkpoint: Checkpoint} | undefined> {
  return findUnfinishedBackup(store, 'rtdb', sourceName, (cp) => cp.source.databaseURL === databaseURL)
}
