/** Read a backup: its manifest or checkpoint, and the lines of a chunk (hashing the compressed bytes as they stream). */
import {createHash} from 'node:crypto'
import {createGunzip} from 'node:zlib'
import {ViolationError} from '../errors.js'
import {BACKUP_FORMAT, backupId, CHECKPOINT_FILE, type BackupKind, MANIFEST_FILE, type BackupLine, type Checkpoint, type ChunkInfo, type Manifest} from './format.js'
import type {BackupStore} from './ports.js'

export async function readManifest(store: BackupStore, id: string): Promise<Manifest | undefined> {
  const raw = await store.read(id, MANIFEST_FILE)
  if (!raw) return undefined
  let manifest: unknown
  try {
    manifest = JSON.parse(raw.toString('utf8'))
  } catch (error) {
    throw corruptManifest(id, `not JSON (${(error as Error).message})`)
  }
  const problem = manifestProblem(manifest)
  if (problem) throw corruptManifest(id, problem)
  return manifest as Manifest
}

/** A damaged manifest is a corrupt backup (exit 3), never a crash on its first missing field (found by the bad-input sweep, issue 17). */
function corruptManifest(id: string, problem: string): ViolationError {
  return new ViolationError(`Backup ${id} is corrupt: ${MANIFEST_FILE} ${problem}.`, {
    code: 'E_BACKUP_CORRUPT',
    hint: 'Do not restore it; take a new backup, or restore an older verified one (`impress firebase backups`).',
    details: {id, file: MANIFEST_FILE},
  })
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0

/** What is wrong with a parsed manifest's shape (the fields verify and restore rely on), or undefined. */
export function manifestProblem(m: unknown): string | undefined {
  if (!isObject(m)) return 'is not a JSON object'
  if (m.format !== BACKUP_FORMAT) return `has format ${JSON.stringify(m.format)}, expected "${BACKUP_FORMAT}"`
  if (!['rtdb', 'firestore', 'firestore-managed'].includes(m.kind as string)) return `has kind ${JSON.stringify(m.kind)}`
  if (!Array.isArray(m.chunks)) return 'has no chunks list'
  for (const [i, c] of m.chunks.entries()) {
    if (!isObject(c) || typeof c.file !== 'string' || !/^[\w.-]+$/.test(c.file) || typeof c.sha256 !== 'string' || !isCount(c.bytes) || !isCount(c.lines)) return `has a malformed chunks[${i}]`
  }
  if (!isObject(m.totals) || !isCount(m.totals.lines) || !isCount(m.totals.count)) return 'has malformed totals'
  if (!isObject(m.keys)) return 'has no keys'
  for (const [k, v] of Object.entries(m.keys)) if (!isObject(v) || typeof v.digest !== 'string' || !isCount(v.count) || !isCount(v.lines)) return `has malformed keys.${k}`
  if (typeof m.digest !== 'string') return 'has no digest'
  if (m.kind === 'firestore-managed' && (!isObject(m.managed) || !Array.isArray(m.managed.objects))) return 'has no managed export record'
  return undefined
}

export async function readCheckpoint(store: BackupStore, id: string): Promise<Checkpoint | undefined> {
  const raw = await store.read(id, CHECKPOINT_FILE)
  try {
    return raw ? (JSON.parse(raw.toString('utf8')) as Checkpoint) : undefined
  } catch {
    return undefined
  }
}

export interface ChunkReadResult {
  sha256: string
  bytes: number
  lines: number
}

/**
 * Stream one chunk: SHA-256 and size of the compressed bytes, and every parsed line handed to
 * `onLine` (awaited, so a slow consumer holds the stream). Throws on bad gzip or bad JSON,
 * naming the line number.
 */
export async function readChunk(store: BackupStore, id: string, chunk: ChunkInfo, onLine: (line: BackupLine, n: number) => Promise<void> | void): Promise<ChunkReadResult> {
  const src = await store.openRead(id, chunk.file)
  const hash = createHash('sha256')
  let bytes = 0
  src.on('data', (b: Buffer) => {
    hash.update(b)
    bytes += b.length
  })
  const gunzip = createGunzip()
  src.on('error', (e) => gunzip.destroy(e))
  src.pipe(gunzip)
  let rest = ''
  let n = 0
  const handle = async (text: string) => {
    if (text.length === 0) return
    n++
    let parsed: BackupLine
    try {
      parsed = JSON.parse(text) as BackupLine
    } catch {
      throw new Error(`line ${n} is not valid JSON`)
    }
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.path !== 'string' || !parsed.path.startsWith('/') || !('value' in parsed)) {
      throw new Error(`line ${n} is not a {path, value} record`)
    }
    await onLine(parsed, n)
  }
  for await (const part of gunzip) {
    rest += (part as Buffer).toString('utf8')
    let nl = rest.indexOf('\n')
    while (nl >= 0) {
      const text = rest.slice(0, nl)
      rest = rest.slice(nl + 1)
      await handle(text)
      nl = rest.indexOf('\n')
    }
  }
  await handle(rest)
  return {sha256: hash.digest('hex'), bytes, lines: n}
}

/** What a backup holds: from its manifest, else its checkpoint; undefined when neither exists. */
export async function backupKind(store: BackupStore, id: string): Promise<BackupKind | undefined> {
  return (await readManifest(store, id).catch(() => undefined))?.kind ?? (await readCheckpoint(store, id))?.kind
}

/** A new backup id not yet used in the store (two backups in the same second get the next second). */
export async function newBackupId(store: BackupStore, startedAt: Date, kind: BackupKind, source: string): Promise<string> {
  const taken = new Set(await store.list())
  let t = startedAt.getTime()
  let id = backupId(new Date(t), kind, source)
  while (taken.has(id)) {
    t += 1000
    id = backupId(new Date(t), kind, source)
  }
  return id
}
