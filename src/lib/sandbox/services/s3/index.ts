/**
 * Amazon S3 REST API, path-style (https://docs.aws.amazon.com/AmazonS3/latest/API/): CreateBucket,
 * HeadBucket, PutObject, CreateMultipartUpload / UploadPart / CompleteMultipartUpload /
 * AbortMultipartUpload, GetObject (streamed from disk), HeadObject, ListObjectsV2 (continuation
 * token), DeleteObject. Object bytes live in files under the service's state directory;
 * aws-chunked request bodies (the SDK's streaming checksum trailers) are decoded. See SPEC.md.
 */
import {createHash, randomUUID} from 'node:crypto'
import fs from 'node:fs'
import type {ServerResponse} from 'node:http'
import path from 'node:path'
import {escapeXml} from '../../aws/query.js'
import {SANDBOX_AUDIT_BUCKET} from '../../../config/constants.js'
import type {ErrorSpec, SandboxRequest, ServiceFactory} from '../../types.js'

interface S3Object {
  size: number
  etag: string
  lastModified: string
  file: string
  sse?: string
  contentType?: string
}
interface Upload {
  bucket: string
  key: string
  sse?: string
  parts: Record<string, {etag: string; size: number; file: string}>
}
interface S3State {
  buckets: Record<string, {created: string; objects: Record<string, S3Object>}>
  uploads: Record<string, Upload>
}

export const SANDBOX_BACKUP_BUCKET = 'impress-backups'
const LIST_PAGE_CAP = 100

class S3Fault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message)
  }
}

/** Decode an aws-chunked body: <hex size>[;chunk-signature=…]\r\n<data>\r\n … 0\r\n<trailers>\r\n\r\n */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = []
  let pos = 0
  for (;;) {
    const eol = body.indexOf('\r\n', pos)
    if (eol < 0) break
    const size = Number.parseInt(body.subarray(pos, eol).toString('latin1').split(';')[0], 16)
    if (!Number.isFinite(size)) throw new S3Fault(400, 'IncompleteBody', 'Malformed aws-chunked body.')
    if (size === 0) break
    parts.push(body.subarray(eol + 2, eol + 2 + size))
    pos = eol + 2 + size + 2
  }
  return Buffer.concat(parts)
}

function payload(req: SandboxRequest): Buffer {
  const sha = String(req.headers['x-amz-content-sha256'] ?? '')
  const enc = String(req.headers['content-encoding'] ?? '')
  return sha.startsWith('STREAMING-') || enc.includes('aws-chunked') ? decodeAwsChunked(req.body) : req.body
}

