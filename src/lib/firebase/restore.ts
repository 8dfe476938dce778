/**
 * Restore a Realtime Database backup: verify it first (refuse a corrupt or incomplete one),
 * refuse a non-empty target unless overwriting, stream the lines back as multi-path PATCHes
 * well under the 16 MB write limit (a line too big for one request is split into its
 * children), record progress so --resume continues, then re-read the target and compare
 * counts and digests with what was written.
 */
import fs from 'node:fs'
import path from 'node:path'
import {OperationError, RefusedError, UsageError} from '../errors.js'
import {joinPath, KeyStatsBuilder, splitPath, type BackupLine, type JsonValue} from './format.js'
import type {BackupStore, Progress, RtdbPort} from './ports.js'
import {memoryGuard} from './memory.js'
import {readChunk} from './read-backup.js'
import {runVerify} from './verify.js'
import {walkTree} from './walk.js'
import {stepRecorded} from '../journal/failpoint.js'
import {Lock} from '../journal/journal.js'

export interface RtdbRestoreOptions {
  id: string
  /** Restore only this subtree (absolute path). */
  path?: string
  overwrite?: boolean
  resume?: boolean
  dryRun?: boolean
  /** Bytes per PATCH request (default 4 MiB, well under the 16 MB limit). */
  batchBytes?: number
  /** Directory for the restore's progress file. */
  stateDir: string
  signal?: AbortSignal
}

export interface RtdbRestoreDeps {
  store: BackupStore
  target: RtdbPort
  /** Asked before deleting the target's data (--overwrite). */
  confirm: (action: string) => Promise<void>
  progress?: Progress
}

export interface KeyComparison {
  key: string
  expected: {count: number; digest: string}
  actual: {count: number; digest: string}
  match: boolean
}

export interface RtdbRestoreResult {
  id: string
  target: RtdbPort['source']
  path: string
  dryRun: boolean
  resumed: boolean
  targetWasEmpty: boolean
  lines: number
  requests: number
  bytes: number
  comparison: KeyComparison[]
  match: boolean
}

interface RestoreProgress {
  id: string
  target: string
  path: string
  /** Index in manifest.chunks and line number (1-based) of the last line fully written. */
  chunk: number
  line: number
}

export async function runRtdbRestore(options: RtdbRestoreOptions, deps: RtdbRestoreDeps): Promise<RtdbRestoreResult> {
  if (options.dryRun) return restoreRtdb(options, deps)
  // one restore per target database at a time from this machine: two would interleave their deletes and PATCHes
  const targetName = `${deps.target.source.databaseURL}${deps.target.source.namespace ? `#${deps.target.source.namespace}` : ''}`
  return Lock.with(options.stateDir, [`restore-${targetName.replace(/[^A-Za-z0-9_-]+/g, '_')}`], `impress firebase restore into ${targetName}`, () => restoreRtdb(options, deps))
}

