/**
 * Serialising answers. Two paths:
 *
 * - `jsonPieces`: the text of a whole node in pieces, for streaming an answer that the size walk
 *   (`jsonSize`) has already measured (a plain GET).
 * - `answerPage`: the answer to an orderBy="$key" query, serialised group by group into Buffers
 *   while counting its exact bytes, so too_big is decided by the serialisation itself (no
 *   separate size walk per page). Answers up to `bufferBytes` are buffered whole (sent with
 *   Content-Length up to 4 MB, chunked above); a bigger one measures the children it has not serialised yet with the size
 *   walk, then streams (chunked) the part already serialised and the rest.
 */
import type {ServerResponse} from 'node:http'
import {isNode, jsonSize, knownSize, rememberSize, type RtdbNode, type RtdbValue} from './tree.js'

/** Nodes the size walk found above this size are serialised key by key. */
export const PIECE_BYTES = 256 * 1024

/**
 * The JSON text of `node` in pieces: nodes whose size jsonSize found above 256 KB key by key,
 * the rest whole (the size check before the answer measured every node it did not know).
 */
export function* jsonPieces(node: RtdbNode): Generator<string> {
  if (!isNode(node) || (knownSize(node) ?? 0) <= PIECE_BYTES) {
    yield JSON.stringify(node)
    return
  }
  let sep = '{'
  for (const k of Object.keys(node)) {
    yield `${sep}${JSON.stringify(k)}:`
    sep = ','
    yield* jsonPieces(node[k] ?? null) // a write during a slow client may have removed it
  }
  yield '}'
}

/** The answer exceeds the limit (the caller answers too_big; nothing was sent). */
export class AnswerTooBig extends Error {}

export interface PageOptions {
  /** Largest answer serialised before anything is sent (default 16 MB). */
  bufferBytes?: number
  /** About this many bytes of children are serialised per JSON.stringify call (default 1 MB). */
  groupBytes?: number
}

/** Answers above this size are sent chunked (as the plain GET's streamed answers). */
const STREAM_ABOVE_BYTES = 4 * 1024 * 1024
const HEADERS = {'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache'}
const OPEN = 0x7b // {
const COMMA = 0x2c
const CLOSE = Buffer.from('}')

/** UTF-8 bytes of a string; an ASCII string (most JSON) is copied as latin1, several times cheaper than encoding. */
export function utf8(s: string): Buffer {
  return Buffer.byteLength(s) === s.length ? Buffer.from(s, 'latin1') : Buffer.from(s, 'utf8')
}

/** Wait until `res` drained or closed; false when the client went away. */
export async function drained(res: ServerResponse, ok: boolean): Promise<boolean> {
  if (!ok && !res.destroyed) {
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done)
        res.off('close', done)
        resolve()
      }
      res.on('drain', done)
      res.on('close', done)
    })
  }
  return !res.destroyed
}

async function writeAll(res: ServerResponse, bufs: Buffer[]): Promise<boolean> {
  if (res.destroyed) return false
  let ok = true
  res.cork()
  for (const b of bufs) ok = res.write(b)
  res.uncork()
  return drained(res, ok)
}

/**
 * Serialises children keys[from, to) of `node` as one JSON object text (one native
 * JSON.stringify for the whole group, the fastest serialiser there is); "{}" when none of them
 * exists any more (removed by a write while the answer was streamed).
 */
function groupText(node: {[key: string]: RtdbValue}, keys: string[], from: number, to: number): string {
  const group: {[key: string]: RtdbValue} = {}
  for (let i = from; i < to; i++) {
    const v = node[keys[i]]
    if (v !== undefined) group[keys[i]] = v
  }
  return JSON.stringify(group)
}

/** Size-walk the children (their big nodes remember their size), so later answers know them without serialising them. */
function measureChildren(node: {[key: string]: RtdbValue}, keys: string[], from: number, to: number): void {
  for (let i = from; i < to; i++) jsonSize(node[keys[i]] ?? null, Number.MAX_SAFE_INTEGER)
}

/**
 * Answer the children `keys` of `node` (in that order) as one JSON object, or throw
 * AnswerTooBig (before anything is sent) when its JSON is longer than `limit` bytes.
 * `keys` must not be empty (an empty answer is null).
 */
