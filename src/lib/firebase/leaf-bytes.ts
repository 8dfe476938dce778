/**
 * The per-key digest text of Realtime Database backup lines, written straight from the NDJSON
 * bytes: for every leaf, "<path>\t<canonical JSON value>\n" in key order, exactly the bytes
 * format.ts `leafText` produces from the parsed value, but without JSON.parse, without decoding
 * keys or strings and without building strings: the text goes into one reusable buffer that is
 * hashed in large pieces.
 *
 * Why the raw bytes can be copied (the line having been checked to be valid UTF-8):
 * - a key without escapes is its own UTF-8 path text;
 * - a string without a backslash (and, as JSON requires, without a byte below 0x20) is its own
 *   JSON.stringify form (which escapes only quotes, backslashes, control characters and lone
 *   surrogates; valid UTF-8 has no surrogates);
 * - true and false are their own text; a plain integer of at most 15 digits (not -0) is its
 *   own String(number).
 * Rarer forms are converted per token exactly as leafText does, from JSON.parse of that one
 * token: strings with escapes (JSON.stringify(JSON.parse(token))), other numbers (1.0, 1e3, -0,
 * big integers: String(JSON.parse(token))); keys with escapes are decoded for the path.
 *
 * Object keys are emitted in database order (compareKeys): the order is checked pair by pair,
 * and the members are sorted only when it is not. Keys are compared as bytes only when that is
 * provably the same as compareKeys (no escape, no 4-byte UTF-8 character: then UTF-8 byte order
 * is UTF-16 code unit order), otherwise decoded and given to compareKeys.
 *
 * Anything else (a duplicate key, invalid JSON, an unexpected line shape, a path longer than
 * 64 KB...) leaves the line to the caller's old path (decode + JSON.parse + leafText), with
 * nothing of it added; that path also throws JSON.parse's error for a line that is not JSON.
 *
 * Performance notes: the bytes being read, the path being built and the text being written
 * live in one ArrayBuffer, so copies are `copyWithin` (no view allocated per copy) or 4-byte
 * DataView moves, and strings are scanned 4 bytes at a time (SWAR) for a quote, a backslash
 * or a control character.
 */
import {isUtf8} from 'node:buffer'
import type {Hash} from 'node:crypto'

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
const SPACE = 0x20
const CR = 0x0d

// Members on the member stack (an Int32Array, STRIDE ints per member).
const STRIDE = 6
const M_KS = 0 // key start (after its quote)
const M_KE = 1 // key end (its closing quote)
const M_FLAGS = 2
const M_VS = 3
const M_VE = 4
const M_KIND = 5
const F_ESCAPE = 1 // the key has an escape
const F_ASTRAL = 2 // the key has a 4-byte UTF-8 character (there UTF-16 order differs from byte order)

// Value kinds.
const K_NULL = 0 // no leaf
const K_COPY = 1 // the bytes are the leaf's text (plain string, true, false, plain integer)
const K_STRING = 2 // a string with escapes
const K_NUMBER = 3 // a number in another form
const K_OBJECT = 4
const K_ARRAY = 5

/** Lines are copied into the work buffer in windows of about this size (a longer line: its own window). */
const WINDOW_BYTES = 1024 * 1024
const PATH_BYTES = 64 * 1024
const OUT_BYTES = 256 * 1024
/** Below this many bytes a copy is 4-byte moves, above it copyWithin. */
const SMALL_COPY = 40

