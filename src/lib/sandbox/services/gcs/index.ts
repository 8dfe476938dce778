/**
 * Cloud Storage JSON API (https://cloud.google.com/storage/docs/json_api/v1) as
 * @google-cloud/storage 7 sends it with `apiEndpoint` set to the sandbox: buckets.get,
 * objects.list (prefix, delimiter, pageToken, maxResults), objects.get (metadata, or the bytes with
 * alt=media), objects.insert (uploadType=media, multipart and resumable), objects.delete.
 * Firestore's managed export writes its files here (../firestore/admin.ts). See SPEC.md.
 */
import {createHash, randomUUID} from 'node:crypto'
import fs from 'node:fs'
import type {ServerResponse} from 'node:http'
import {refusalMessage} from '../../catalog.js'
import type {ErrorSpec, SandboxRequest, ServiceFactory} from '../../types.js'
import {gcsCatalog} from './catalog.js'
import {crc32c, GcsStore, type GcsObject} from './store.js'

/** Small pages so clients exercise pagination (the real default and maximum are 1,000). */
const LIST_PAGE_CAP = 100
const REASONS: Record<number, string> = {400: 'invalid', 401: 'required', 404: 'notFound', 409: 'conflict', 429: 'rateLimitExceeded', 501: 'notImplemented', 503: 'backendError'}

class GcsFault extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** /storage/v1/b/{bucket}[/o[/{object}]] and /upload/storage/v1/b/{bucket}/o */
function route(req: SandboxRequest): {upload: boolean; bucket?: string; object?: string; objects: boolean} {
  const m = /^\/(upload\/)?storage\/v1\/b(?:\/([^/]+)(?:\/(o)(?:\/(.+))?)?)?$/.exec(req.path)
  if (!m) return {upload: false, objects: false}
  return {upload: Boolean(m[1]), bucket: m[2] && decodeURIComponent(m[2]), objects: m[3] === 'o', object: m[4] && decodeURIComponent(m[4])}
}

export function gcsOperation(req: SandboxRequest): string {
  const r = route(req)
  if (r.upload) return 'objects.insert'
  if (!r.bucket) return req.method === 'GET' ? 'buckets.list' : 'buckets.insert'
  if (!r.objects) return {GET: 'buckets.get', DELETE: 'buckets.delete', PATCH: 'buckets.patch', PUT: 'buckets.update'}[req.method] ?? `${req.method} bucket`
  if (!r.object) return req.method === 'GET' ? 'objects.list' : 'objects.insert'
  return {GET: 'objects.get', DELETE: 'objects.delete', PATCH: 'objects.patch', PUT: 'objects.update'}[req.method] ?? `${req.method} object`
}

