/**
 * The backup format: gzip-compressed NDJSON chunks (one line per leaf subtree, with its full
 * path) and a manifest written last. Content digests are independent of how the tree was
 * split into lines and chunks (a SHA-256 over the leaves in key order), so a backup and a
 * re-read of the restored data compare equal.
 */
import {createHash} from 'node:crypto'
import {LeafBytes, type LeafEntry} from './leaf-bytes.js'

export const BACKUP_FORMAT = 'impress-firebase-backup/1'
export const MANIFEST_FILE = 'manifest.json'
export const CHECKPOINT_FILE = 'checkpoint.json'

export type JsonValue = string | number | boolean | null | JsonValue[] | {[key: string]: JsonValue}

/** One NDJSON line: a subtree and where it lives. */
export interface BackupLine {
  path: string
  value: JsonValue
}

export interface ChunkInfo {
  file: string
  sha256: string
  /** Compressed size. */
  bytes: number
  rawBytes: number
  lines: number
  firstPath?: string
  lastPath?: string
}

export interface KeyStats {
  /** RTDB: leaf values; Firestore: documents. */
  count: number
  lines: number
  /** SHA-256 of the leaves in key order (hex). */
  digest: string
}

/** firestore-managed: Firestore's own export into a Cloud Storage bucket (managed.ts); no chunks. */
export type BackupKind = 'rtdb' | 'firestore' | 'firestore-managed'

/** What impress keeps of a managed export: the export is opaque (Firestore's format), this is its record. */
export interface ManagedExportInfo {
  /** gs://bucket/prefix the export wrote (the import reads it back). */
  exportUri: string
  /** The long-running operation's name and its last metadata (ExportDocumentsMetadata). */
  operation: string
  metadata: Record<string, unknown>
  /** The export's objects with their sizes and MD5 (base64), as Cloud Storage listed them. */
  objects: {name: string; bytes: number; md5: string}[]
  /** Documents per top-level collection (aggregation count queries) before the export started and after it ended. */
  counts: {before: Record<string, number>; after: Record<string, number>}
}

export interface Manifest {
  format: typeof BACKUP_FORMAT
  kind: BackupKind
  tool: {name: string; version: string}
  /** RTDB: databaseURL (+ namespace); Firestore: projectId + databaseId. */
  source: {projectId?: string; databaseURL?: string; namespace?: string; databaseId?: string}
  startedAt: string
  finishedAt: string
  /**
   * RTDB REST reads are per request, not one snapshot: the backup spans startedAt..finishedAt.
   * Firestore documents are all read at `readTime`.
   */
  consistency: 'per-request' | 'read-time' | 'managed-export'
  readTime?: string
  chunks: ChunkInfo[]
  totals: {lines: number; count: number; bytes: number; rawBytes: number}
  /** Per top-level key. */
  keys: Record<string, KeyStats>
  digest: string
  /** kind firestore-managed only. */
  managed?: ManagedExportInfo
}

export interface Checkpoint {
  format: typeof BACKUP_FORMAT
  kind: BackupKind
  source: Manifest['source']
  startedAt: string
  chunks: ChunkInfo[]
  /** Path segments of the last line written to a completed chunk. */
  cursor?: string[]
  /** Firestore: the read time every document is read at (a resumed backup keeps it). */
  readTime?: string
  /** firestore-managed: where the export goes, its operation once started (polled again on a rerun), the counts before. */
  managed?: {exportUri: string; operation?: string; countsBefore: Record<string, number>}
}

/** Call `leaf` for every primitive under `value` at `path` (RTDB semantics: arrays are objects). */
export function forEachLeaf(path: string, value: JsonValue, leaf: (path: string, value: string | number | boolean) => void): void {
  if (value === null) return
  if (typeof value !== 'object') {
    leaf(path, value)
    return
  }
  const base = path === '/' ? '' : path
  if (Array.isArray(value)) {
    value.forEach((v, i) => forEachLeaf(`${base}/${i}`, v, leaf))
    return
  }
  for (const k of sortedKeys(value)) forEachLeaf(`${base}/${k}`, value[k], leaf)
}

