/**
 * The Realtime Database data model: a JSON tree where objects are nodes, primitives are
 * leaves, null and empty objects do not exist, arrays are stored as objects with integer keys,
 * and children sort in the database's key order (32-bit integer keys first, numerically, then
 * strings lexicographically).
 */

export type RtdbValue = string | number | boolean | {[key: string]: RtdbValue}
export type RtdbNode = RtdbValue | null

const INT_KEY = /^-?(0*)\d{1,10}$/

function intKey(k: string): number | undefined {
  if (!INT_KEY.test(k)) return undefined
  const n = Number(k)
  return n >= -2147483648 && n <= 2147483647 ? n : undefined
}

/**
 * Deliberately not shared with src/lib/firebase/format.ts: the emulation and the client each
 * implement the public key order on their own, so a mistake in one is caught by the other's tests.
 */
/** RTDB key order (the Firebase SDKs' nameCompare): 32-bit integer keys numerically first (ties: shorter first), then the rest lexicographically. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0
  const ia = intKey(a)
  const ib = intKey(b)
  if (ia !== undefined && ib !== undefined) return ia !== ib ? ia - ib : a.length !== b.length ? a.length - b.length : a < b ? -1 : 1
  if (ia !== undefined) return -1
  if (ib !== undefined) return 1
  return a < b ? -1 : 1
}

export function isNode(v: RtdbNode): v is {[key: string]: RtdbValue} {
  return typeof v === 'object' && v !== null
}

/** Keys forbidden by RTDB: ". $ # [ ] /" and ASCII control characters; at most 768 bytes. */
export function invalidKey(k: string): boolean {
  // eslint-disable-next-line no-control-regex
  return k.length === 0 || /[.$#[\]/\u0000-\u001F\u007F]/.test(k) || Buffer.byteLength(k) > 768
}

/** Normalise a written JSON value: arrays to objects, nulls and empty objects removed. */
export function normalize(value: unknown, where = ''): RtdbNode {
  if (value === null || value === undefined) return null
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TreeError(`Invalid data; couldn't parse JSON object, array, or value.`)
    return value
  }
  if (typeof value !== 'object') throw new TreeError(`Invalid data; couldn't parse JSON object, array, or value.`)
  // The database renders integer-keyed children back as an array on reads; the sandbox does not
  // (its reads answer objects), so writing an array is refused rather than read back changed.
  if (Array.isArray(value)) throw new TreeError(`The sandbox does not model JSON arrays (rtdb): the array at ${where || '/'} would read back as an object. See docs/sandbox-coverage.md.`, 501)
  const out: {[key: string]: RtdbValue} = {}
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Record<string, unknown>)
  let any = false
  for (const [k, v] of entries) {
    if (k === '.priority' || k === '.value') continue
    if (invalidKey(k)) throw new TreeError(`Invalid data; invalid key "${k}" at ${where || '/'}: keys cannot contain ".", "$", "#", "[", "]", "/" or control characters.`)
    const n = normalize(v, `${where}/${k}`)
    if (n !== null) {
      out[k] = n
      any = true
    }
  }
  return any ? out : null
}

export class TreeError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message)
  }
}

export function splitPath(p: string): string[] {
  return p.split('/').filter((s) => s.length > 0)
}

export function getAt(root: RtdbNode, segments: string[]): RtdbNode {
  let cur: RtdbNode = root
  for (const s of segments) {
    if (!isNode(cur)) return null
    cur = cur[s] ?? null
  }
  return cur
}

/** Set (replace) the value at segments; returns the new root. Every node changed on the way forgets its cached size and key order. */
export function setAt(root: RtdbNode, segments: string[], value: RtdbNode): RtdbNode {
  if (segments.length === 0) return value
  const [head, ...rest] = segments
  const node: {[key: string]: RtdbValue} = isNode(root) ? root : {}
  forget(node)
  const child = setAt(node[head] ?? null, rest, value)
  if (child !== null) {
    node[head] = child
    return node
  }
  delete node[head]
  for (const _k in node) return node
  return null
}

/**
 * What the database knows about its big nodes without reading them again: the JSON size of
 * nodes of at least CACHED_SIZE bytes, and the key order of nodes, until a write changes them
 * (setAt forgets every node on the written path, so an untouched node keeps its entries).
 */
const CACHED_SIZE = 256 * 1024
const sizeCache = new WeakMap<object, number>()
const sortCache = new WeakMap<object, string[]>()

function forget(node: object): void {
  sizeCache.delete(node)
  sortCache.delete(node)
}

/**
 * The JSON size of `node` in bytes (exact but for string escapes, which are not counted), or a
 * number above `limit` once over it.
 */
export function jsonSize(node: RtdbNode, limit: number): number {
  let total = 0
  const visit = (n: RtdbNode): boolean => {
    if (!isNode(n)) {
      total += typeof n === 'string' ? Buffer.byteLength(n) + 2 : String(n).length
      return total > limit
    }
    const known = sizeCache.get(n)
    if (known !== undefined) {
      total += known
      return total > limit
    }
    const before = total
    // {"k":v,"k":v}: the braces, and per child its key, two quotes, a colon and a comma, one comma fewer.
    total += 1
    for (const k in n) {
      total += Buffer.byteLength(k) + 4
      if (visit(n[k])) return true
    }
    if (total - before === 1) total += 1 // {}
    if (total - before >= CACHED_SIZE) sizeCache.set(n, total - before)
    return total > limit
  }
  return visit(node) ? Math.max(total, limit + 1) : total
}

/** True when the JSON text of `node` would be longer than `limit` bytes (stops early). */
export function sizeExceeds(node: RtdbNode, limit: number): boolean {
  return jsonSize(node, limit) > limit
}

/** Remember the JSON size of a node found by serialising it (kept if at least 256 KB, until a write changes the node). */
export function rememberSize(node: RtdbNode, size: number): void {
  if (isNode(node) && size >= CACHED_SIZE) sizeCache.set(node, size)
}

/** The size of a node measured whole by jsonSize (or remembered) since its last change, if at least 256 KB. */
export function knownSize(node: RtdbNode): number | undefined {
  return isNode(node) ? sizeCache.get(node) : undefined
}

/** Children of a node sorted in key order (cached until a write changes the node). */
export function sortedKeys(node: RtdbNode): string[] {
  if (!isNode(node)) return []
  const hit = sortCache.get(node)
  if (hit) return hit
  const decorated = Object.keys(node).map((k) => ({k, i: intKey(k)}))
  decorated.sort((a, b) => {
    if (a.i !== undefined && b.i !== undefined) return a.i !== b.i ? a.i - b.i : a.k.length !== b.k.length ? a.k.length - b.k.length : a.k < b.k ? -1 : 1
    if (a.i !== undefined) return -1
    if (b.i !== undefined) return 1
    return a.k < b.k ? -1 : a.k > b.k ? 1 : 0
  })
  const keys = decorated.map((d) => d.k)
  sortCache.set(node, keys)
  return keys
}

/** Index of the first key >= bound in sorted keys. */
export function lowerBound(keys: string[], bound: string): number {
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (compareKeys(keys[mid], bound) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

export function countLeaves(node: RtdbNode): number {
  if (node === null) return 0
  if (!isNode(node)) return 1
  let n = 0
  for (const k in node) n += countLeaves(node[k])
  return n
}