export async function answerPage(res: ServerResponse, node: {[key: string]: RtdbValue}, keys: string[], limit: number, options: PageOptions = {}): Promise<void> {
  const bufferBytes = options.bufferBytes ?? 16 * 1024 * 1024
  const groupBytes = options.groupBytes ?? 1024 * 1024
  const pieces: Buffer[] = []
  let first = true
  /** Bytes of the answer so far, its closing brace included. */
  let bytes = 1
  let perGroup = 64
  /** Append the text of a group "{...}" to the answer: its opening brace becomes a comma after the first group, its closing brace is dropped. */
  const append = (text: string, into: Buffer[]): number => {
    if (text.length <= 2) return 0
    const b = utf8(text)
    b[0] = first ? OPEN : COMMA
    first = false
    into.push(b.subarray(0, b.length - 1))
    return b.length - 1
  }
  /** The end of the next group from i: up to perGroup children, a big child (size known) alone. */
  const groupEnd = (i: number): number => {
    const v = node[keys[i]]
    if (isNode(v) && (knownSize(v) ?? 0) >= groupBytes) return i + 1
    let j = i + 1
    while (j < keys.length && j - i < perGroup) {
      const w = node[keys[j]]
      if (isNode(w) && (knownSize(w) ?? 0) >= groupBytes) break
      j++
    }
    return j
  }

  // 1. Serialise into memory while counting, until the answer is complete, too big, or longer than bufferBytes.
  let i = 0
  while (i < keys.length && bytes <= bufferBytes) {
    const v = node[keys[i]]
    const known = isNode(v) ? knownSize(v) : undefined
    if (known !== undefined && bytes + known > bufferBytes) break // a big child is measured, not buffered
    const j = groupEnd(i)
    let text: string
    try {
      text = groupText(node, keys, i, j)
    } catch (error) {
      // Longer than V8's longest string: measure these children, then go on below with sizes.
      if (!(error instanceof RangeError)) throw error
      measureChildren(node, keys, i, j)
      break
    }
    const n = append(text, pieces)
    bytes += n
    if (j - i === 1) {
      // `{"key":child}` less the closing brace: the child's exact size, remembered if big.
      if (isNode(v) && n >= PIECE_BYTES) rememberSize(v, n - 2 - Buffer.byteLength(JSON.stringify(keys[i])))
    } else if (n > bufferBytes) {
      measureChildren(node, keys, i, j) // one of them is huge: a retried smaller page will know which
    }
    perGroup = Math.max(1, Math.min(4096, Math.floor((groupBytes * (j - i)) / Math.max(1, n))))
    i = j
    if (bytes > limit) throw new AnswerTooBig()
  }

  if (i >= keys.length) {
    if (first) {
      // Every child was removed meanwhile (cannot happen synchronously; kept for safety).
      res.writeHead(200, {...HEADERS, 'content-length': 4})
      res.end('null')
      return
    }
    pieces.push(CLOSE)
    if (bytes <= STREAM_ABOVE_BYTES) {
      res.writeHead(200, {...HEADERS, 'content-length': bytes})
      res.cork()
      for (const p of pieces) res.write(p)
      res.end()
      return
    }
    // Above 4 MB, as every answer of the database: chunked, a group per write with backpressure.
    res.writeHead(200, HEADERS)
    for (const p of pieces) if (!(await writeAll(res, [p]))) return
    res.end()
    return
  }

  // 2. Too long to buffer: measure what is left (children over 256 KB remember their size).
  let rest = first ? -1 : 0 // no comma before the first child
  for (let k = i; k < keys.length; k++) {
    rest += Buffer.byteLength(keys[k]) + 4 + jsonSize(node[keys[k]] ?? null, limit - bytes - rest)
    if (bytes + rest > limit) throw new AnswerTooBig()
  }

  // 3. Within the limit: send what is serialised, then serialise and send the rest.
  res.writeHead(200, HEADERS)
  if (!(await writeAll(res, pieces))) return
  while (i < keys.length) {
    const out: Buffer[] = []
    const v = node[keys[i]]
    if (isNode(v) && (knownSize(v) ?? 0) >= groupBytes) {
      // A big child: its key, then its text in pieces (~1 MB writes with backpressure).
      append(`{${JSON.stringify(keys[i])}:}`, out) // `{"k":` or `,"k":`
      let parts: string[] = []
      let size = 0
      for (const piece of jsonPieces(v)) {
        parts.push(piece)
        size += piece.length
        if (size >= groupBytes) {
          out.push(utf8(parts.join('')))
          if (!(await writeAll(res, out.splice(0)))) return
          parts = []
          size = 0
        }
      }
      if (parts.length > 0) out.push(utf8(parts.join('')))
      i++
    } else {
      const j = groupEnd(i)
      append(groupText(node, keys, i, j), out)
      i = j
    }
    if (!(await writeAll(res, out))) return
  }
  if (first) res.end('null')
  else res.end('}')
}
