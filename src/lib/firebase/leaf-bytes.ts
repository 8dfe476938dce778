/**
 * The per-key digest text of Realtime Database backup lines, written straight from the NDJSON
 * bytes: for every leaf, "<path>\t<canonical JSON value>\n" in key order, exactly the bytes
 * format.ts `leafText` produces from the parsed value, without JSON.parse, without decoding keys
 * or strings, and without building strings: the text goes into one reusable buffer that is
 * hashed in large pieces.
 *
 * Why the raw bytes can be copied (the line or value having been checked to be valid UTF-8):
 * - a key without escapes is its own UTF-8 path text;
 * - a string without a backslash (and, as JSON requires, without a byte below 0x20) is its own
 *   JSON.stringify form (which escapes only quotes, backslashes, control characters and lone
 *   surrogates; valid UTF-8 has no surrogates);
 * - true and false are their own text; a plain integer of at most 15 digits (not -0) is its
 *   own String(number).
 * Per value, rarer forms are converted exactly as leafText does, from JSON.parse of that one
 * token: strings with escapes (JSON.stringify(JSON.parse(token))), other numbers (1.0, 1e3, -0,
 * big integers: String(JSON.parse(token))). Keys with escapes are decoded for the path.
 *
 * Object keys are emitted in database order (compareKeys): the order is checked pair by pair,
 * and the members are sorted only when it is not. Keys are compared as bytes only when that is
 * provably the same as compareKeys (no escape, no 4-byte UTF-8 character: then UTF-8 byte order
 * is UTF-16 code unit order), otherwise decoded and given to compareKeys.
 *
 * Anything else (a duplicate key, invalid JSON, an unexpected line shape...) makes `line` /
 * `value` return false with nothing written: the caller then takes the old path (decode +
 * JSON.parse + leafText), which also throws JSON.parse's error for invalid JSON.
 */
import type {Hash} from 'node:crypto'
import {skipValue, skipWs} from './json-scan.js'

/** Where one top-level key's digest text goes (KeyStatsBuilder's per-key entry). */
export interface LeafEntry {
  hash: Hash
  count: number
  lines: number
}

export interface LeafBytesOptions {
  /** Realtime Database key order (format.ts compareKeys). */
  compareKeys: (a: string, b: string) => number
  /** The entry of a top-level key (created when new). */
  entry: (topKey: string) => LeafEntry
}

/** Thrown (internally) when the fast path cannot take a line: rolled back, then the old path. */
class Fallback extends Error {}
const FALLBACK = new Fallback('fallback')

const QUOTE = 0x22
const BACKSLASH = 0x5c
const SLASH = 0x2f
const COLON = 0x3a
const COMMA = 0x2c
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const MINUS = 0x2d
const ZERO = 0x30
const NINE = 0x39
const TAB = 0x09
const NEWLINE = 0x0a

// Member slots on the member stack (Int32Array, STRIDE ints per member).
const STRIDE = 6
const M_KS = 0 // key start (after the quote)
const M_KE = 1 // key end (the closing quote)
const M_FLAGS = 2
const M_VS = 3
const M_VE = 4
const M_KIND = 5
const F_ESCAPE = 1 // the key has an escape
const F_ASTRAL = 2 // the key has a 4-byte UTF-8 character (UTF-16 order differs from byte order)

// Value kinds.
const K_NULL = 0 // no leaf
const K_COPY = 1 // the bytes are the leaf's text (plain string, true, false, plain integer)
const K_STRING = 2 // a string with escapes
const K_NUMBER = 3 // a number in another form
const K_OBJECT = 4
const K_ARRAY = 5

const OUT_BYTES = 256 * 1024

export class LeafBytes {
  private out = Buffer.allocUnsafe(OUT_BYTES)
  private o = 0
  /** The entry whose hash the buffered text belongs to. */
  private current: LeafEntry | undefined
  /** Out position where the current line's text starts. */
  private lineStart = 0
  /** The hash state at the start of the current line, once part of the line was hashed. */
  private saved: Hash | undefined
  private inLine = false
  private path = Buffer.allocUnsafe(1024)
  private pl = 0
  private mem = new Int32Array(STRIDE * 256)
  private sp = 0
  private count = 0
  // The last top-level key seen on a line (its bytes) and its entry.
  private topBytes = Buffer.allocUnsafe(64)
  private topLen = -1
  private topEntry: LeafEntry | undefined