function xml(res: ServerResponse, status: number, root: string, inner: string, headers: Record<string, string> = {}): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</${root}>`
  res.writeHead(status, {'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'x-amz-request-id': randomUUID(), ...headers})
  res.end(body)
}

const el = (name: string, value: string | number | boolean) => `<${name}>${escapeXml(String(value))}</${name}>`

function parseTarget(req: SandboxRequest): {bucket?: string; key?: string} {
  const p = req.path.replace(/^\/+/, '')
  if (!p) return {}
  const slash = p.indexOf('/')
  if (slash < 0) return {bucket: decodeURIComponent(p)}
  const key = p.slice(slash + 1)
  return {bucket: decodeURIComponent(p.slice(0, slash)), key: key.length > 0 ? decodeURIComponent(key) : undefined}
}

export const s3Service: ServiceFactory = (ctx) => {
  const db = () => ctx.state.open<S3State>('s3', 'meta', () => ({buckets: {[SANDBOX_BACKUP_BUCKET]: {created: new Date().toISOString(), objects: {}}, [SANDBOX_AUDIT_BUCKET]: {created: new Date().toISOString(), objects: {}}}, uploads: {}}))
  const dataDir = () => ctx.state.serviceDir('s3')
  const bucketOf = (name: string | undefined) => {
    const b = name ? db().data.buckets[name] : undefined
    if (!b) throw new S3Fault(404, 'NoSuchBucket', 'The specified bucket does not exist', name ? {BucketName: name} : {})
    return b
  }
  const writeData = (data: Buffer): string => {
    const file = `${randomUUID()}.bin`
    fs.writeFileSync(path.join(dataDir(), file), data)
    return file
  }
  const dropFile = (file: string) => fs.rmSync(path.join(dataDir(), file), {force: true})
  const objectHeaders = (o: S3Object): Record<string, string> => ({
    etag: o.etag,
    'last-modified': new Date(o.lastModified).toUTCString(),
    'content-length': String(o.size),
    'content-type': o.contentType ?? 'application/octet-stream',
    'accept-ranges': 'bytes',
    ...(o.sse ? {'x-amz-server-side-encryption': o.sse} : {}),
  })

  const operation = (req: SandboxRequest): string => {
    const {bucket, key} = parseTarget(req)
    const q = req.url.searchParams
    const m = req.method
    if (!bucket) return 'ListBuckets'
    if (!key) {
      if (m === 'PUT') return 'CreateBucket'
      if (m === 'HEAD') return 'HeadBucket'
      if (m === 'DELETE') return 'DeleteBucket'
      if (m === 'GET') return q.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects'
      return 'Unknown'
    }
    if (m === 'POST' && q.has('uploads')) return 'CreateMultipartUpload'
    if (m === 'POST' && q.has('uploadId')) return 'CompleteMultipartUpload'
    if (m === 'PUT' && q.has('uploadId')) return 'UploadPart'
    if (m === 'DELETE' && q.has('uploadId')) return 'AbortMultipartUpload'
    if (m === 'PUT') return 'PutObject'
    if (m === 'GET') return 'GetObject'
    if (m === 'HEAD') return 'HeadObject'
    if (m === 'DELETE') return 'DeleteObject'
    return 'Unknown'
  }

  const handle = (req: SandboxRequest, res: ServerResponse): void => {
    const op = operation(req)
    const {bucket, key} = parseTarget(req)
    const q = req.url.searchParams
    const state = db()
    const sseHeader = req.headers['x-amz-server-side-encryption']
    const sse = typeof sseHeader === 'string' ? sseHeader : undefined
    if (sse && sse !== 'AES256' && sse !== 'aws:kms') throw new S3Fault(400, 'InvalidArgument', 'The encryption method specified is not supported')
    switch (op) {
      case 'CreateBucket': {
        if (state.data.buckets[bucket!]) throw new S3Fault(409, 'BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', {BucketName: bucket!})
        state.data.buckets[bucket!] = {created: new Date().toISOString(), objects: {}}
        state.save()
        res.writeHead(200, {location: `/${bucket}`})
        return void res.end()
      }
      case 'HeadBucket': {
        bucketOf(bucket)
        res.writeHead(200, {'x-amz-bucket-region': 'eu-west-1'})
        return void res.end()
      }
      case 'PutObject': {
        const b = bucketOf(bucket)
        // Conditional write (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html): only `If-None-Match: *` is modelled.
        const ifNoneMatch = req.headers['if-none-match']
        if (ifNoneMatch !== undefined && ifNoneMatch !== '*') throw new S3Fault(501, 'NotImplemented', 'The sandbox models If-None-Match: * only.', {Header: 'If-None-Match'})
        if (ifNoneMatch === '*' && b.objects[key!]) throw new S3Fault(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {Condition: 'If-None-Match'})
        if (Object.keys(req.headers).some((h) => h.startsWith('x-amz-object-lock-'))) throw new S3Fault(501, 'NotImplemented', 'The sandbox does not model Object Lock.', {Header: 'x-amz-object-lock-mode'})
        const data = payload(req)
        const old = b.objects[key!]
        const etag = `"${createHash('md5').update(data).digest('hex')}"`
        b.objects[key!] = {size: data.length, etag, lastModified: new Date().toISOString(), file: writeData(data), sse, contentType: req.headers['content-type']}
        if (old) dropFile(old.file)
        state.save()
        res.writeHead(200, {etag, ...(sse ? {'x-amz-server-side-encryption': sse} : {})})
        return void res.end()
      }
      case 'CreateMultipartUpload': {
        bucketOf(bucket)
        const uploadId = randomUUID().replace(/-/g, '')
        state.data.uploads[uploadId] = {bucket: bucket!, key: key!, sse, parts: {}}
        state.save()
        return xml(res, 200, 'InitiateMultipartUploadResult', el('Bucket', bucket!) + el('Key', key!) + el('UploadId', uploadId), sse ? {'x-amz-server-side-encryption': sse} : {})
      }
      case 'UploadPart': {
        const up = state.data.uploads[q.get('uploadId') ?? '']
        if (!up) throw new S3Fault(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.')
        const n = Number(q.get('partNumber'))
        if (!Number.isInteger(n) || n < 1 || n > 10000) throw new S3Fault(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive')
        const data = payload(req)
        const etag = `"${createHash('md5').update(data).digest('hex')}"`
        const old = up.parts[String(n)]
        up.parts[String(n)] = {etag, size: data.length, file: writeData(data)}
        if (old) dropFile(old.file)
        state.save()
        res.writeHead(200, {etag, ...(up.sse ? {'x-amz-server-side-encryption': up.sse} : {})})
        return void res.end()
      }
      case 'CompleteMultipartUpload': {
        const uploadId = q.get('uploadId') ?? ''
        const up = state.data.uploads[uploadId]
        if (!up) throw new S3Fault(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.')
        const listed = [...req.text().matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => ({
          n: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(m[1])?.[1]),
          etag: /<ETag>([\s\S]*?)<\/ETag>/.exec(m[1])?.[1]?.replace(/&quot;/g, '"'),
        }))
        if (listed.length === 0) throw new S3Fault(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema')
        for (let i = 1; i < listed.length; i++) if (listed[i].n <= listed[i - 1].n) throw new S3Fault(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.')
        const b = bucketOf(up.bucket)
        const out = path.join(dataDir(), `${randomUUID()}.bin`)
        const md5s: Buffer[] = []
        let size = 0
        for (const [i, p] of listed.entries()) {
          const part = up.parts[String(p.n)]
          if (!part || (p.etag && p.etag !== part.etag)) throw new S3Fault(400, 'InvalidPart', 'One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part\'s entity tag.')
          if (i < listed.length - 1 && part.size < 5 * 1024 * 1024) throw new S3Fault(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.')
          const data = fs.readFileSync(path.join(dataDir(), part.file))
          fs.appendFileSync(out, data)
          md5s.push(Buffer.from(part.etag.replace(/"/g, ''), 'hex'))
          size += part.size
        }
        if (!fs.existsSync(out)) fs.writeFileSync(out, '')
        for (const p of Object.values(up.parts)) dropFile(p.file)
        const etag = `"${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${listed.length}"`
        const old = b.objects[up.key]
        b.objects[up.key] = {size, etag, lastModified: new Date().toISOString(), file: path.basename(out), sse: up.sse}
        if (old) dropFile(old.file)
        delete state.data.uploads[uploadId]
        state.save()
        return xml(res, 200, 'CompleteMultipartUploadResult', el('Location', `${ctx.baseUrl()}/${up.bucket}/${up.key}`) + el('Bucket', up.bucket) + el('Key', up.key) + el('ETag', etag), up.sse ? {'x-amz-server-side-encryption': up.sse} : {})
      }
      case 'AbortMultipartUpload': {
        const uploadId = q.get('uploadId') ?? ''
        const up = state.data.uploads[uploadId]
        if (!up) throw new S3Fault(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.')
        for (const p of Object.values(up.parts)) dropFile(p.file)
        delete state.data.uploads[uploadId]
        state.save()
        res.writeHead(204)
        return void res.end()
      }
      case 'GetObject':
      case 'HeadObject': {
        const b = bucketOf(bucket)
        const o = b.objects[key!]
        if (!o) throw new S3Fault(404, 'NoSuchKey', 'The specified key does not exist.', {Key: key!})
        res.writeHead(200, objectHeaders(o))
        if (op === 'HeadObject') return void res.end()
        fs.createReadStream(path.join(dataDir(), o.file)).pipe(res)
        return
      }
      case 'DeleteObject': {
        const b = bucketOf(bucket)
        const o = b.objects[key!]
        if (o) {
          dropFile(o.file)
          delete b.objects[key!]
          state.save()
        }
        res.writeHead(204)
        return void res.end()
      }
      case 'ListObjectsV2': {
        const b = bucketOf(bucket)
        const prefix = q.get('prefix') ?? ''
        const delimiter = q.get('delimiter') ?? ''
        const maxKeys = Math.min(LIST_PAGE_CAP, Math.max(0, Number(q.get('max-keys') ?? 1000)))
        const token = q.get('continuation-token')
        const startAfter = token ? Buffer.from(token, 'base64url').toString('utf8') : (q.get('start-after') ?? '')
        const contents: string[] = []
        const prefixes: string[] = []
        let last = ''
        let truncated = false
        const seen = new Set<string>()
        for (const k of Object.keys(b.objects).sort()) {
          if (!k.startsWith(prefix) || k <= startAfter) continue
          let entry = k
          if (delimiter) {
            const i = k.indexOf(delimiter, prefix.length)
            if (i >= 0) entry = k.slice(0, i + delimiter.length)
          }
          if (entry !== k && seen.has(entry)) continue
          if (contents.length + prefixes.length >= maxKeys) {
            truncated = true
            break
          }
          if (entry !== k) {
            seen.add(entry)
            prefixes.push(entry)
            // Skip past every key under this common prefix.
            last = `${entry}\uffff`
          } else {
            const o = b.objects[k]
            contents.push(`<Contents>${el('Key', k)}${el('LastModified', o.lastModified)}${el('ETag', o.etag)}${el('Size', o.size)}${el('StorageClass', 'STANDARD')}</Contents>`)
            last = k
          }
        }
        const inner =
          el('Name', bucket!) +
          el('Prefix', prefix) +
          (delimiter ? el('Delimiter', delimiter) : '') +
          el('MaxKeys', maxKeys) +
          el('KeyCount', contents.length + prefixes.length) +
          el('IsTruncated', truncated) +
          (token ? el('ContinuationToken', token) : '') +
          (truncated ? el('NextContinuationToken', Buffer.from(last, 'utf8').toString('base64url')) : '') +
          contents.join('') +
          prefixes.map((p) => `<CommonPrefixes>${el('Prefix', p)}</CommonPrefixes>`).join('')
        return xml(res, 200, 'ListBucketResult', inner)
      }
      default:
        throw new S3Fault(501, 'NotImplemented', `The sandbox does not implement ${req.method} ${req.path}.`)
    }
  }

  const sendError = (req: SandboxRequest, res: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) => {
    if (req.method === 'HEAD') {
      res.writeHead(status, {'x-amz-request-id': randomUUID(), ...headers})
      return void res.end()
    }
    const inner = el('Code', code) + el('Message', message) + Object.entries(extra).map(([k, v]) => el(k, v)).join('') + el('RequestId', randomUUID())
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${inner}</Error>`
    res.writeHead(status, {'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), ...headers})
    res.end(body)
  }

  return {
    name: 's3',
    matches: (req) => req.awsService === 's3',
    operation,
    handle(req, res) {
      try {
        handle(req, res)
      } catch (error) {
        if (error instanceof S3Fault) return sendError(req, res, error.status, error.code, error.message, error.extra)
        throw error
      }
    },
    renderError(req: SandboxRequest, res: ServerResponse, error: ErrorSpec) {
      if (error.kind === 'throttle') return sendError(req, res, 503, 'SlowDown', 'Please reduce your request rate.', {}, {'retry-after': String(error.retryAfterSeconds ?? 1)})
      if (error.kind === 'server') return sendError(req, res, error.status, error.status === 503 ? 'ServiceUnavailable' : 'InternalError', error.message)
      return sendError(req, res, error.status, error.code ?? 'InvalidRequest', error.message)
    },
    seed() {
      db()
    },
    describe() {
      const s = db().data
      return {buckets: Object.fromEntries(Object.entries(s.buckets).map(([n, b]) => [n, {objects: Object.keys(b.objects).length}])), uploads: Object.keys(s.uploads).length}
    },
  }
}