async function restoreRtdb(options: RtdbRestoreOptions, deps: RtdbRestoreDeps): Promise<RtdbRestoreResult> {
  const {store, target} = deps
  const root = splitPath(options.path ?? '/')
  const rootPath = joinPath(root)
  const verify = await runVerify({id: options.id}, {store, progress: deps.progress})
  if (!verify.ok || !verify.manifest) {
    const first = verify.problems[0]
    throw new UsageError(`Backup ${options.id} is ${verify.complete ? 'corrupt' : 'incomplete'}: ${first?.chunk ? `${first.chunk}: ` : ''}${first?.problem ?? 'unknown problem'}.`, {
      hint: 'Run `impress firebase verify` on it for details, and restore another backup (`impress firebase backups`).',
      details: {problems: verify.problems},
    })
  }
  const manifest = verify.manifest
  if (manifest.kind !== 'rtdb') throw new UsageError(`Backup ${options.id} is a ${manifest.kind} backup, not a Realtime Database one.`, {hint: 'Restore it with the matching target.'})
  const targetName = `${target.source.databaseURL}${target.source.namespace ? `#${target.source.namespace}` : ''}`
  const progressFile = path.join(options.stateDir, `restore-${options.id}-${targetName.replace(/[^A-Za-z0-9_-]+/g, '_')}${root.length ? `-${root.join('_')}` : ''}.json`)
  let saved: RestoreProgress | undefined
  if (options.resume) {
    if (!fs.existsSync(progressFile)) throw new RefusedError(`No interrupted restore of ${options.id} into ${targetName} to resume.`, {code: 'E_NOTHING_TO_RESUME', hint: 'Run the restore without --resume.'})
    saved = JSON.parse(fs.readFileSync(progressFile, 'utf8')) as RestoreProgress
  }

  const existing = await target.get(rootPath, {shallow: true})
  const targetWasEmpty = !existing.tooBig && existing.value === null
  if (!saved && !targetWasEmpty && !options.overwrite) {
    throw new RefusedError(`The target ${targetName} already has data at ${rootPath}.`, {
      code: 'E_TARGET_NOT_EMPTY',
      hint: 'Restore into an empty database or path, or pass --overwrite to replace what is there.',
    })
  }
  const base = {id: options.id, target: target.source, path: rootPath, resumed: Boolean(saved), targetWasEmpty}
  if (options.dryRun) {
    return {...base, dryRun: true, lines: 0, requests: 0, bytes: 0, comparison: [], match: true}
  }
  if (!saved && !targetWasEmpty) {
    await deps.confirm(`delete everything at ${rootPath} in ${targetName} and restore backup ${options.id} there`)
    const children = existing.tooBig || existing.value === null || typeof existing.value !== 'object' ? undefined : Object.keys(existing.value)
    if (children) for (const k of children) await target.remove(joinPath([...root, k]))
    else await target.remove(rootPath)
  }

  const batchBytes = options.batchBytes ?? 4 * 1024 * 1024
  const expected = new KeyStatsBuilder()
  let batch: Record<string, JsonValue> = {}
  let batchSize = 2
  let requests = 0
  let bytes = 0
  let lines = 0
  let done = {chunk: saved?.chunk ?? -1, line: saved?.line ?? 0}
  let pendingPos = done
  fs.mkdirSync(options.stateDir, {recursive: true})
  const save = () => {
    const doc: RestoreProgress = {id: options.id, target: targetName, path: rootPath, chunk: done.chunk, line: done.line}
    fs.writeFileSync(`${progressFile}.tmp`, JSON.stringify(doc))
    fs.renameSync(`${progressFile}.tmp`, progressFile)
    stepRecorded()
  }
  // One PATCH in flight while the next batch is read and built; PATCHes still go one after another,
  // and the progress file only ever names lines whose PATCH has completed.
  let inflight: Promise<void> | undefined
  const flush = async () => {
    if (Object.keys(batch).length === 0) return
    if (options.signal?.aborted) {
      await inflight?.catch(() => {}) // its progress is recorded before stopping
      throw options.signal.reason
    }
    const body = batch
    const size = batchSize
    const pos = pendingPos
    batch = {}
    batchSize = 2
    if (inflight) await inflight
    inflight = target.patch('/', body).then(() => {
      requests++
      bytes += size
      done = pos
      save()
    })
    inflight.catch(() => {}) // awaited by the next flush or after the last one
  }
  const add = async (segments: string[], value: JsonValue): Promise<void> => {
    const key = segments.join('/')
    if (key === '') throw new OperationError('The backup holds a single value at the root; restore it with a PUT by hand.', {hint: 'This backup has no children to restore.'})
    const size = Buffer.byteLength(key) + JSON.stringify(value).length + 4
    if (size > batchBytes && value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) await add([...segments, k], v)
      return
    }
    if (batchSize + size > batchBytes) await flush()
    batch[key] = value
    batchSize += size
  }

  const guard = memoryGuard() // bounded RSS at any size: see memory.ts
  for (let ci = 0; ci < manifest.chunks.length; ci++) {
    const chunk = manifest.chunks[ci]
    await readChunk(store, options.id, chunk, async (line: BackupLine, n: number) => {
      guard()
      const piece = selectUnder(line, root)
      if (!piece) return
      expected.addLine({path: joinPath(piece.segments), value: piece.value})
      // Lines written before an interruption count for the comparison but are not sent again.
      if (ci < done.chunk || (ci === done.chunk && n <= done.line)) return
      lines++
      await add(piece.segments, piece.value)
      pendingPos = {chunk: ci, line: n}
    })
    deps.progress?.({phase: 'restore', message: `${chunk.file} restored (${requests} requests so far)`})
  }
  await flush()
  await inflight

  // Re-read what is now in the target and compare.
  const actual = new KeyStatsBuilder()
  await walkTree({
    root,
    get: (p, o) => target.getRaw(p, o),
    emit: (segments, text, start, end) => {
      guard()
      actual.addRaw(joinPath(segments), text, start, end)
    },
  })
  const want = expected.snapshot()
  const got = actual.snapshot()
  const keys = [...new Set([...Object.keys(want), ...Object.keys(got)])].sort()
  const comparison = keys.map((key) => {
    const e = want[key] ?? {count: 0, lines: 0, digest: ''}
    const a = got[key] ?? {count: 0, lines: 0, digest: ''}
    return {key, expected: {count: e.count, digest: e.digest}, actual: {count: a.count, digest: a.digest}, match: e.count === a.count && e.digest === a.digest}
  })
  fs.rmSync(progressFile, {force: true})
  return {...base, dryRun: false, lines, requests, bytes, comparison, match: comparison.every((c) => c.match)}
}

/** The part of a line at or under `root`, or undefined. */
function selectUnder(line: BackupLine, root: string[]): {segments: string[]; value: JsonValue} | undefined {
  const segs = splitPath(line.path)
  const n = Math.min(segs.length, root.length)
  for (let i = 0; i < n; i++) if (segs[i] !== root[i]) return undefined
  if (segs.length >= root.length) return {segments: segs, value: line.value}
  let v: JsonValue = line.value
  for (let i = segs.length; i < root.length; i++) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined
    v = (v as Record<string, JsonValue>)[root[i]] ?? null
  }
  return v === null ? undefined : {segments: root, value: v}
}