  constructor(private readonly options: LeafBytesOptions) {}

  /** Hash what is buffered (before the entries' hashes are read or updated elsewhere). */
  flush(): void {
    if (this.o > 0 && this.current) this.current.hash.update(this.out.subarray(0, this.o))
    this.o = 0
  }

  /** Forget the cached top-level key (its entry may have been removed). */
  forgetEntries(): void {
    this.flush()
    this.current = undefined
    this.topLen = -1
    this.topEntry = undefined
  }

  /**
   * One NDJSON line b[start..end) (no line break; valid UTF-8) of the shape {"path":"...","value":...}
   * (either member first). False when the fast path does not take it (nothing was added).
   */
  line(b: Buffer, start: number, end: number): boolean {
    let i = skipWs(b, start, end)
    if (b[i] !== OPEN_BRACE) return false
    let ps = -1
    let pe = -1
    let vs = -1
    let ve = -1
    let emitted = false
    try {
      i = skipWs(b, i + 1, end)
      for (;;) {
        if (b[i] !== QUOTE) return false
        const member = memberName(b, i, end)
        i = skipWs(b, i + (member === 1 ? 6 : 7), end)
        if (member === 0 || b[i] !== COLON) return false
        i = skipWs(b, i + 1, end)
        if (member === 1) {
          if (ps >= 0 || b[i] !== QUOTE) return false
          ps = i
          pe = this.plainString(b, i, end)
          if (pe < 0) return false // escapes in the path: the old path
          i = pe
          if (vs >= 0) {
            this.begin(b, ps, pe)
            i = this.emitValue(b, vs, end)
            if (i !== ve) throw FALLBACK
            i = skipWs(b, pe, end)
            emitted = true
          }
        } else {
          if (vs >= 0) return false
          vs = i
          if (ps >= 0) {
            this.begin(b, ps, pe)
            i = this.emitValue(b, vs, end)
            emitted = true
          } else {
            i = skipValue(b, i, end)
          }
          ve = i
        }
        i = skipWs(b, i, end)
        if (b[i] === COMMA) {
          i = skipWs(b, i + 1, end)
          continue
        }
        if (b[i] !== CLOSE_BRACE) throw FALLBACK
        break
      }
      if (!emitted || skipWs(b, i + 1, end) !== end) throw FALLBACK
      this.end()
      return true
    } catch {
      // FALLBACK, a JsonScanError from skipValue, or JSON.parse's SyntaxError on one token: the
      // old path decides (and throws JSON.parse's error when the line is not JSON).
      if (this.inLine) this.rollback()
      return false
    }
  }

  /**
   * One value b[start..end) (whitespace allowed around it) at `path`, into `entry`. False when
   * the fast path does not take it (nothing was added).
   */
  value(entry: LeafEntry, path: string, b: Buffer, start: number, end: number): boolean {
    this.use(entry)
    this.beginPath(path)
    try {
      const i = this.emitValue(b, skipWs(b, start, end), end)
      if (skipWs(b, i, end) !== end) throw FALLBACK
      this.end()
      return true
    } catch {
      this.rollback()
      return false
    }
  }

  // --- lines -------------------------------------------------------------------------------

  /** Start a line whose path is the plain string token b[ps..pe). */
  private begin(b: Buffer, ps: number, pe: number): void {
    const s = ps + 1
    const e = pe - 1
    // The top-level key (format.ts topKeyOf): after the leading slashes, up to the next slash.
    let t = s
    while (t < e && b[t] === SLASH) t++
    let te = t
    while (te < e && b[te] !== SLASH) te++
    let entry = this.topEntry
    if (!entry || te - t !== this.topLen || !sameBytes(b, t, this.topBytes, te - t)) {
      entry = this.options.entry(t >= e ? '/' : b.toString('utf8', t, te))
      if (this.topBytes.length < te - t) this.topBytes = Buffer.allocUnsafe(2 * (te - t))
      b.copy(this.topBytes, 0, t, te)
      this.topLen = te - t
      this.topEntry = entry
    }
    this.use(entry)
    this.pl = 0
    this.pathBytes(b, s, e)
    this.inLine = true
    this.lineStart = this.o
    this.saved = undefined
    this.count = 0
  }

