/**
 * Walk a Realtime Database (sub)tree over REST in key order, emitting bounded subtrees:
 * each top-level child is read whole when it fits; a subtree that answers too_big has its
 * children paged with orderBy="$key" + limitToFirst + startAt (the page halves on too_big and
 * doubles while pages fit); a single child still too big is found through a shallow read and
 * walked the same way. With a cursor (the last path written), the walk resumes after it.
 */
import {OperationError} from '../errors.js'
import {compareKeys, joinPath, sortedKeys, type JsonValue} from './format.js'
import type {RtdbPort} from './ports.js'

export interface WalkOptions {
  get: RtdbPort['get']
  /** May return undefined when the value was taken synchronously (no await per line). */
  emit: (segments: string[], value: JsonValue) => Promise<void> | undefined | void
  /** Start below this node (default: the root). */
  root?: string[]
  /** Resume after this path (absolute segments, below root). */
  cursor?: string[]
  pageSize?: number
  maxPage?: number
  onSplit?: (path: string) => void
}

/** Up to this many children, a too-big node is walked child by child rather than paged. */
const FEW_CHILDREN = 16
/** Shallow listings longer than this are not kept (memory stays bounded); they are re-read when needed. */
const MAX_CACHED_KEYS = 100_000

export async function walkTree(o: WalkOptions): Promise<void> {
  const {get, emit} = o
  const root = o.root ?? []
  const pageSize = o.pageSize ?? 500
  const maxPage = o.maxPage ?? 5000
  const shallowCache = new Map<string, string[]>()

  const nextKey = async (segments: string[], after: string | undefined): Promise<string | undefined> => {
    const p = joinPath(segments)
    let keys = shallowCache.get(p)
    if (!keys) {
      const r = await get(p, {shallow: true})
      if (r.tooBig) throw new OperationError(`The database refuses even a shallow read of ${p}.`, {hint: 'Raise the client response cap and retry with --resume.'})
      const v = r.value
      keys = v !== null && typeof v === 'object' ? Object.keys(v).sort(compareKeys) : []
      shallowCache.clear()
      if (keys.length <= MAX_CACHED_KEYS) shallowCache.set(p, keys)
    }
    return after === undefined ? keys[0] : keys.find((k) => compareKeys(k, after) > 0)
  }

  const pageChildren = async (segments: string[], startAfter?: string): Promise<void> => {
    const p = joinPath(segments)
    const request = (after: string | undefined, limit: number) => {
      const requested = after === undefined ? limit : limit + 1
      const result = get(p, {orderByKey: {startAt: after, limitToFirst: requested}})
      result.catch(() => {}) // awaited below; never an unhandled rejection while a page is written
      return {requested, result}
    }
    let after = startAfter
    let limit = pageSize
    let inflight = request(after, limit)
    for (;;) {
      const {requested} = inflight
      const r = await inflight.result
      if (r.tooBig) {
        if (limit > 1) {
          limit = Math.max(1, Math.floor(limit / 2))
          inflight = request(after, limit)
          continue
        }
        const next = await nextKey(segments, after)
        if (next === undefined) return
        await exportNode([...segments, next])
        after = next
        inflight = request(after, limit)
        continue
      }
      const v = r.value
      if (v === null || typeof v !== 'object' || Array.isArray(v)) {
        if (v !== null && after === undefined) await emit(segments, v)
        return
      }
      const all = sortedKeys(v)
      const keys = after === undefined ? all : all.filter((k) => compareKeys(k, after!) > 0)
      const last = keys.length === 0 || all.length < requested
      if (!last) {
        // Ask for the next page while this one is written out.
        after = keys[keys.length - 1]
        limit = Math.min(maxPage, limit * 2)
        inflight = request(after, limit)
      }
      for (const k of keys) {
        const w = emit([...segments, k], v[k])
        if (w) await w
      }
      if (last) return
    }
  }

  const exportNode = async (segments: string[], knownTooBig = false): Promise<void> => {
    if (!knownTooBig) {
      const r = await get(joinPath(segments))
      if (!r.tooBig) {
        if (r.value !== null) await emit(segments, r.value)
        return
      }
    }
    o.onSplit?.(joinPath(segments))
    // Learn the children first: a few children are walked one by one (no doomed page reads);
    // many are paged. A shallow read too big for the cap means very many: page blindly.
    const shallow = await get(joinPath(segments), {shallow: true})
    if (!shallow.tooBig && shallow.value !== null && typeof shallow.value === 'object') {
      const keys = Object.keys(shallow.value).sort(compareKeys)
      if (keys.length <= FEW_CHILDREN) {
        // An only child is as big as its too-big parent: skip reading it whole.
        for (const k of keys) await exportNode([...segments, k], keys.length === 1 && (shallow.value as Record<string, JsonValue>)[k] === true)
        return
      }
      shallowCache.clear()
      if (keys.length <= MAX_CACHED_KEYS) shallowCache.set(joinPath(segments), keys)
    }
    await pageChildren(segments)
  }

  const resumeInside = async (segments: string[], rest: string[]): Promise<void> => {
    if (rest.length > 1) await resumeInside([...segments, rest[0]], rest.slice(1))
    await pageChildren(segments, rest[0])
  }

  // The cursor relative to root.
  const cursor = o.cursor ? o.cursor.slice(root.length) : undefined
  const top = await get(joinPath(root), {shallow: true})
  if (top.tooBig) {
    await (cursor && cursor.length > 0 ? resumeInside(root, cursor) : pageChildren(root))
    return
  }
  const v = top.value
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const key of Object.keys(v).sort(compareKeys)) {
      if (cursor && cursor.length > 0) {
        const c = compareKeys(key, cursor[0])
        if (c < 0) continue
        if (c === 0) {
          if (cursor.length > 1) await resumeInside([...root, key], cursor.slice(1))
          continue
        }
      }
      await exportNode([...root, key])
    }
  } else if (v !== null && !cursor) {
    await emit(root, v)
  }
}