export class LeafBytes {
  /** [input window | path | output text], one ArrayBuffer. */
  private w = Buffer.alloc(0)
  private dv = new DataView(new ArrayBuffer(0))
  private inCap = -1
  private pb = 0
  private ob = 0
  /** Output bytes buffered (at ob). */
  private o = 0
  /** Path length (at pb). */
  private pl = 0
  /** The entry whose hash the buffered text belongs to. */
  private current: LeafEntry | undefined
  /** Output position where the current line's text starts. */
  private lineStart = 0
  /** The hash state at the start of the current line, once part of the line was hashed. */
  private saved: Hash | undefined
  private inLine = false
  private mem = new Int32Array(STRIDE * 256)
  private sp = 0
  /** Leaves of the current line. */
  private count = 0
  /** Set by primitive(). */
  private kind = K_NULL
  // The last top-level key seen on a line (its bytes) and its entry.
  private topBytes = Buffer.allocUnsafe(64)
  private topLen = -1
  private topEntry: LeafEntry | undefined

  constructor(private readonly options: LeafBytesOptions) {
    this.alloc(WINDOW_BYTES)
  }

  /** Hash what is buffered (before the entries' hashes are read or updated elsewhere). */
  flush(): void {
    if (this.o > 0 && this.current) this.current.hash.update(this.w.subarray(this.ob, this.ob + this.o))
    this.o = 0
  }

  /** Forget the cached top-level key and current entry (an entry may have been removed). */
  forgetEntries(): void {
    this.flush()
    this.current = undefined
    this.topLen = -1
    this.topEntry = undefined
  }

  /**
   * Whole NDJSON lines b[0..length) (ending with "\n"; empty lines skipped). Each line the fast
   * path does not take (invalid UTF-8, an unexpected shape, invalid JSON) goes to `fallback`
   * (the bytes of the line in b, without its line break), in order.
   */
  lines(b: Buffer, fallback: (b: Buffer, start: number, end: number) => void): void {
    const utf8 = isUtf8(b)
    for (let s = 0; s < b.length;) {
      let e = s + WINDOW_BYTES >= b.length ? b.length : b.lastIndexOf(NEWLINE, s + WINDOW_BYTES - 1) + 1
      if (e <= s) e = b.indexOf(NEWLINE, s) + 1
      if (e <= s) e = b.length
      this.load(b, s, e)
      const n = e - s
      for (let ls = 0; ls < n;) {
        let nl = this.w.indexOf(NEWLINE, ls)
        if (nl < 0 || nl > n) nl = n
        if (nl > ls && !((utf8 || isUtf8(this.w.subarray(ls, nl))) && this.line(ls, nl))) fallback(b, s + ls, s + nl)
        ls = nl + 1
      }
      s = e
    }
  }

  /**
   * One value b[start..end) (whitespace allowed around it) at `path`, into `entry`. False when
   * the fast path does not take it (nothing was added).
   */
  value(entry: LeafEntry, path: string, b: Buffer, start: number, end: number): boolean {
    if (!isUtf8(b.subarray(start, end)) || path.length * 3 > PATH_BYTES) return false
    this.load(b, start, end)
    this.use(entry)
    const n = end - start
    try {
      this.pl = this.w.write(path, this.pb, 'utf8')
      this.startLine()
      const i = this.emitValue(this.skipWs(0, n), n)
      if (this.skipWs(i, n) !== n) throw FALLBACK
      this.endLine()
      return true
    } catch {
      if (this.inLine) this.rollback()
      return false
    }
  }

  // --- work buffer -------------------------------------------------------------------------

  private alloc(inCap: number): void {
    const ab = new ArrayBuffer(inCap + PATH_BYTES + OUT_BYTES)
    const w = Buffer.from(ab)
    const ob = inCap + PATH_BYTES
    if (this.o > 0) this.w.copy(w, ob, this.ob, this.ob + this.o)
    this.w = w
    this.dv = new DataView(ab)
    this.inCap = inCap
    this.pb = inCap
    this.ob = ob
  }

  /** Copy b[s..e) to the start of the work buffer. */
  private load(b: Buffer, s: number, e: number): void {
    if (e - s > this.inCap) this.alloc(Math.max(e - s, 2 * this.inCap))
    this.w.set(b.subarray(s, e), 0)
  }

  // --- lines -------------------------------------------------------------------------------

