/**
 * The backup format: gzip-compressed NDJSON chunks (one line per leaf subtree, with its full
 * path) and a manifest written last. Content digests are order- and chunking-independent
 * (the sum modulo 2^256 of the SHA-256 of every leaf's path and value), so a backup and a
 * re-read of the restored data compare equal however the tree was split.
 */
import {createHash} from 'node:crypto'

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
  /** Order-independent content digest (hex). */
  digest: string
}

export interface Manifest {
  format: typeof BACKUP_FORMAT
  kind: 'rtdb'
  tool: {name: string; version: string}
  source: {projectId?: string; databaseURL: string; namespace?: string}
  startedAt: string
  finishedAt: string
  /** RTDB REST reads are per request, not one snapshot: the backup spans startedAt..finishedAt. */
  consistency: 'per-request'
  chunks: ChunkInfo[]
  totals: {lines: number; count: number; bytes: number; rawBytes: number}
  /** Per top-level key. */
  keys: Record<string, KeyStats>
  digest: string
}

export interface Checkpoint {
  format: typeof BACKUP_FORMAT
  kind: 'rtdb'
  source: Manifest['source']
  startedAt: string
  chunks: ChunkInfo[]
  /** Path segments of the last line written to a completed chunk. */
  cursor?: string[]
  keys: Record<string, KeyStats>
}

/** Order-independent multiset digest of leaves: the sum of their SHA-256 values modulo 2^256. */
export class Digest {
  /** Eight 32-bit limbs, most significant first. */
  private readonly limbs = new Array<number>(8).fill(0)
  count = 0

  constructor(hex?: string, count = 0) {
    if (hex) for (let i = 0; i < 8; i++) this.limbs[i] = Number.parseInt(hex.slice(i * 8, i * 8 + 8), 16)
    this.count = count
  }

  addLeaf(path: string, value: string | number | boolean): void {
    const h = createHash('sha256').update(path).update('\n').update(JSON.stringify(value)).digest()
    this.addWords((i) => h.readUInt32BE(i * 4))
    this.count++
  }

  merge(other: Digest): void {
    this.addWords((i) => other.limbs[i])
    this.count += other.count
  }

  private addWords(word: (i: number) => number): void {
    let carry = 0
    for (let i = 7; i >= 0; i--) {
      const s = this.limbs[i] + word(i) + carry
      this.limbs[i] = s >>> 0
      carry = s > 0xffffffff ? 1 : 0
    }
  }

  hex(): string {
    return this.limbs.map((l) => l.toString(16).padStart(8, '0')).join('')
  }
}

/** Call `leaf` for every primitive under `value` at `path` (RTDB semantics: arrays are objects). */
export function forEachLeaf(path: string, value: JsonValue, leaf: (path: string, value: string | number | boolean) => void): void {
  if (value === null) return
  if (typeof value !== 'object') {
    leaf(path, value)
    return
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value)
  const base = path === '/' ? '' : path
  for (const [k, v] of entries) forEachLeaf(`${base}/${k}`, v, leaf)
}

export function topKeyOf(path: string): string {
  const segs = splitPath(path)
  return segs[0] ?? '/'
}

export function splitPath(p: string): string[] {
  return p.split('/').filter((s) => s.length > 0)
}

export function joinPath(segments: string[]): string {
  return `/${segments.join('/')}`
}

const INT_KEY = /^-?(0|[1-9]\d{0,9})$/
function intKey(k: string): number | undefined {
  if (!INT_KEY.test(k)) return undefined
  const n = Number(k)
  return n >= -2147483648 && n <= 2147483647 ? n : undefined
}

/** Realtime Database key order: 32-bit integer keys numerically, then strings lexicographically. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0
  const ia = intKey(a)
  const ib = intKey(b)
  if (ia !== undefined && ib !== undefined) return ia - ib
  if (ia !== undefined) return -1
  if (ib !== undefined) return 1
  return a < b ? -1 : 1
}

/** Stats accumulated per top-level key while writing or reading lines. */
export class KeyStatsBuilder {
  private readonly digests = new Map<string, {digest: Digest; lines: number}>()

  constructor(initial: Record<string, KeyStats> = {}) {
    for (const [k, s] of Object.entries(initial)) this.digests.set(k, {digest: new Digest(s.digest, s.count), lines: s.lines})
  }

  addLine(line: BackupLine): void {
    const key = topKeyOf(line.path)
    let e = this.digests.get(key)
    if (!e) {
      e = {digest: new Digest(), lines: 0}
      this.digests.set(key, e)
    }
    e.lines++
    const d = e.digest
    forEachLeaf(line.path, line.value, (p, v) => d.addLeaf(p, v))
  }

  /** Add everything `other` accumulated. */
  absorb(other: KeyStatsBuilder): void {
    for (const [k, e] of other.digests) {
      const mine = this.digests.get(k)
      if (mine) {
        mine.digest.merge(e.digest)
        mine.lines += e.lines
      } else {
        this.digests.set(k, {digest: new Digest(e.digest.hex(), e.digest.count), lines: e.lines})
      }
    }
  }

  snapshot(): Record<string, KeyStats> {
    const keys = [...this.digests.keys()].sort(compareKeys)
    return Object.fromEntries(keys.map((k) => {
      const e = this.digests.get(k)!
      return [k, {count: e.digest.count, lines: e.lines, digest: e.digest.hex()}]
    }))
  }

  total(): {count: number; lines: number; digest: string} {
    const all = new Digest()
    let lines = 0
    for (const e of this.digests.values()) {
      all.merge(e.digest)
      lines += e.lines
    }
    return {count: all.count, lines, digest: all.hex()}
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
