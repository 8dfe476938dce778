/**
 * Walk a Realtime Database (sub)tree over REST in key order, emitting bounded subtrees:
 * each top-level child is read whole when it fits; a subtree that answers too_big has its
 * children paged with orderBy="$key" + limitToFirst + startAt (the page halves on too_big and
 * doubles while pages fit); a single child still too big is found through a shallow read and
 * walked the same way. With a cursor (the last path written), the walk resumes after it.
 */
import {OperationError} from '../errors.js'
import {compareKeys, joinPath, type JsonValue} from './format.js'
import type {RtdbPort} from './ports.js'

export interface WalkOptions {
  get: RtdbPort['get']
  emit: (segments: string[], value: JsonValue) => Promise<void>
  /** Start below this node (default: the root). */
  root?: string[]
  /** Resume after this path (absolute segments, below root). */
  cursor?: string[]
  pageSize?: number
  maxPage?: number
  onSplit?: (path: string) => void
}

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
      shallowCache.set(p, keys)
    }
    return after === undefined ? keys[0] : keys.find((k) => compareKeys(k, after) > 0)
  }

  const pageChildren = async (segments: string[], startAfter?: string): Promise<void> => {
    let after = startAfter
    let limit = pageSize
    for (;;) {
      const requested = after === undefined ? limit : limit + 1
      const r = await get(joinPath(segments), {orderByKey: {startAt: after, limitToFirst: requested}})
      if (r.tooBig) {
        if (limit > 1) {
          limit = Math.max(1, Math.floor(limit / 2))
          continue
        }
        const next = await nextKey(segments, after)
        if (next === undefined) return
        await exportNode([...segments, next])
        after = next
        continue
      }
      const v = r.value
      if (v === null || typeof v !== 'object' || Array.isArray(v)) {
        if (v !== null && after === undefined) await emit(segments, v)
        return
      }
      const all = Object.keys(v).sort(compareKeys)
      const keys = after === undefined ? all : all.filter((k) => compareKeys(k, after!) > 0)
      for (const k of keys) await emit([...segments, k], v[k])
      if (keys.length === 0 || all.length < requested) return
      after = keys[keys.length - 1]
      limit = Math.min(maxPage, limit * 2)
    }
  }

  const exportNode = async (segments: string[]): Promise<void> => {
    const r = await get(joinPath(segments))
    if (!r.tooBig) {
      if (r.value !== null) await emit(segments, r.value)
      return
    }
    o.onSplit?.(joinPath(segments))
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