/** Keys in database order; objects usually arrive in that order already (one pass to check, no sort). */
export function sortedKeys(value: {[key: string]: JsonValue}): string[] {
  const keys = Object.keys(value)
  for (let i = 1; i < keys.length; i++) {
    const a = keys[i - 1]
    const b = keys[i]
    // Two keys that start with neither a digit nor "-" are strings: plain comparison (no regex, no call).
    const ca = a.charCodeAt(0)
    const cb = b.charCodeAt(0)
    if (ca > 57 && cb > 57 && a < b) continue
    if (compareKeys(a, b) > 0) return keys.sort(compareKeys)
  }
  return keys
}

/** Append the digest text of every leaf under `value` at `path` ("<path>\t<JSON value>\n", key order, as forEachLeaf); returns the leaf count. */
function leafText(path: string, value: JsonValue, out: {text: string}): number {
  if (value === null) return 0
  if (typeof value !== 'object') {
    out.text += path + '\t' + (typeof value === 'string' ? JSON.stringify(value) : String(value)) + '\n'
    return 1
  }
  const base = path === '/' ? '' : path
  let n = 0
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) n += leafText(base + '/' + i, value[i], out)
    return n
  }
  const keys = sortedKeys(value)
  for (let i = 0; i < keys.length; i++) n += leafText(base + '/' + keys[i], value[keys[i]], out)
  return n
}

export function topKeyOf(path: string): string {
  let start = 0
  while (path.charCodeAt(start) === 47) start++ // "/"
  if (start >= path.length) return '/'
  const end = path.indexOf('/', start)
  return end < 0 ? path.slice(start) : path.slice(start, end)
}

export function splitPath(p: string): string[] {
  return p.split('/').filter((s) => s.length > 0)
}

export function joinPath(segments: string[]): string {
  return `/${segments.join('/')}`
}

const INT_KEY = /^-?(0*)\d{1,10}$/
function intKey(k: string): number | undefined {
  const c = k.charCodeAt(0)
  if ((c < 48 || c > 57) && c !== 45) return undefined // neither a digit nor "-": a string key (the common case, no regex)
  if (!INT_KEY.test(k)) return undefined
  const n = Number(k)
  return n >= -2147483648 && n <= 2147483647 ? n : undefined
}

/** Realtime Database key order: 32-bit integer keys numerically, then strings lexicographically. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0
  const ia = intKey(a)
  const ib = intKey(b)
  if (ia !== undefined && ib !== undefined) return ia !== ib ? ia - ib : a.length !== b.length ? a.length - b.length : a < b ? -1 : 1
  if (ia !== undefined) return -1
  if (ib !== undefined) return 1
  return a < b ? -1 : 1
}

/**
 * Stats per top-level key: leaf count, line count, and a SHA-256 over the leaves in key order
 * ("<path>\t<JSON value>\n" each). Lines arrive in key order and each is flattened in key
 * order, so the digest is the same however the tree was split into lines and chunks.
 */
export class KeyStatsBuilder {
  private readonly keys = new Map<string, LeafEntry>()
  /** The byte-level leaf text writer (RTDB lines given as bytes: addEncodedLines, addRaw). */
  private bytes: LeafBytes | undefined
  /** Lines given as bytes that took the old path (decode + JSON.parse): a diagnostic for tests and benches. */
  fallbackLines = 0

  /** 'leaves' (RTDB: count and hash every leaf) or 'documents' (Firestore: one line = one document). */
  constructor(private readonly mode: 'leaves' | 'documents' = 'leaves') {}

  static forKind(kind: BackupKind): KeyStatsBuilder {
    return new KeyStatsBuilder(kind === 'firestore' ? 'documents' : 'leaves')
  }

  private entry(key: string): LeafEntry {
    let e = this.keys.get(key)
    if (!e) {
      e = {hash: createHash('sha256'), count: 0, lines: 0}
      this.keys.set(key, e)
    }
    return e
  }