  private beginPath(path: string): void {
    this.pl = 0
    const max = path.length * 3
    if (this.path.length < max) this.path = Buffer.allocUnsafe(2 * max)
    this.pl = this.path.write(path, 0)
    this.inLine = true
    this.lineStart = this.o
    this.saved = undefined
    this.count = 0
  }

  private end(): void {
    const e = this.current!
    e.count += this.count
    e.lines++
    this.inLine = false
    this.saved = undefined
  }

  /** Undo the current line: drop its buffered text, restore its hash if part of it was hashed. */
  private rollback(): void {
    if (this.saved && this.current) this.current.hash = this.saved
    this.o = this.lineStart
    this.saved = undefined
    this.inLine = false
    this.sp = 0
  }

  private use(entry: LeafEntry): void {
    if (entry === this.current) return
    this.flush()
    this.current = entry
  }

  // --- values ------------------------------------------------------------------------------

  /** b[i] starts a value (no whitespace before it): emit its leaves at the current path; the index after it. */
  private emitValue(b: Buffer, i: number, end: number): number {
    const c = b[i]
    if (c === OPEN_BRACE) return this.object(b, i, end)
    if (c === OPEN_BRACKET) return this.array(b, i, end)
    const j = this.primitive(b, i, end)
    this.emitPrimitive(this.kind, b, i, j)
    return j
  }

  /** Set by primitive(). */
  private kind = K_NULL