  /** The line w[start..end): {"path":"...","value":...} (either member first). False when the fast path does not take it. */
  private line(start: number, end: number): boolean {
    const w = this.w
    let i = this.skipWs(start, end)
    if (w[i] !== OPEN_BRACE) return false
    let ps = -1
    let pe = -1
    let vs = -1
    let ve = -1
    let emitted = false
    try {
      i = this.skipWs(i + 1, end)
      for (;;) {
        if (w[i] !== QUOTE) throw FALLBACK
        const member = memberName(w, i, end)
        if (member === 0) throw FALLBACK
        i = this.skipWs(i + (member === 1 ? 6 : 7), end)
        if (w[i] !== COLON) throw FALLBACK
        i = this.skipWs(i + 1, end)
        if (member === 1) {
          if (ps >= 0 || w[i] !== QUOTE) throw FALLBACK
          ps = i
          pe = this.plainString(i, end)
          if (pe < 0) throw FALLBACK // escapes in the path: the old path
          i = pe
          if (vs >= 0) {
            this.begin(ps, pe)
            if (this.emitValue(vs, end) !== ve) throw FALLBACK
            emitted = true
          }
        } else {
          if (vs >= 0) throw FALLBACK
          vs = i
          if (ps >= 0) {
            this.begin(ps, pe)
            i = this.emitValue(vs, end)
            emitted = true
          } else {
            i = this.skipValue(i, end)
          }
          ve = i
        }
        i = this.skipWs(i, end)
        if (w[i] === COMMA) {
          i = this.skipWs(i + 1, end)
          continue
        }
        if (w[i] !== CLOSE_BRACE) throw FALLBACK
        break
      }
      if (!emitted || this.skipWs(i + 1, end) !== end) throw FALLBACK
      this.endLine()
      return true
    } catch {
      // FALLBACK, or JSON.parse's SyntaxError on one token: the old path decides (and throws
      // JSON.parse's error when the line is not JSON).
      if (this.inLine) this.rollback()
      return false
    }
  }

  /** Start a line whose path is the plain string token w[ps..pe). */
  private begin(ps: number, pe: number): void {
    const w = this.w
    const s = ps + 1
    const e = pe - 1
    if (e - s > PATH_BYTES) throw FALLBACK
    // The top-level key (format.ts topKeyOf): after the leading slashes, up to the next slash.
    let t = s
    while (t < e && w[t] === SLASH) t++
    let te = t
    while (te < e && w[te] !== SLASH) te++
    let entry = this.topEntry
    if (!entry || te - t !== this.topLen || !sameBytes(w, t, this.topBytes, te - t)) {
      entry = this.options.entry(t >= e ? '/' : w.toString('utf8', t, te))
      if (this.topBytes.length < te - t) this.topBytes = Buffer.allocUnsafe(2 * (te - t))
      w.copy(this.topBytes, 0, t, te)
      this.topLen = te - t
      this.topEntry = entry
    }
    this.use(entry)
    this.pl = 0
    this.appendPath(s, e, false)
    this.startLine()
  }

  private startLine(): void {
    this.inLine = true
    this.lineStart = this.o
    this.saved = undefined
    this.count = 0
    this.sp = 0
  }

