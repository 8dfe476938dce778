/**
 * Byte-level JSON scanning without parsing: where a value ends, and the members of an object
 * as byte ranges of the original text. The backup slices the database's answers with these
 * instead of parsing every page and serialising every line again (the two costliest steps of a
 * Realtime Database backup, and most of its garbage). Structure is checked where it is read
 * (members, colons, commas, brackets); the contents of a skipped value are only delimited,
 * and are parsed later (the digests parse every line).
 */

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const COMMA = 0x2c
const COLON = 0x3a

export class JsonScanError extends Error {
  constructor(message: string, readonly at: number) {
    super(`${message} at byte ${at}`)
  }
}

export function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}

/** The first index at or after i that is not JSON whitespace. */
export function skipWs(b: Uint8Array, i: number, end: number): number {
  while (i < end && isWs(b[i])) i++
  return i
}

/** b[i] is a quote: the index just after the closing quote. */
export function skipString(b: Uint8Array, i: number, end: number): number {
  for (let j = i + 1; j < end; j++) {
    const c = b[j]
    if (c === QUOTE) return j + 1
    if (c === BACKSLASH) j++
  }
  throw new JsonScanError('Unterminated string', i)
}

/** True when the string token b[start..end) (quotes included) has an escape. */
export function hasEscape(b: Uint8Array, start: number, end: number): boolean {
  for (let j = start + 1; j < end - 1; j++) if (b[j] === BACKSLASH) return true
  return false
}

/** The text of a string token b[start..end) (quotes included). */
export function decodeString(b: Uint8Array, start: number, end: number): string {
  if (!hasEscape(b, start, end)) return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8', start + 1, end - 1)
  return JSON.parse(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8', start, end)) as string
}

/** b[i] starts a value (no leading whitespace): the index just after it. */
export function skipValue(b: Uint8Array, i: number, end: number): number {
  const c = b[i]
  if (c === QUOTE) return skipString(b, i, end)
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0
    for (let j = i; j < end; j++) {
      const d = b[j]
      if (d === QUOTE) {
        j = skipString(b, j, end) - 1
      } else if (d === OPEN_BRACE || d === OPEN_BRACKET) {
        depth++
      } else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        if (--depth === 0) return j + 1
      }
    }
    throw new JsonScanError('Unterminated object or array', i)
  }
  // A number, true, false or null: up to the next delimiter.
  let j = i
  while (j < end) {
    const d = b[j]
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isWs(d)) break
    j++
  }
  if (j === i) throw new JsonScanError('Expected a value', i)
  return j
}

/** One member of an object: its key and the byte range of its value. */
export interface Member {
  key: string
  start: number
  end: number
}

export type Shape = 'object' | 'array' | 'string' | 'null' | 'scalar'

/** The kind of the value starting at b[i] (after whitespace). */
export function shapeAt(b: Uint8Array, i: number): Shape {
  const c = b[i]
  if (c === OPEN_BRACE) return 'object'
  if (c === OPEN_BRACKET) return 'array'
  if (c === QUOTE) return 'string'
  if (c === 0x6e) return 'null' // n
  return 'scalar'
}

/**
 * The members of the object b[start..end) (whitespace allowed around it), in the order written.
 * Throws JsonScanError when the text is not one object. With `limit`, stops after that many
 * members (the rest is not scanned: "at least `limit`" when that many come back).
 */
export function objectMembers(b: Uint8Array, start: number, end: number, limit = Number.POSITIVE_INFINITY): Member[] {
  let i = skipWs(b, start, end)
  if (b[i] !== OPEN_BRACE) throw new JsonScanError('Expected an object', i)
  const members: Member[] = []
  i = skipWs(b, i + 1, end)
  if (b[i] === CLOSE_BRACE) {
    if (skipWs(b, i + 1, end) !== end) throw new JsonScanError('Unexpected data after the object', i + 1)
    return members
  }
  for (;;) {
    if (b[i] !== QUOTE) throw new JsonScanError('Expected a key', i)
    const keyEnd = skipString(b, i, end)
    const key = decodeString(b, i, keyEnd)
    i = skipWs(b, keyEnd, end)
    if (b[i] !== COLON) throw new JsonScanError('Expected ":"', i)
    i = skipWs(b, i + 1, end)
    const valueEnd = skipValue(b, i, end)
    members.push({key, start: i, end: valueEnd})
    i = skipWs(b, valueEnd, end)
    if (b[i] === COMMA && members.length >= limit) return members
    if (b[i] === COMMA) {
      i = skipWs(b, i + 1, end)
      continue
    }
    if (b[i] === CLOSE_BRACE) break
    throw new JsonScanError('Expected "," or "}"', i)
  }
  if (skipWs(b, i + 1, end) !== end) throw new JsonScanError('Unexpected data after the object', i + 1)
  return members
}

/** The range of the single value in b[start..end), whitespace trimmed. */
export function trimValue(b: Uint8Array, start: number, end: number): {start: number; end: number} {
  const s = skipWs(b, start, end)
  let e = end
  while (e > s && isWs(b[e - 1])) e--
  return {start: s, end: e}
}

/** True when the text has no line break (so any slice of it can be one NDJSON line: JSON strings cannot hold one). */
export function hasNoLineBreak(b: Buffer): boolean {
  return b.indexOf(0x0a) < 0 && b.indexOf(0x0d) < 0
}
