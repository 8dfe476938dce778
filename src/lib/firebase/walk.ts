/**
 * Walk a Realtime Database (sub)tree over REST in key order, emitting bounded subtrees:
 * each top-level child is read whole when it fits; a subtree that answers too_big has its
 * children paged with orderBy="$key" + limitToFirst + startAt (the page halves on too_big and
 * doubles while pages fit); a single child still too big is found through a shallow read and
 * walked the same way. With a cursor (the last path written), the walk resumes after it.
 *
 * Answers are not parsed: each emitted subtree is a byte range of the database's own answer
 * (json-scan.ts finds the members of a page), so a backup writes its lines without parsing and
 * re-serialising every value. Only shallow listings (keys) are parsed.
 */
import {firstLine, OperationError} from '../errors.js'
import {compareKeys, joinPath} from './format.js'
import {hasNoLineBreak, JsonScanError, objectMembers, shapeAt, skipValue, trimValue, type Member} from './json-scan.js'
import type {RtdbPort} from './ports.js'

export interface WalkOptions {
  get: RtdbPort['getRaw']
  /**
   * One subtree: `text[start..end)` is its JSON, as the database wrote it (never a line break).
   * May return undefined when the bytes were taken synchronously (no await per line).
   */
  emit: (segments: string[], text: Buffer, start: number, end: number) => Promise<void> | undefined | void
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

/** An answer's JSON, on one line: a pretty-printed answer (whitespace with line breaks) is compacted. */
function answerText(r: {raw: Buffer}): Buffer {
  return hasNoLineBreak(r.raw) ? r.raw : Buffer.from(JSON.stringify(JSON.parse(r.raw.toString('utf8'))))
}

/**
 * The range of an answer's one value. A scalar answer is parsed to check it (it is short, or one
 * string); an object or array is delimited (its brackets balance and nothing follows), or its
 * members are checked by objectMembers (a page: `membersChecked`). Every line is parsed again by
 * the digests, so a malformed answer never makes a backup.
 */
function wholeValue(text: Buffer, membersChecked = false): {start: number; end: number} {
  const r = trimValue(text, 0, text.length)
  const shape = shapeAt(text, r.start)
  if (shape !== 'object' && shape !== 'array') {
    JSON.parse(text.toString('utf8', r.start, r.end))
  } else if (!membersChecked && (r.start === r.end || skipValue(text, r.start, r.end) !== r.end)) {
    throw new JsonScanError('Unexpected data after the value', r.start)
  }
  return r
}

/** The keys of a shallow answer (small: a key and `true` or a scalar per child). */
function shallowKeys(r: {raw: Buffer}): {keys: string[]; only?: boolean} | undefined {
  const v = JSON.parse(r.raw.toString('utf8')) as unknown
  if (v === null || typeof v !== 'object') return undefined
  const keys = inOrder(Object.keys(v))
  return {keys, only: keys.length === 1 && (v as Record<string, unknown>)[keys[0]] === true}
}

/**
 * The keys of a shallow answer when it has at most `limit` children; `many` when it has more,
 * found by scanning only the first limit + 1 members. (Parsing a shallow listing of a wide node
 * whole costs ~2.5 µs per key in JSON.parse and Object.keys: seconds of CPU at a million children,
 * only to learn there are more than a few.) undefined: not an object.
 */
function fewKeys(r: {raw: Buffer}, limit: number): {keys: string[]; only?: boolean} | {many: true} | undefined {
  const {start, end} = trimValue(r.raw, 0, r.raw.length)
  if (shapeAt(r.raw, start) !== 'object') return undefined
  const members = objectMembers(r.raw, start, end, limit + 1)
  if (members.length > limit) return {many: true}
  const keys = inOrder(members.map((m) => m.key))
  const only = members.length === 1 && r.raw.toString('latin1', members[0].start, members[0].end) === 'true'
  return {keys, only}
}

/** Keys in database order (answers almost always come in it: one pass to check, no sort). */
function inOrder(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i++) if (compareKeys(keys[i - 1], keys[i]) > 0) return keys.sort(compareKeys)
  return keys
}

/** Members in database order (the same check first). */
function inKeyOrder(members: Member[]): Member[] {
  for (let i = 1; i < members.length; i++) {
    if (compareKeys(members[i - 1].key, members[i].key) > 0) return members.sort((a, b) => compareKeys(a.key, b.key))
  }
  return members
}

/**
 * Walk the tree (see the file's comment). An answer that is not JSON (a proxy's or a login
 * page's, a truncated body) fails as an OperationError (exit 1) naming the path read last.
 */
export async function walkTree(o: WalkOptions): Promise<void> {
  let reading = joinPath(o.root ?? [])
  const get: WalkOptions['get'] = (p, options) => {
    reading = p
    return o.get(p, options)
  }
  try {
    await walk({...o, get})
  } catch (error) {
    if (!(error instanceof JsonScanError || error instanceof SyntaxError)) throw error
    throw new OperationError(`The database's answer to a read of ${reading} is not valid JSON (${firstLine(error.message)}).`, {
      code: 'E_RTDB_BAD_ANSWER',
      hint: 'Check that the database URL reaches the Realtime Database itself (not a proxy or a login page), then run again (a backup with --resume).',
      cause: error,
    })
  }
}

async function walk(o: WalkOptions): Promise<void> {
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
      keys = shallowKeys(r)?.keys ?? []
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
      const text = answerText(r)
      const {start, end} = wholeValue(text, true)
      const shape = shapeAt(text, start)
      if (shape !== 'object') {
        if (shape !== 'null' && after === undefined) await emit(segments, text, start, end)
        return
      }
      const all = inKeyOrder(objectMembers(text, start, end))
      let first = 0
      if (after !== undefined) while (first < all.length && compareKeys(all[first].key, after) <= 0) first++
      const count = all.length - first
      const last = count === 0 || all.length < requested
      if (!last) {
        // Ask for the next page while this one is written out.
        after = all[all.length - 1].key
        limit = Math.min(maxPage, limit * 2)
        inflight = request(after, limit)
      }
      for (let i = first; i < all.length; i++) {
        const m = all[i]
        const w = emit([...segments, m.key], text, m.start, m.end)
        if (w) await w
      }
      if (last) return
    }
  }

  const exportNode = async (segments: string[], knownTooBig = false): Promise<void> => {
    if (!knownTooBig) {
      const r = await get(joinPath(segments))
      if (!r.tooBig) {
        const text = answerText(r)
        const {start, end} = wholeValue(text)
        if (shapeAt(text, start) !== 'null') await emit(segments, text, start, end)
        return
      }
    }
    o.onSplit?.(joinPath(segments))
    // Learn the children first: a few children are walked one by one (no doomed page reads);
    // many are paged. A shallow read too big for the cap means very many: page blindly.
    // Many children: paged, and their listing is not kept (nextKey reads it when a single child is too big).
    const shallow = await get(joinPath(segments), {shallow: true})
    const listing = shallow.tooBig ? undefined : fewKeys(shallow, FEW_CHILDREN)
    if (listing && 'keys' in listing) {
      // An only child is as big as its too-big parent: skip reading it whole.
      for (const k of listing.keys) await exportNode([...segments, k], listing.only)
      return
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
  const listing = shallowKeys(top)
  if (listing) {
    for (const key of listing.keys) {
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
  } else if (!cursor) {
    // A scalar at the root (a shallow answer of a scalar is the scalar itself): read it as it is.
    const text = answerText(top)
    const {start, end} = wholeValue(text)
    if (shapeAt(text, start) !== 'null') await emit(root, text, start, end)
  }
}