  private endLine(): void {
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

  /** w[i] starts a value (no whitespace before it): emit its leaves at the current path; the index after it. */
  private emitValue(i: number, end: number): number {
    const c = this.w[i]
    if (c === OPEN_BRACE) return this.object(i, end)
    if (c === OPEN_BRACKET) return this.array(i, end)
    const j = this.primitive(i, end)
    this.emitPrimitive(this.kind, i, j)
    return j
  }

  /** w[i] starts a primitive: its end; its kind in this.kind. Throws on anything invalid. */
  private primitive(i: number, end: number): number {
    const w = this.w
    const c = w[i]
    if (c === QUOTE) {
      const j = this.plainString(i, end)
      if (j >= 0) {
        this.kind = K_COPY
        return j
      }
      this.kind = K_STRING
      return this.escapedStringEnd(i, end)
    }
    if (c === 0x74) { // true
      if (i + 4 > end || w[i + 1] !== 0x72 || w[i + 2] !== 0x75 || w[i + 3] !== 0x65) throw FALLBACK
      this.kind = K_COPY
      return i + 4
    }
    if (c === 0x66) { // false
      if (i + 5 > end || w[i + 1] !== 0x61 || w[i + 2] !== 0x6c || w[i + 3] !== 0x73 || w[i + 4] !== 0x65) throw FALLBACK
      this.kind = K_COPY
      return i + 5
    }
    if (c === 0x6e) { // null
      if (i + 4 > end || w[i + 1] !== 0x75 || w[i + 2] !== 0x6c || w[i + 3] !== 0x6c) throw FALLBACK
      this.kind = K_NULL
      return i + 4
    }
    if (c === MINUS || (c >= ZERO && c <= NINE)) {
      // A plain integer: -?(0|[1-9][0-9]{0,14}), not -0, followed by a delimiter.
      const d0 = c === MINUS ? i + 1 : i
      let j = d0
      if (w[j] === ZERO) {
        j++
      } else {
        while (j < end && w[j] >= ZERO && w[j] <= NINE) j++
      }
      const digits = j - d0
      const next = j < end ? w[j] : COMMA
      if (digits > 0 && digits <= 15 && !(c === MINUS && w[d0] === ZERO) && isDelimiter(next)) {
        this.kind = K_COPY
        return j
      }
      // Another form: the token up to a delimiter, converted through JSON.parse when emitted.
      while (j < end && !isDelimiter(w[j])) j++
      this.kind = K_NUMBER
      return j
    }
    throw FALLBACK
  }

  private emitPrimitive(kind: number, s: number, e: number): void {
    if (kind === K_COPY) {
      this.leaf(s, e)
    } else if (kind === K_STRING) {
      this.leafText(JSON.stringify(JSON.parse(this.w.toString('utf8', s, e)) as string))
    } else if (kind === K_NUMBER) {
      const v = JSON.parse(this.w.toString('latin1', s, e)) as unknown
      if (typeof v !== 'number') throw FALLBACK
      this.leafText(String(v))
    }
  }

  /**
   * w[i] is a quote: the index after the string when it has no escape, -1 when it has one.
   * Throws on a control character (invalid JSON) or a missing end. Four bytes at a time.
   */
  private plainString(i: number, end: number): number {
    const dv = this.dv
    let j = i + 1
    for (; j + 4 <= end; j += 4) {
      const x = dv.getUint32(j, true)
      const q = x ^ 0x22222222
      const s = x ^ 0x5c5c5c5c
      // A byte below 0x20, a quote or a backslash among the four.
      if ((((x - 0x20202020) & ~x) | ((q - 0x01010101) & ~q) | ((s - 0x01010101) & ~s)) & 0x80808080) break
    }
    const w = this.w
    for (; j < end; j++) {
      const c = w[j]
      if (c === QUOTE) return j + 1
      if (c === BACKSLASH) return -1
      if (c < 0x20) throw FALLBACK
    }
    throw FALLBACK
  }

  /** w[i] is a quote: the index after the string, escaped or not. */
  private stringEnd(i: number, end: number): number {
    const j = this.plainString(i, end)
    return j >= 0 ? j : this.escapedStringEnd(i, end)
  }

  private escapedStringEnd(i: number, end: number): number {
    const w = this.w
    for (let j = i + 1; j < end; j++) {
      const c = w[j]
      if (c === QUOTE) return j + 1
      if (c === BACKSLASH) j++
      else if (c < 0x20) throw FALLBACK
    }
    throw FALLBACK
  }

  /** w[i] starts a value: the index after it (delimited only; its contents are checked when emitted). */
  private skipValue(i: number, end: number): number {
    const w = this.w
    const c = w[i]
    if (c === QUOTE) return this.stringEnd(i, end)
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      let depth = 0
      for (let j = i; j < end; j++) {
        const d = w[j]
        if (d === QUOTE) {
          j = this.stringEnd(j, end) - 1
        } else if (d === OPEN_BRACE || d === OPEN_BRACKET) {
          depth++
        } else if ((d === CLOSE_BRACE || d === CLOSE_BRACKET) && --depth === 0) {
          return j + 1
        }
      }
      throw FALLBACK
    }
    let j = i
    while (j < end && !isDelimiter(w[j])) j++
    if (j === i) throw FALLBACK
    return j
  }