export const gcsService: ServiceFactory = (ctx) => {
  const store = new GcsStore(ctx)
  const base = () => ctx.baseUrl()

  const objectJson = (bucket: string, name: string, o: GcsObject) => ({
    kind: 'storage#object',
    id: `${bucket}/${name}/${o.generation}`,
    selfLink: `${base()}/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}`,
    mediaLink: `${base()}/download/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}?generation=${o.generation}&alt=media`,
    name,
    bucket,
    generation: o.generation,
    metageneration: '1',
    contentType: o.contentType,
    storageClass: 'STANDARD',
    size: String(o.size),
    md5Hash: o.md5Hash,
    crc32c: o.crc32c,
    etag: Buffer.from(o.generation).toString('base64'),
    timeCreated: o.timeCreated,
    updated: o.timeCreated,
    ...(o.metadata ? {metadata: o.metadata} : {}),
  })

  const sendJson = (res: ServerResponse, status: number, v: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(v)
    res.writeHead(status, {'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers})
    res.end(text)
  }
  const bucketOf = (name: string | undefined) => {
    const b = name ? store.bucket(name) : undefined
    if (!b) throw new GcsFault(404, 'The specified bucket does not exist.')
    return b
  }

  const finishUpload = (res: ServerResponse, bucket: string, name: string, data: Buffer, contentType?: string, metadata?: Record<string, string>) => {
    bucketOf(bucket)
    if (!name) throw new GcsFault(400, 'Required parameter: name')
    const o = store.put(bucket, name, data, contentType, metadata)
    sendJson(res, 200, objectJson(bucket, name, o))
  }

  /** multipart/related: a JSON metadata part, then the media part. */
  const multipart = (req: SandboxRequest): {meta: {name?: string; contentType?: string; metadata?: Record<string, string>}; data: Buffer; contentType?: string} => {
    const ct = String(req.headers['content-type'] ?? '')
    const boundary = /boundary="?([^";]+)"?/.exec(ct)?.[1]
    if (!boundary) throw new GcsFault(400, 'Missing multipart boundary')
    const parts: {headers: string; body: Buffer}[] = []
    const delim = Buffer.from(`--${boundary}`)
    let pos = req.body.indexOf(delim)
    while (pos >= 0) {
      const start = pos + delim.length
      if (req.body.subarray(start, start + 2).toString() === '--') break
      const next = req.body.indexOf(delim, start)
      if (next < 0) break
      const part = req.body.subarray(start + 2, next - 2) // after CRLF, before CRLF
      const sep = part.indexOf('\r\n\r\n')
      parts.push({headers: part.subarray(0, sep).toString('utf8'), body: part.subarray(sep + 4)})
      pos = next
    }
    if (parts.length !== 2) throw new GcsFault(400, `A multipart upload has a metadata part and a media part (${parts.length} parts received)`)
    const meta = JSON.parse(parts[0].body.toString('utf8')) as {name?: string; contentType?: string; metadata?: Record<string, string>}
    const mediaType = /content-type:\s*([^\r\n]+)/i.exec(parts[1].headers)?.[1]
    return {meta, data: parts[1].body, contentType: meta.contentType ?? mediaType}
  }

  const upload = (req: SandboxRequest, res: ServerResponse, bucket: string) => {
    const q = req.url.searchParams
    const type = q.get('uploadType')
    if (type === 'media') return finishUpload(res, bucket, q.get('name') ?? '', req.body, String(req.headers['content-type'] ?? '') || undefined)
    if (type === 'multipart') {
      const {meta, data, contentType} = multipart(req)
      return finishUpload(res, bucket, meta.name ?? q.get('name') ?? '', data, contentType, meta.metadata)
    }
    if (type !== 'resumable') throw new GcsFault(400, `Unknown uploadType "${type}"`)
    const s = store.state().data
    const uploadId = q.get('upload_id')
    if (req.method === 'POST' && !uploadId) {
      // Initiate: the session URI comes back in Location.
      bucketOf(bucket)
      const meta = req.body.length > 0 ? (req.json<{name?: string; contentType?: string; metadata?: Record<string, string>}>()) : {}
      const name = meta.name ?? q.get('name') ?? ''
      if (!name) throw new GcsFault(400, 'Required parameter: name')
      const id = randomUUID()
      const file = store.newFile()
      fs.writeFileSync(file, '')
      s.uploads[id] = {bucket, name, contentType: meta.contentType ?? String(req.headers['x-upload-content-type'] ?? 'application/octet-stream'), metadata: meta.metadata, file, received: 0}
      store.state().save()
      res.writeHead(200, {location: `${base()}/upload/storage/v1/b/${bucket}/o?uploadType=resumable&upload_id=${id}`, 'content-length': 0})
      return res.end()
    }
    const up = uploadId ? s.uploads[uploadId] : undefined
    if (!up || req.method !== 'PUT') throw new GcsFault(404, 'No such upload session')
    // Content-Range: "bytes a-b/total", "bytes a-b/*" or "bytes */total" (status query / finish).
    const range = String(req.headers['content-range'] ?? '')
    const m = /^bytes (?:(\d+)-(\d+)|\*)\/(\d+|\*)$/.exec(range)
    if (range && !m) throw new GcsFault(400, `Bad Content-Range "${range}"`)
    if (m && m[1] !== undefined) {
      if (Number(m[1]) !== up.received) throw new GcsFault(400, `The upload continues at byte ${up.received}, not ${m[1]}`)
      fs.appendFileSync(up.file, req.body)
      up.received += req.body.length
    } else if (!range) {
      fs.appendFileSync(up.file, req.body)
      up.received += req.body.length
    }
    const total = m ? m[3] : String(up.received)
    if (total !== '*' && Number(total) === up.received) {
      const data = fs.readFileSync(up.file)
      const o = store.commit(up.bucket, up.name, up.file, {size: data.length, md5: createHash('md5').update(data).digest(), crc: crc32c(data), contentType: up.contentType, metadata: up.metadata})
      delete s.uploads[uploadId!]
      store.state().save()
      return sendJson(res, 200, objectJson(up.bucket, up.name, o))
    }
    store.state().save()
    // 308 Resume Incomplete with the bytes received so far.
    res.writeHead(308, {...(up.received > 0 ? {range: `bytes=0-${up.received - 1}`} : {}), 'content-length': 0})
    res.end()
  }

  const list = (req: SandboxRequest, res: ServerResponse, bucket: string) => {
    bucketOf(bucket)
    const q = req.url.searchParams
    const prefix = q.get('prefix') ?? ''
    const delimiter = q.get('delimiter') ?? ''
    const max = Math.min(Number(q.get('maxResults') ?? LIST_PAGE_CAP) || LIST_PAGE_CAP, LIST_PAGE_CAP)
    const after = q.get('pageToken') ? Buffer.from(q.get('pageToken')!, 'base64url').toString('utf8') : undefined
    // Entries in name order: objects, and with a delimiter the common prefixes that stand for many.
    const entries: {name: string; prefix: boolean}[] = []
    const seen = new Set<string>()
    for (const name of store.names(bucket, prefix)) {
      const cut = delimiter ? name.indexOf(delimiter, prefix.length) : -1
      if (cut >= 0) {
        const p = name.slice(0, cut + delimiter.length)
        if (!seen.has(p)) {
          seen.add(p)
          entries.push({name: p, prefix: true})
        }
      } else entries.push({name, prefix: false})
    }
    const rest = after === undefined ? entries : entries.filter((e) => e.name > after)
    const page = rest.slice(0, max)
    const objects = store.bucket(bucket)!.objects
    const items = page.filter((e) => !e.prefix).map((e) => objectJson(bucket, e.name, objects[e.name]))
    const prefixes = page.filter((e) => e.prefix).map((e) => e.name)
    sendJson(res, 200, {
      kind: 'storage#objects',
      ...(items.length > 0 ? {items} : {}),
      ...(prefixes.length > 0 ? {prefixes} : {}),
      ...(rest.length > page.length ? {nextPageToken: Buffer.from(page[page.length - 1].name).toString('base64url')} : {}),
    })
  }

  const handle = (req: SandboxRequest, res: ServerResponse) => {
    const r = route(req)
    if (r.upload) return upload(req, res, r.bucket ?? '')
    const op = gcsOperation(req)
    switch (op) {
      case 'buckets.get': {
        const b = bucketOf(r.bucket)
        return sendJson(res, 200, {kind: 'storage#bucket', id: r.bucket, name: r.bucket, selfLink: `${base()}/storage/v1/b/${r.bucket}`, projectNumber: '000000000000', metageneration: '1', location: 'EU', storageClass: 'STANDARD', etag: 'CAE=', timeCreated: b.timeCreated, updated: b.timeCreated})
      }
      case 'objects.list':
        return list(req, res, r.bucket!)
      case 'objects.get': {
        const o = bucketOf(r.bucket).objects[r.object!]
        if (!o) throw new GcsFault(404, `No such object: ${r.bucket}/${r.object}`)
        if (req.url.searchParams.get('alt') !== 'media') return sendJson(res, 200, objectJson(r.bucket!, r.object!, o))
        const gen = req.url.searchParams.get('generation')
        if (gen && gen !== o.generation) throw new GcsFault(404, `No such object: ${r.bucket}/${r.object}#${gen}`)
        res.writeHead(200, {'content-type': o.contentType, 'content-length': o.size, 'x-goog-hash': `crc32c=${o.crc32c},md5=${o.md5Hash}`, 'x-goog-generation': o.generation, 'x-goog-stored-content-length': String(o.size), 'x-goog-stored-content-encoding': 'identity'})
        fs.createReadStream(o.file).pipe(res)
        return
      }
      case 'objects.delete': {
        bucketOf(r.bucket)
        if (!store.remove(r.bucket!, r.object!)) throw new GcsFault(404, `No such object: ${r.bucket}/${r.object}`)
        res.writeHead(204)
        return res.end()
      }
      default:
        throw new GcsFault(501, refusalMessage('gcs', `operation ${op}`))
    }
  }

  const renderJsonError = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) =>
    sendJson(res, status, {error: {code: status, message, errors: [{message, domain: 'global', reason: REASONS[status] ?? 'backendError'}]}}, headers)

  return {
    name: 'gcs',
    catalog: gcsCatalog,
    matches: (req) => !req.awsService && (req.path.startsWith('/storage/v1/') || req.path.startsWith('/upload/storage/v1/')),
    operation: gcsOperation,
    handle(req, res) {
      try {
        handle(req, res)
      } catch (error) {
        if (error instanceof GcsFault) return renderJsonError(res, error.status, error.message)
        if (error instanceof SyntaxError) return renderJsonError(res, 400, 'Invalid JSON payload received.')
        throw error
      }
    },
    renderError(_req, res, error: ErrorSpec) {
      if (error.kind === 'throttle') return renderJsonError(res, 429, 'Rate limit exceeded (injected by the sandbox).', {'retry-after': String(error.retryAfterSeconds ?? 1)})
      return renderJsonError(res, error.status, error.message)
    },
    seed() {
      store.state()
    },
    describe() {
      const s = store.state().data
      return {buckets: Object.fromEntries(Object.entries(s.buckets).map(([n, b]) => [n, {objects: Object.keys(b.objects).length, bytes: Object.values(b.objects).reduce((t, o) => t + o.size, 0)}]))}
    },
  }
}
