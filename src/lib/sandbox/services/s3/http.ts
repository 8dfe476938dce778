/**
 * Pure pieces of S3's HTTP semantics: byte ranges (RFC 9110 §14, one range only, as S3),
 * GET/HEAD preconditions (If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html), the copy source header,
 * and the little XML S3 requests carry.
 */

export class S3Fault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

export interface ByteRange {
  start: number
  /** Inclusive. */
  end: number
}

/**
 * A `bytes=` range against an object of `size` bytes. Multiple ranges are refused (S3 serves one
 * range per request); an unsatisfiable range is 416 InvalidRange, as S3 answers it.
 */
export function parseRange(header: string, size: number, notModelled: (what: string) => Error): ByteRange {
  const m = /^bytes=(.*)$/i.exec(header.trim())
  if (!m) throw notModelled(`Range "${header}" (only bytes= ranges are modelled)`)
  if (m[1].includes(',')) throw notModelled(`multiple byte ranges in one request ("${header}")`)
  const r = /^\s*(\d*)\s*-\s*(\d*)\s*$/.exec(m[1])
  if (!r || (r[1] === '' && r[2] === '')) throw notModelled(`Range "${header}"`)
  const invalid = () => new S3Fault(416, 'InvalidRange', 'The requested range is not satisfiable', {RangeRequested: header, ActualObjectSize: String(size)}, {'content-range': `bytes */${size}`})
  if (r[1] === '') {
    // Suffix: the last N bytes.
    const n = Number(r[2])
    if (n === 0 || size === 0) throw invalid()
    return {start: Math.max(0, size - n), end: size - 1}
  }
  const start = Number(r[1])
  const end = r[2] === '' ? size - 1 : Math.min(Number(r[2]), size - 1)
  if (r[2] !== '' && Number(r[2]) < start) throw notModelled(`Range "${header}" (last byte before the first)`)
  if (start >= size) throw invalid()
  return {start, end}
}

function etagMatches(list: string, etag: string): boolean {
  return list.split(',').some((t) => {
    const v = t.trim()
    return v === '*' || v === etag || `"${v}"` === etag || v.replace(/^W\//, '') === etag
  })
}

/** GET/HEAD preconditions in S3's order: 412 PreconditionFailed or 304 Not Modified, else undefined. */
export function checkPreconditions(h: {ifMatch?: string; ifNoneMatch?: string; ifModifiedSince?: string; ifUnmodifiedSince?: string}, etag: string, lastModified: Date): 304 | 412 | undefined {
  const seconds = Math.floor(lastModified.getTime() / 1000) * 1000
  const date = (v: string) => {
    const t = Date.parse(v)
    return Number.isNaN(t) ? undefined : t
  }
  if (h.ifMatch !== undefined && !etagMatches(h.ifMatch, etag)) return 412
  if (h.ifMatch === undefined && h.ifUnmodifiedSince !== undefined) {
    const t = date(h.ifUnmodifiedSince)
    if (t !== undefined && seconds > t) return 412
  }
  if (h.ifNoneMatch !== undefined && etagMatches(h.ifNoneMatch, etag)) return 304
  if (h.ifNoneMatch === undefined && h.ifModifiedSince !== undefined) {
    const t = date(h.ifModifiedSince)
    if (t !== undefined && seconds <= t) return 304
  }
  return undefined
}

/** x-amz-copy-source: `[/]bucket/key[?versionId=…]`, URL-encoded. */
export function parseCopySource(raw: string, notModelled: (what: string) => Error): {bucket: string; key: string} {
  const [pathPart, query] = raw.split('?', 2)
  if (query !== undefined) throw notModelled(`x-amz-copy-source with "?${query}" (object versions)`)
  const decoded = decodeURIComponent(pathPart).replace(/^\/+/, '')
  const slash = decoded.indexOf('/')
  if (slash <= 0 || slash === decoded.length - 1) throw new S3Fault(400, 'InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', {ArgumentName: 'x-amz-copy-source', ArgumentValue: raw})
  return {bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1)}
}

export function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-fA-F]+));/g, (_m, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec))
    if (hex) return String.fromCodePoint(Number.parseInt(hex, 16))
    return {lt: '<', gt: '>', quot: '"', apos: "'", amp: '&'}[name] ?? ''
  })
}

/** The text of each `<tag>…</tag>` directly in `xml` (no nesting of the same tag). */
export function elements(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1])
}