  private skipWs(i: number, end: number): number {
    const w = this.w
    while (i < end) {
      const c = w[i]
      if (c !== SPACE && c !== TAB && c !== CR && c !== NEWLINE) break
      i++
    }
    return i
  }

  /** leafText's `base`: the path, or nothing when the path is "/". */
  private base(): number {
    if (this.pl === 1 && this.w[this.pb] === SLASH) this.pl = 0
    return this.pl
  }

  private array(i: number, end: number): number {
    const base = this.base()
    i = this.skipWs(i + 1, end)
    if (this.w[i] === CLOSE_BRACKET) return i + 1
    for (let index = 0; ; index++) {
      this.pl = base
      this.appendIndex(index)
      i = this.skipWs(this.emitValue(i, end), end)
      const c = this.w[i]
      if (c === COMMA) {
        i = this.skipWs(i + 1, end)
        continue
      }
      if (c !== CLOSE_BRACKET) throw FALLBACK
      this.pl = base
      return i + 1
    }
  }

  private object(i: number, end: number): number {
    const w = this.w
    const basePl = this.base()
    const first = this.sp
    i = this.skipWs(i + 1, end)
    if (w[i] === CLOSE_BRACE) return i + 1
    // Collect the members (primitives checked and classified once; containers delimited only).
    for (;;) {
      if (w[i] !== QUOTE) throw FALLBACK
      let flags = 0
      let j = i + 1
      for (; j < end; j++) {
        const c = w[j]
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
      i = this.skipWs(j + 1, end)
      if (w[i] !== COLON) throw FALLBACK
      const vs = this.skipWs(i + 1, end)
      let ve: number
      let kind: number
      const c = w[vs]
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        ve = this.skipValue(vs, end)
        kind = c === OPEN_BRACE ? K_OBJECT : K_ARRAY
      } else {
        ve = this.primitive(vs, end)
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
      i = this.skipWs(ve, end)
      if (w[i] === COMMA) {
        i = this.skipWs(i + 1, end)
        continue
      }
      if (w[i] !== CLOSE_BRACE) throw FALLBACK
      break
    }
    const n = (this.sp - first) / STRIDE
    // Database order: checked pair by pair, sorted only when needed; a duplicate key: the old path.
    let order: number[] | undefined
    for (let k = 1; k < n; k++) {
      const cmp = this.compareMembers(first + (k - 1) * STRIDE, first + k * STRIDE)
      if (cmp === 0) throw FALLBACK
      if (cmp > 0) {
        order = []
        for (let x = 0; x < n; x++) order.push(first + x * STRIDE)
        order.sort((x, y) => this.compareMembers(x, y))
        for (let x = 1; x < n; x++) if (this.compareMembers(order[x - 1], order[x]) === 0) throw FALLBACK
        break
      }
    }
    for (let k = 0; k < n; k++) {
      const m = order ? order[k] : first + k * STRIDE
      const mem = this.mem
      const kind = mem[m + M_KIND]
      const vs = mem[m + M_VS]
      const ve = mem[m + M_VE]
      this.pl = basePl
      if (mem[m + M_FLAGS] & F_ESCAPE) {
        this.appendPathText(JSON.parse(w.toString('utf8', mem[m + M_KS] - 1, mem[m + M_KE] + 1)) as string)
      } else {
        this.appendPath(mem[m + M_KS], mem[m + M_KE], true)
      }
      if (kind === K_OBJECT) {
        if (this.object(vs, end) !== ve) throw FALLBACK
      } else if (kind === K_ARRAY) {
        if (this.array(vs, end) !== ve) throw FALLBACK
      } else {
        this.emitPrimitive(kind, vs, ve)
      }
    }
    this.pl = basePl
    this.sp = first
    return i + 1
  }

