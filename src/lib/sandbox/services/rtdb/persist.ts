/**
 * Persistence of the emulated databases, built to hold gigabytes: each database is one file of
 * NDJSON lines, each line at most ~1 MB of JSON, so no single string ever holds the whole tree
 * (a 1 GB database is larger than V8's longest string):
 *
 *   {"p": ["bench", "items"], "m": {"i0": {...}, "i1": {...}}}   merge these children into /bench/items
 *   {"p": [], "v": "a leaf or small tree"}                      the value at p
 *
 * A file is written whole (temp file + rename) when the sandbox has been idle for a moment after
 * a write, never after every write (a bulk load of PATCHes would rewrite the whole tree each
 * time), at the latest MAX_STALE_MS after the first unsaved write, and when the host stops.
 */
import fs from 'node:fs'
import path from 'node:path'
import {isNode, setAt, type RtdbNode, type RtdbValue} from './tree.js'

/** Subtrees up to this many bytes of JSON go on one line; larger nodes are split by children. */
const LINE_BYTES = 1024 * 1024
/** Write buffered lines to the file in pieces of about this size. */
const WRITE_BYTES = 8 * 1024 * 1024
const MAX_STALE_MS = 5 * 60 * 1000

/** The JSON size of `node` in bytes (close: string escapes are not counted), or limit + 1 once over `limit`. */
export function sizeUpTo(node: RtdbNode, limit: number): number {
  let total = 0
  const visit = (n: RtdbNode): boolean => {
    if (!isNode(n)) {
      total += typeof n === 'string' ? Buffer.byteLength(n) + 2 : String(n).length
      return total > limit
    }
    total += 2
    for (const k in n) {
      total += Buffer.byteLength(k) + 4
      if (visit(n[k])) return true
    }
    return total > limit
  }
  return visit(node) ? limit + 1 : total
}

/** The lines that rebuild `root` (see the file comment). */
export function* treeLines(root: RtdbNode): Generator<string> {
  if (root === null) return
  if (!isNode(root) || sizeUpTo(root, LINE_BYTES) <= LINE_BYTES) {
    yield JSON.stringify({p: [], v: root})
    return
  }
  const split = function* (segments: string[], node: {[key: string]: RtdbValue}): Generator<string> {
    let group: {[key: string]: RtdbValue} = {}
    let size = 0
    for (const k of Object.keys(node)) {
      const child = node[k]
      const s = sizeUpTo(child, LINE_BYTES)
      if (s > LINE_BYTES && isNode(child)) {
        yield* split([...segments, k], child)
        continue
      }
      group[k] = child
      size += s
      if (size >= LINE_BYTES) {
        yield JSON.stringify({p: segments, m: group})
        group = {}
        size = 0
      }
    }
    if (size > 0 || Object.keys(group).length > 0) yield JSON.stringify({p: segments, m: group})
  }
  yield* split([], root)
}

/** Apply one line to a tree; returns the new root. */
export function applyLine(root: RtdbNode, line: string): RtdbNode {
  const doc = JSON.parse(line) as {p: string[]; v?: RtdbNode; m?: {[key: string]: RtdbValue}}
  if (doc.m === undefined) return setAt(root, doc.p, doc.v ?? null)
  const top: {[key: string]: RtdbValue} = isNode(root) ? root : {}
  let node = top
  for (const s of doc.p) {
    const next = node[s]
    if (isNode(next)) node = next
    else {
      const created: {[key: string]: RtdbValue} = {}
      node[s] = created
      node = created
    }
  }
  Object.assign(node, doc.m)
  return top
}

/** Write a tree to `file` (atomically), line by line. */
export function writeTreeFile(file: string, root: RtdbNode): void {
  fs.mkdirSync(path.dirname(file), {recursive: true})
  const tmp = `${file}.${process.pid}.tmp`
  const fd = fs.openSync(tmp, 'w')
  try {
    let parts: string[] = []
    let buffered = 0
    for (const line of treeLines(root)) {
      parts.push(line, '\n')
      buffered += line.length + 1
      if (buffered >= WRITE_BYTES) {
        fs.writeSync(fd, parts.join(''))
        parts = []
        buffered = 0
      }
    }
    if (parts.length > 0) fs.writeSync(fd, parts.join(''))
  } finally {
    fs.closeSync(fd)
  }
  fs.renameSync(tmp, file)
}

/** Read a tree written by writeTreeFile (streamed through a fixed buffer, one line at a time). */
export function readTreeFile(file: string): RtdbNode {
  const fd = fs.openSync(file, 'r')
  let root: RtdbNode = null
  try {
    const buf = Buffer.allocUnsafe(WRITE_BYTES)
    let carry: Buffer = Buffer.alloc(0)
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null)
      if (n === 0) break
      const data = carry.length > 0 ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n)
      let start = 0
      for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
        if (nl > start) root = applyLine(root, data.toString('utf8', start, nl))
        start = nl + 1
      }
      carry = Buffer.from(data.subarray(start))
    }
    if (carry.length > 0) root = applyLine(root, carry.toString('utf8'))
  } finally {
    fs.closeSync(fd)
  }
  return root
}

/** Writes dirty databases when the sandbox is idle (see the file comment). */
export class TreeSaver {
  private readonly dirty = new Map<string, () => {file: string; root: RtdbNode}>()
  private timer: NodeJS.Timeout | undefined
  private lastActivity = 0
  private dirtySince = 0
  /** How long the last write took: a big tree waits for a longer quiet spell. */
  private lastWriteMs = 0

  /** Any request: postpones a pending write. */
  touch(): void {
    this.lastActivity = Date.now()
  }

  markDirty(ns: string, snapshot: () => {file: string; root: RtdbNode}): void {
    if (this.dirty.size === 0) this.dirtySince = Date.now()
    this.dirty.set(ns, snapshot)
    this.lastActivity = Date.now()
    this.schedule(this.quiet())
  }

  private quiet(): number {
    return Math.min(2000, Math.max(20, this.lastWriteMs * 4))
  }

  private schedule(ms: number): void {
    if (this.timer) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      const now = Date.now()
      const idle = now - this.lastActivity
      if (idle < this.quiet() && now - this.dirtySince < MAX_STALE_MS) this.schedule(this.quiet() - idle)
      else this.flush()
    }, ms)
    this.timer.unref?.()
  }

  /** Write every dirty database now. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    const t0 = Date.now()
    for (const [ns, snapshot] of this.dirty) {
      const {file, root} = snapshot()
      writeTreeFile(file, root)
      this.dirty.delete(ns)
    }
    this.lastWriteMs = Date.now() - t0
  }

  /** Forget unsaved changes (the state was wiped). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.dirty.clear()
  }
}