  /** b[i] starts a primitive: its end; its kind in this.kind. Throws on anything invalid. */
  private primitive(b: Buffer, i: number, end: number): number {
    const c = b[i]
    if (c === QUOTE) {
      const j = this.plainString(b, i, end)
      if (j >= 0) {
        this.kind = K_COPY
        return j
      }
      this.kind = K_STRING
      return this.escapedStringEnd(b, i, end)
    }
    if (c === 0x74) { // true
      if (i + 4 > end || b[i + 1] !== 0x72 || b[i + 2] !== 0x75 || b[i + 3] !== 0x65) throw FALLBACK
      this.kind = K_COPY
      return i + 4
    }
    if (c === 0x66) { // false
      if (i + 5 > end || b[i + 1] !== 0x61 || b[i + 2] !== 0x6c || b[i + 3] !== 0x73 || b[i + 4] !== 0x65) throw FALLBACK
      this.kind = K_COPY
      return i + 5
    }
    if (c === 0x6e) { // null
      if (i + 4 > end || b[i + 1] !== 0x75 || b[i + 2] !== 0x6c || b[i + 3] !== 0x6c) throw FALLBACK
      this.kind = K_NULL
      return i + 4
    }
    if (c === MINUS || (c >= ZERO && c <= NINE)) {
      // A plain integer: -?(0|[1-9][0-9]{0,14}), not -0, followed by a delimiter.
      let j = c === MINUS ? i + 1 : i
      const d0 = j
      if (b[j] === ZERO) {
        j++
      } else {
        while (j < end && b[j] >= ZERO && b[j] <= NINE) j++
      }
      const digits = j - d0
      const next = j < end ? b[j] : COMMA
      const plain = digits > 0 && digits <= 15 && !(c === MINUS && b[d0] === ZERO) &&
        (next === COMMA || next === CLOSE_BRACE || next === CLOSE_BRACKET || next === 0x20 || next === TAB || next === 0x0d || next === NEWLINE)
      if (plain) {
        this.kind = K_COPY
        return j
      }
      // Another form: the whole token (up to a delimiter), converted from JSON.parse when emitted.
      while (j < end) {
        const d = b[j]
        if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || d === 0x20 || d === TAB || d === 0x0d || d === NEWLINE) break
        j++
      }
      this.kind = K_NUMBER
      return j
    }
    throw FALLBACK
  }

  private emitPrimitive(kind: number, b: Buffer, s: number, e: number): void {
    if (kind === K_COPY) {
      this.leaf(b, s, e)
    } else if (kind === K_STRING) {
      const text = Buffer.from(JSON.stringify(JSON.parse(b.toString('utf8', s, e)) as string))
      this.leaf(text, 0, text.length)
    } else if (kind === K_NUMBER) {
      const v = JSON.parse(b.toString('latin1', s, e)) as unknown
      if (typeof v !== 'number') throw FALLBACK
      const text = Buffer.from(String(v))
      this.leaf(text, 0, text.length)
    }
  }

  /** b[i] is a quote: the index after the string when it has no escape, -1 when it has one. Throws on a control character or no end. */
  private plainString(b: Buffer, i: number, end: number): number {
    for (let j = i + 1; j < end; j++) {
      const c = b[j]
      if (c === QUOTE) return j + 1
      if (c === BACKSLASH) return -1
      if (c < 0x20) throw FALLBACK
    }
    throw FALLBACK
  }

  private escapedStringEnd(b: Buffer, i: number, end: number): number {
    for (let j = i + 1; j < end; j++) {
      const c = b[j]
      if (c === QUOTE) return j + 1
      if (c === BACKSLASH) j++
      else if (c < 0x20) throw FALLBACK
    }
    throw FALLBACK
  }

  /** leafText's `base`: the path, or nothing when the path is "/". */
  private base(): void {
    if (this.pl === 1 && this.path[0] === SLASH) this.pl = 0
  }

  private array(b: Buffer, i: number, end: number): number {
    this.base()
    const base = this.pl
    i = skipWs(b, i + 1, end)
    if (b[i] === CLOSE_BRACKET) return i + 1
    for (let index = 0; ; index++) {
      this.pl = base
      this.pathIndex(index)
      i = skipWs(b, this.emitValue(b, i, end), end)
      if (b[i] === COMMA) {
        i = skipWs(b, i + 1, end)
        continue
      }
      if (b[i] !== CLOSE_BRACKET) throw FALLBACK
      this.pl = base
      return i + 1
    }
  }

  private object(b: Buffer, i: number, end: number): number {
    this.base()
    const basePl = this.pl
    const first = this.sp
    i = skipWs(b, i + 1, end)
    if (b[i] === CLOSE_BRACE) return i + 1
    // Collect the members (primitives checked and classified once; containers delimited only).
    for (;;) {
      if (b[i] !== QUOTE) throw FALLBACK
      let flags = 0
      let j = i + 1
      for (; j < end; j++) {
        const c = b[j]
        if (c === QUOTE) break
        if (c === BACKSLASH) {
          flags |= F_ESCAPE
          j++
        } else if (c < 0x20) {
          throw FALLBACK
        } else if (c >= 0xf0) {
          flags |= F_ASTRAL
        }
      }
      if (j >= end) throw FALLBACK
      const ks = i + 1
      const ke = j
      i = skipWs(b, j + 1, end)
      if (b[i] !== COLON) throw FALLBACK
      const vs = skipWs(b, i + 1, end)
      let ve: number
      let kind: number
      const c = b[vs]
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        ve = skipValue(b, vs, end)
        kind = c === OPEN_BRACE ? K_OBJECT : K_ARRAY
      } else {
        ve = this.primitive(b, vs, end)
        kind = this.kind
      }
      let m = this.sp
      if (m + STRIDE > this.mem.length) {
        const grown = new Int32Array(this.mem.length * 2)
        grown.set(this.mem)
        this.mem = grown
      }
      const mem = this.mem
      mem[m++] = ks
      mem[m++] = ke
      mem[m++] = flags
      mem[m++] = vs
      mem[m++] = ve
      mem[m++] = kind
      this.sp = m
      i = skipWs(b, ve, end)
      if (b[i] === COMMA) {
        i = skipWs(b, i + 1, end)
        continue
      }
      if (b[i] !== CLOSE_BRACE) throw FALLBACK
      break
    }
    const n = (this.sp - first) / STRIDE
    // Database order: check it pair by pair; sort only when it is not (a duplicate key: the old path).
    let order: number[] | undefined
    for (let k = 1; k < n; k++) {
      const cmp = this.compareMembers(b, first + (k - 1) * STRIDE, first + k * STRIDE)
      if (cmp === 0) throw FALLBACK
      if (cmp > 0) {
        order = []
        for (let x = 0; x < n; x++) order.push(first + x * STRIDE)
        order.sort((x, y) => this.compareMembers(b, x, y))
        for (let x = 1; x < n; x++) if (this.compareMembers(b, order[x - 1], order[x]) === 0) throw FALLBACK
        break
      }
    }
    for (let k = 0; k < n; k++) {
      const m = order ? order[k] : first + k * STRIDE
      const mem = this.mem
      const ks = mem[m + M_KS]
      const ke = mem[m + M_KE]
      const vs = mem[m + M_VS]
      const ve = mem[m + M_VE]
      const kind = mem[m + M_KIND]
      this.pl = basePl
      if (mem[m + M_FLAGS] & F_ESCAPE) {
        const key = Buffer.from(JSON.parse(b.toString('utf8', ks - 1, ke + 1)) as string)
        this.pathBytes(key, 0, key.length, true)
      } else {
        this.pathBytes(b, ks, ke, true)
      }
      if (kind === K_OBJECT || kind === K_ARRAY) {
        if ((kind === K_OBJECT ? this.object(b, vs, end) : this.array(b, vs, end)) !== ve) throw FALLBACK
      } else {
        this.emitPrimitive(kind, b, vs, ve)
      }
    }
    this.pl = basePl
    this.sp = first
    return i + 1
  }

  /** compareKeys of two members' keys: on the bytes when that is the same, else decoded. */
  private compareMembers(b: Buffer, x: number, y: number): number {
    const mem = this.mem
    const as = mem[x + M_KS]
    const ae = mem[x + M_KE]
    const bs = mem[y + M_KS]
    const be = mem[y + M_KE]
    if ((mem[x + M_FLAGS] | mem[y + M_FLAGS]) !== 0) return this.options.compareKeys(decodeKey(b, as, ae), decodeKey(b, bs, be))
    const ca = as < ae ? b[as] : 0
    const cb = bs < be ? b[bs] : 0
    if (ca > NINE && cb > NINE) return compareBytes(b, as, ae, bs, be)
    const ia = intKey(b, as, ae)
    const ib = intKey(b, bs, be)
    const aInt = ia === ia
    const bInt = ib === ib
    if (aInt && bInt) {
      if (ia !== ib) return ia - ib
      if (ae - as !== be - bs) return ae - as - (be - bs)
      return compareBytes(b, as, ae, bs, be)
    }
    if (aInt) return -1
    if (bInt) return 1
    return compareBytes(b, as, ae, bs, be)
  }

  // --- output ------------------------------------------------------------------------------

  /** Append "/" (when `slash`) and b[s..e) to the path. */
  private pathBytes(b: Buffer, s: number, e: number, slash = false): void {
    const need = this.pl + (e - s) + 1
    if (need > this.path.length) {
      const grown = Buffer.allocUnsafe(2 * need)
      this.path.copy(grown, 0, 0, this.pl)
      this.path = grown
    }
    const p = this.path
    let o = this.pl
    if (slash) p[o++] = SLASH
    if (e - s > 32) {
      b.copy(p, o, s, e)
      o += e - s
    } else {
      for (let k = s; k < e; k++) p[o++] = b[k]
    }
    this.pl = o
  }

  private pathIndex(index: number): void {
    if (this.pl + 12 > this.path.length) {
      const grown = Buffer.allocUnsafe(2 * (this.pl + 12))
      this.path.copy(grown, 0, 0, this.pl)
      this.path = grown
    }
    const p = this.path
    p[this.pl++] = SLASH
    if (index < 10) {
      p[this.pl++] = ZERO + index
      return
    }
    const digits = String(index)
    for (let k = 0; k < digits.length; k++) p[this.pl++] = digits.charCodeAt(k)
  }

  /** One leaf: "<path>\t<b[s..e)>\n". */
  private leaf(b: Buffer, s: number, e: number): void {
    this.count++
    const pl = this.pl
    const n = e - s
    if (this.o + pl + n + 2 > this.out.length) {
      this.spill()
      if (pl + n + 2 > this.out.length) {
        // Bigger than the buffer: hash it in pieces (the line's start state is saved).
        const h = this.current!.hash
        h.update(this.path.subarray(0, pl))
        h.update('\t')
        h.update(b.subarray(s, e))
        h.update('\n')
        return
      }
    }
    const out = this.out
    let o = this.o
    const p = this.path
    for (let k = 0; k < pl; k++) out[o++] = p[k]
    out[o++] = TAB
    if (n > 48) {
      b.copy(out, o, s, e)
      o += n
    } else {
      for (let k = s; k < e; k++) out[o++] = b[k]
    }
    out[o++] = NEWLINE
    this.o = o
  }

  /** The buffer is full: hash it, keeping the hash state at the line's start (for a rollback). */
  private spill(): void {
    const h = this.current!.hash
    if (this.inLine && !this.saved) {
      if (this.lineStart > 0) h.update(this.out.subarray(0, this.lineStart))
      this.saved = h.copy()
      if (this.o > this.lineStart) h.update(this.out.subarray(this.lineStart, this.o))
    } else if (this.o > 0) {
      h.update(this.out.subarray(0, this.o))
    }
    this.o = 0
    this.lineStart = 0
  }
}