  /** compareKeys of two members' keys: on the bytes when that is the same, else decoded. */
  private compareMembers(x: number, y: number): number {
    const mem = this.mem
    const w = this.w
    const as = mem[x + M_KS]
    const ae = mem[x + M_KE]
    const bs = mem[y + M_KS]
    const be = mem[y + M_KE]
    if ((mem[x + M_FLAGS] | mem[y + M_FLAGS]) !== 0) return this.options.compareKeys(decodeKey(w, as, ae), decodeKey(w, bs, be))
    const ca = as < ae ? w[as] : 0
    const cb = bs < be ? w[bs] : 0
    if (ca > NINE && cb > NINE) return compareBytes(w, as, ae, bs, be)
    const ia = intKey(w, as, ae)
    const ib = intKey(w, bs, be)
    const aInt = !Number.isNaN(ia)
    const bInt = !Number.isNaN(ib)
    if (aInt && bInt) {
      if (ia !== ib) return ia - ib
      if (ae - as !== be - bs) return ae - as - (be - bs)
      return compareBytes(w, as, ae, bs, be)
    }
    if (aInt) return -1
    if (bInt) return 1
    return compareBytes(w, as, ae, bs, be)
  }

  // --- output ------------------------------------------------------------------------------

  /** Append "/" (when `slash`) and w[s..e) to the path. */
  private appendPath(s: number, e: number, slash: boolean): void {
    const n = e - s
    if (this.pl + n + 1 > PATH_BYTES) throw FALLBACK
    let o = this.pb + this.pl
    if (slash) this.w[o++] = SLASH
    this.copy(s, o, n)
    this.pl = o + n - this.pb
  }

  private appendPathText(key: string): void {
    if (this.pl + 1 + key.length * 3 > PATH_BYTES) throw FALLBACK
    this.w[this.pb + this.pl++] = SLASH
    this.pl += this.w.write(key, this.pb + this.pl, 'utf8')
  }

  private appendIndex(index: number): void {
    if (this.pl + 12 > PATH_BYTES) throw FALLBACK
    const w = this.w
    w[this.pb + this.pl++] = SLASH
    if (index < 10) {
      w[this.pb + this.pl++] = ZERO + index
      return
    }
    this.pl += w.write(String(index), this.pb + this.pl, 'latin1')
  }

  /** Copy n bytes from w[s] to w[t] (non-overlapping ranges of the work buffer). */
  private copy(s: number, t: number, n: number): void {
    if (n > SMALL_COPY) {
      this.w.copyWithin(t, s, s + n)
      return
    }
    const dv = this.dv
    let k = 0
    for (; k + 4 <= n; k += 4) dv.setUint32(t + k, dv.getUint32(s + k))
    const w = this.w
    for (; k < n; k++) w[t + k] = w[s + k]
  }

  /** One leaf: "<path>\t<w[s..e)>\n". */
  private leaf(s: number, e: number): void {
    this.putLeaf(this.w, s, e)
  }

  /** One leaf whose value text is given (a converted string or number). */
  private leafText(text: string): void {
    const bytes = Buffer.from(text, 'utf8')
    this.putLeaf(bytes, 0, bytes.length)
  }