  private leafBytes(): LeafBytes {
    this.bytes ??= new LeafBytes({compareKeys, entry: (key) => this.entry(key)})
    return this.bytes
  }

  addLine(line: BackupLine): void {
    this.bytes?.flush()
    const e = this.entry(topKeyOf(line.path))
    e.lines++
    if (this.mode === 'documents') {
      e.count++
      e.hash.update(`${line.path}\t${canonicalJson(line.value)}\n`)
      return
    }
    const out = {text: ''}
    e.count += leafText(line.path, line.value, out)
    e.hash.update(out.text)
  }

  /**
   * Whole NDJSON lines (each ending with "\n"; empty lines ignored): the same result as
   * addLine(JSON.parse(line)) for each, computed from the bytes (see leaf-bytes.ts); lines the
   * byte path does not take (invalid UTF-8, unexpected shapes, invalid JSON) go through the old
   * path, which throws JSON.parse's error for a line that is not JSON.
   */
  addEncodedLines(data: Uint8Array): void {
    const b = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    if (b.length > 0 && b[b.length - 1] !== 0x0a) throw new Error('addEncodedLines: the data does not end with a line break')
    if (this.mode === 'leaves') {
      this.leafBytes().lines(b, (buf, start, end) => this.oldLine(buf, start, end))
      return
    }
    let start = 0
    for (let nl = b.indexOf(0x0a); nl >= 0; nl = b.indexOf(0x0a, start)) {
      if (nl > start) this.oldLine(b, start, nl)
      start = nl + 1
    }
  }

  /**
   * One line given as its path and the byte range of its value's JSON text: the same result as
   * addLine({path, value: JSON.parse(text)}).
   */
  addRaw(path: string, b: Uint8Array, start: number, end: number): void {
    const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)
    if (this.mode === 'leaves' && this.leafBytes().value(this.entry(topKeyOf(path)), path, buf, start, end)) return
    this.fallbackLines++
    this.guarded(() => this.addLine({path, value: JSON.parse(buf.toString('utf8', start, end)) as JsonValue}))
  }

  /** The old path for one line: decode, JSON.parse, addLine. */
  private oldLine(b: Buffer, start: number, end: number): void {
    this.fallbackLines++
    this.guarded(() => this.addLine(JSON.parse(b.toString('utf8', start, end)) as BackupLine))
  }

  /** Run `add`; when it throws, drop the entries it left without a line (a failed line adds nothing). */
  private guarded(add: () => void): void {
    try {
      add()
    } catch (error) {
      this.bytes?.forgetEntries()
      for (const [k, e] of this.keys) if (e.lines === 0) this.keys.delete(k)
      throw error
    }
  }

  snapshot(): Record<string, KeyStats> {
    this.bytes?.flush()
    const keys = [...this.keys.keys()].sort(compareKeys)
    return Object.fromEntries(keys.map((k) => {
      const e = this.keys.get(k)!
      return [k, {count: e.count, lines: e.lines, digest: e.hash.copy().digest('hex')}]
    }))
  }

  total(): {count: number; lines: number; digest: string} {
    const snap = this.snapshot()
    const h = createHash('sha256')
    let count = 0
    let lines = 0
    for (const [k, s] of Object.entries(snap)) {
      h.update(`${k}:${s.digest}\n`)
      count += s.count
      lines += s.lines
    }
    return {count, lines, digest: h.digest('hex')}
  }
}

/** Backup ids sort by time: 20261123T045500Z-rtdb-<namespace>. */
export function backupId(startedAt: Date, kind: string, source: string): string {
  const t = startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  return `${t}-${kind}-${source.replace(/[^A-Za-z0-9_-]/g, '_')}`
}

export function backupTime(id: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(id)
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : undefined
}

export function chunkName(index: number): string {
  return `chunk-${String(index).padStart(5, '0')}.ndjson.gz`
}

/** JSON with object keys sorted, so equal values give equal text. */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`
}