/** 1 for "path", 2 for "value" (the key token at b[i], no escape), 0 otherwise. */
function memberName(b: Buffer, i: number, end: number): number {
  // "path"
  if (i + 6 <= end && b[i + 1] === 0x70 && b[i + 2] === 0x61 && b[i + 3] === 0x74 && b[i + 4] === 0x68 && b[i + 5] === QUOTE) return 1
  // "value"
  if (i + 7 <= end && b[i + 1] === 0x76 && b[i + 2] === 0x61 && b[i + 3] === 0x6c && b[i + 4] === 0x75 && b[i + 5] === 0x65 && b[i + 6] === QUOTE) return 2
  return 0
}

function sameBytes(b: Buffer, s: number, c: Buffer, n: number): boolean {
  for (let k = 0; k < n; k++) if (b[s + k] !== c[k]) return false
  return true
}

/** Byte order of b[as..ae) and b[bs..be) (the same as UTF-16 order for keys without 4-byte characters). */
function compareBytes(b: Buffer, as: number, ae: number, bs: number, be: number): number {
  const la = ae - as
  const lb = be - bs
  const n = la < lb ? la : lb
  for (let k = 0; k < n; k++) {
    const d = b[as + k] - b[bs + k]
    if (d !== 0) return d
  }
  return la - lb
}

/** format.ts intKey on bytes (ASCII): the 32-bit integer value of a key like "-?0*\d{1,10}", NaN when it is not one. */
function intKey(b: Buffer, s: number, e: number): number {
  let j = s
  if (j < e && b[j] === MINUS) j++
  if (j >= e) return Number.NaN
  let z = j
  while (z < e - 1 && b[z] === ZERO) z++
  if (e - z > 10) return Number.NaN
  let v = 0
  for (let k = j; k < e; k++) {
    const c = b[k]
    if (c < ZERO || c > NINE) return Number.NaN
    v = v * 10 + (c - ZERO)
  }
  const n = b[s] === MINUS ? -v : v
  return n >= -2147483648 && n <= 2147483647 ? n : Number.NaN
}

/** The key b[s..e) (between its quotes) as a string. */
function decodeKey(b: Buffer, s: number, e: number): string {
  for (let k = s; k < e; k++) if (b[k] === BACKSLASH) return JSON.parse(b.toString('utf8', s - 1, e + 1)) as string
  return b.toString('utf8', s, e)
}