  /** "<path>\t<src[s..e)>\n" into the output buffer (src is the work buffer itself or a converted value). */
  private putLeaf(src: Uint8Array, s: number, e: number): void {
    this.count++
    const pl = this.pl
    const n = e - s
    if (this.o + pl + n + 2 > OUT_BYTES) {
      this.spill()
      if (pl + n + 2 > OUT_BYTES) {
        // Bigger than the buffer: hashed in pieces (the line's start state is saved).
        const h = this.current!.hash
        h.update(this.w.subarray(this.pb, this.pb + pl))
        h.update('\t')
        h.update(src.subarray(s, e))
        h.update('\n')
        return
      }
    }
    let o = this.ob + this.o
    this.copy(this.pb, o, pl)
    o += pl
    this.w[o++] = TAB
    if (src === this.w) this.copy(s, o, n)
    else this.w.set(src.subarray(s, e), o)
    o += n
    this.w[o++] = NEWLINE
    this.o = o - this.ob
  }

  /** The output buffer is full: hash it, keeping the hash state at the line's start (for a rollback). */
  private spill(): void {
    const h = this.current!.hash
    const w = this.w
    if (this.inLine && !this.saved) {
      if (this.lineStart > 0) h.update(w.subarray(this.ob, this.ob + this.lineStart))
      this.saved = h.copy()
      if (this.o > this.lineStart) h.update(w.subarray(this.ob + this.lineStart, this.ob + this.o))
    } else if (this.o > 0) {
      h.update(w.subarray(this.ob, this.ob + this.o))
    }
    this.o = 0
    this.lineStart = 0
  }
}

function isDelimiter(c: number): boolean {
  return c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c === SPACE || c === TAB || c === CR || c === NEWLINE
}

/** 1 for "path", 2 for "value" (the key token at w[i], no escape), 0 otherwise. */
function memberName(w: Buffer, i: number, end: number): number {
  if (i + 6 <= end && w[i + 1] === 0x70 && w[i + 2] === 0x61 && w[i + 3] === 0x74 && w[i + 4] === 0x68 && w[i + 5] === QUOTE) return 1
  if (i + 7 <= end && w[i + 1] === 0x76 && w[i + 2] === 0x61 && w[i + 3] === 0x6c && w[i + 4] === 0x75 && w[i + 5] === 0x65 && w[i + 6] === QUOTE) return 2
  return 0
}

function sameBytes(w: Buffer, s: number, c: Buffer, n: number): boolean {
  for (let k = 0; k < n; k++) if (w[s + k] !== c[k]) return false
  return true
}

/** Byte order of w[as..ae) and w[bs..be) (the same as UTF-16 order for keys without 4-byte characters). */
function compareBytes(w: Buffer, as: number, ae: number, bs: number, be: number): number {
  const la = ae - as
  const lb = be - bs
  const n = la < lb ? la : lb
  for (let k = 0; k < n; k++) {
    const d = w[as + k] - w[bs + k]
    if (d !== 0) return d
  }
  return la - lb
}

/** format.ts intKey on the bytes of a key: its value when it is a 32-bit integer key ("-?0*\d{1,10}"), NaN otherwise. */
function intKey(w: Buffer, s: number, e: number): number {
  let j = s
  if (j < e && w[j] === MINUS) j++
  if (j >= e) return Number.NaN
  let z = j
  while (z < e - 1 && w[z] === ZERO) z++
  if (e - z > 10) return Number.NaN
  let v = 0
  for (let k = j; k < e; k++) {
    const c = w[k]
    if (c < ZERO || c > NINE) return Number.NaN
    v = v * 10 + (c - ZERO)
  }
  const n = w[s] === MINUS ? -v : v
  return n >= -2147483648 && n <= 2147483647 ? n : Number.NaN
}

/** The key w[s..e) (between its quotes) as a string. */
function decodeKey(w: Buffer, s: number, e: number): string {
  for (let k = s; k < e; k++) if (w[k] === BACKSLASH) return JSON.parse(w.toString('utf8', s - 1, e + 1)) as string
  return w.toString('utf8', s, e)
}
