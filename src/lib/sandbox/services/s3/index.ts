/**
 * Amazon S3 REST API, path-style (https://docs.aws.amazon.com/AmazonS3/latest/API/): buckets
 * (ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation), objects (PutObject,
 * CopyObject, GetObject with one byte range and preconditions, HeadObject, DeleteObject,
 * DeleteObjects, GetObjectTagging), multipart uploads (with UploadPartCopy) and ListObjectsV2.
 * User metadata and the stored system headers round-trip. Object bytes live in files under the
 * service's state directory; aws-chunked request bodies are decoded. What is not modelled is
 * refused (catalog.ts). See SPEC.md.
 */
import {createHash, randomUUID} from 'node:crypto'
import fs from 'node:fs'
import type {ServerResponse} from 'node:http'
import path from 'node:path'
import {escapeXml} from '../../aws/query.js'
import {SANDBOX_AUDIT_BUCKET} from '../../../config/constants.js'
import {refusalMessage} from '../../catalog.js'
import type {ErrorSpec, SandboxRequest, ServiceFactory} from '../../types.js'
import {SANDBOX_ACCOUNT} from '../sts.js'
import {s3Catalog, s3Operation, s3Target} from './catalog.js'
import {checkPreconditions, elements, parseCopySource, parseRange, S3Fault, unescapeXml} from './http.js'

interface S3Object {
  size: number
  etag: string
  lastModified: string
  file: string
  sse?: string
  contentType?: string
  /** User metadata: x-amz-meta-* headers, names lower-cased without the prefix. */
  meta?: Record<string, string>
  /** Stored system headers (cache-control, content-disposition, content-encoding, content-language, expires). */
  system?: Record<string, string>
}
interface Upload {
  bucket: string
  key: string
  sse?: string
  contentType?: string
  meta?: Record<string, string>
  system?: Record<string, string>
  parts: Record<string, {etag: string; size: number; file: string}>
}
interface S3State {
  buckets: Record<string, {created: string; objects: Record<string, S3Object>}>
  uploads: Record<string, Upload>
}

export const SANDBOX_BACKUP_BUCKET = 'impress-backups'
const REGION = 'eu-west-1'
const LIST_PAGE_CAP = 100
const MAX_DELETE_KEYS = 1000
const SYSTEM_HEADERS = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'] as const

const notModelled = (what: string) => new S3Fault(501, 'NotImplemented', refusalMessage('s3', what))

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
  const data = sha.startsWith('STREAMING-') || enc.includes('aws-chunked') ? decodeAwsChunked(req.body) : req.body
  const md5 = req.headers['content-md5']
  if (typeof md5 === 'string') {
    const want = Buffer.from(md5, 'base64')
    if (want.length !== 16) throw new S3Fault(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.', {'Content-MD5': md5})
    if (!createHash('md5').update(data).digest().equals(want)) throw new S3Fault(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.', {ExpectedDigest: md5})
  }
  return data
}

/** The metadata a write carries: content type, x-amz-meta-*, stored system headers. */
function writtenMetadata(req: SandboxRequest): {contentType?: string; meta: Record<string, string>; system: Record<string, string>} {
  const meta: Record<string, string> = {}
  const system: Record<string, string> = {}
  for (const [k, v] of Object.entries(req.headers)) {
    if (typeof v !== 'string') continue
    if (k.startsWith('x-amz-meta-')) meta[k.slice('x-amz-meta-'.length)] = v
  }
  for (const h of SYSTEM_HEADERS) {
    const v = req.headers[h]
    if (typeof v !== 'string') continue
    const value = h === 'content-encoding' ? v.split(',').map((x) => x.trim()).filter((x) => x !== 'aws-chunked').join(', ') : v
    if (value) system[h] = value
  }
  const ct = req.headers['content-type']
  return {contentType: typeof ct === 'string' ? ct : undefined, meta, system}
}

function xml(res: ServerResponse, status: number, root: string, inner: string, headers: Record<string, string> = {}): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</${root}>`
  res.writeHead(status, {'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'x-amz-request-id': randomUUID(), ...headers})
  res.end(body)
}

const el = (name: string, value: string | number | boolean) => `<${name}>${escapeXml(String(value))}</${name}>`
const md5Etag = (data: Buffer) => `"${createHash('md5').update(data).digest('hex')}"`

export const s3Service: ServiceFactory = (ctx) => {
  const db = () => ctx.state.open<S3State>('s3', 'meta', () => ({buckets: {[SANDBOX_BACKUP_BUCKET]: {created: new Date().toISOString(), objects: {}}, [SANDBOX_AUDIT_BUCKET]: {created: new Date().toISOString(), objects: {}}}, uploads: {}}))
  const dataDir = () => ctx.state.serviceDir('s3')
  const bucketOf = (name: string | undefined) => {
    const b = name ? db().data.buckets[name] : undefined
    if (!b) throw new S3Fault(404, 'NoSuchBucket', 'The specified bucket does not exist', name ? {BucketName: name} : {})
    return b
  }
  const objectOf = (bucket: string | undefined, key: string) => {
    const o = bucketOf(bucket).objects[key]
    if (!o) throw new S3Fault(404, 'NoSuchKey', 'The specified key does not exist.', {Key: key})
    return o
  }
  const writeData = (data: Buffer): string => {
    const file = `${randomUUID()}.bin`
    fs.writeFileSync(path.join(dataDir(), file), data)
    return file
  }
  const readData = (o: {file: string}, range?: {start: number; end: number}): Buffer => {
    const all = fs.readFileSync(path.join(dataDir(), o.file))
    return range ? all.subarray(range.start, range.end + 1) : all
  }
  const dropFile = (file: string) => fs.rmSync(path.join(dataDir(), file), {force: true})
  /** Store an object, replacing (and freeing) the one it overwrites. */
  const putObject = (bucket: string, key: string, o: S3Object) => {
    const b = bucketOf(bucket)
    const old = b.objects[key]
    b.objects[key] = o
    if (old && old.file !== o.file) dropFile(old.file)
  }
  const objectHeaders = (o: S3Object, q: URLSearchParams): Record<string, string> => {
    const h: Record<string, string> = {
      etag: o.etag,
      'last-modified': new Date(o.lastModified).toUTCString(),
      'content-length': String(o.size),
      'content-type': o.contentType ?? 'binary/octet-stream',
      'accept-ranges': 'bytes',
      ...(o.sse ? {'x-amz-server-side-encryption': o.sse} : {}),
      ...o.system,
    }
    for (const [k, v] of Object.entries(o.meta ?? {})) h[`x-amz-meta-${k}`] = v
    for (const [k, v] of q) if (k.startsWith('response-')) h[k.slice('response-'.length)] = v
    return h
  }
  const sseOf = (req: SandboxRequest): string | undefined => {
    const v = req.headers['x-amz-server-side-encryption']
    if (typeof v !== 'string') return undefined
    if (v !== 'AES256' && v !== 'aws:kms') throw new S3Fault(400, 'InvalidArgument', 'The encryption method specified is not supported', {ArgumentName: 'x-amz-server-side-encryption', ArgumentValue: v})
    return v
  }
  const copySource = (req: SandboxRequest) => {
    const src = parseCopySource(String(req.headers['x-amz-copy-source']), notModelled)
    const object = objectOf(src.bucket, src.key)
    // x-amz-copy-source-if-*: a copy whose condition does not hold is 412 (never 304).
    const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined)
    const verdict = checkPreconditions(
      {ifMatch: header('x-amz-copy-source-if-match'), ifNoneMatch: header('x-amz-copy-source-if-none-match'), ifModifiedSince: header('x-amz-copy-source-if-modified-since'), ifUnmodifiedSince: header('x-amz-copy-source-if-unmodified-since')},
      object.etag,
      new Date(object.lastModified),
    )
    if (verdict !== undefined) throw new S3Fault(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {Condition: 'x-amz-copy-source-If-*'})
    return {...src, object}
  }

  const handle = (req: SandboxRequest, res: ServerResponse): void => {
    const op = s3Operation(req)
    const {bucket, key} = s3Target(req)
    const q = req.url.searchParams
    const state = db()
    const now = () => new Date().toISOString()
    switch (op) {
      case 'ListBuckets': {
        const buckets = Object.entries(state.data.buckets).sort(([a], [b]) => (a < b ? -1 : 1))
        const inner =
          `<Owner>${el('ID', SANDBOX_ACCOUNT)}${el('DisplayName', 'sandbox')}</Owner>` +
          `<Buckets>${buckets.map(([name, b]) => `<Bucket>${el('Name', name)}${el('CreationDate', b.created)}</Bucket>`).join('')}</Buckets>`
        return xml(res, 200, 'ListAllMyBucketsResult', inner)
      }
      case 'CreateBucket': {
        if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket!)) throw new S3Fault(400, 'InvalidBucketName', 'The specified bucket is not valid.', {BucketName: bucket!})
        const constraint = elements(req.text(), 'LocationConstraint')[0]
        if (constraint !== undefined && constraint !== REGION) throw new S3Fault(400, 'IllegalLocationConstraintException', `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`)
        if (state.data.buckets[bucket!]) throw new S3Fault(409, 'BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', {BucketName: bucket!})
        state.data.buckets[bucket!] = {created: now(), objects: {}}
        state.save()
        res.writeHead(200, {location: `/${bucket}`})
        return void res.end()
      }
      case 'HeadBucket': {
        bucketOf(bucket)
        res.writeHead(200, {'x-amz-bucket-region': REGION})
        return void res.end()
      }
      case 'GetBucketLocation': {
        bucketOf(bucket)
        return xml(res, 200, 'LocationConstraint', escapeXml(REGION))
      }
      case 'GetBucketEncryption': {
        // Every bucket has SSE-S3 default encryption: AWS applies it to all buckets since January 2023
        // and it cannot be removed (https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html).
        bucketOf(bucket)
        return xml(res, 200, 'ServerSideEncryptionConfiguration', `<Rule><ApplyServerSideEncryptionByDefault>${el('SSEAlgorithm', 'AES256')}</ApplyServerSideEncryptionByDefault>${el('BucketKeyEnabled', 'false')}</Rule>`)
      }
      case 'DeleteBucket': {
        const b = bucketOf(bucket)
        if (Object.keys(b.objects).length > 0) throw new S3Fault(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty', {BucketName: bucket!})
        delete state.data.buckets[bucket!]
        state.save()
        res.writeHead(204)
        return void res.end()
      }
      case 'PutObject': {
        const b = bucketOf(bucket)
        // Conditional write (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html): only `If-None-Match: *` is modelled.
        // Object Lock headers (x-amz-object-lock-*) are refused by the catalog (x-amz-* not listed).
        const ifNoneMatch = req.headers['if-none-match']
        if (ifNoneMatch !== undefined && ifNoneMatch !== '*') throw notModelled(`If-None-Match: ${String(ifNoneMatch)} on PutObject (only If-None-Match: * is modelled)`)
        if (ifNoneMatch === '*' && b.objects[key!]) throw new S3Fault(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {Condition: 'If-None-Match'})
        const sse = sseOf(req)
        const data = payload(req)
        const etag = md5Etag(data)
        const {contentType, meta, system} = writtenMetadata(req)
        putObject(bucket!, key!, {size: data.length, etag, lastModified: now(), file: writeData(data), sse, contentType, meta, system})
        state.save()
        res.writeHead(200, {etag, ...(sse ? {'x-amz-server-side-encryption': sse} : {})})
        return void res.end()
      }
      case 'CopyObject': {
        bucketOf(bucket)
        const src = copySource(req)
        const directive = String(req.headers['x-amz-metadata-directive'] ?? 'COPY').toUpperCase()
        if (directive !== 'COPY' && directive !== 'REPLACE') throw new S3Fault(400, 'InvalidArgument', `Unknown metadata directive.`, {ArgumentName: 'x-amz-metadata-directive', ArgumentValue: directive})
        const sse = sseOf(req)
        const written = writtenMetadata(req)
        if (src.bucket === bucket && src.key === key && directive === 'COPY' && !sse) {
          throw new S3Fault(400, 'InvalidRequest', "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
        }
        const data = readData(src.object)
        const etag = md5Etag(data)
        const lastModified = now()
        const metadata = directive === 'COPY' ? {contentType: src.object.contentType, meta: src.object.meta, system: src.object.system} : written
        putObject(bucket!, key!, {size: data.length, etag, lastModified, file: writeData(data), sse, ...metadata})
        state.save()
        return xml(res, 200, 'CopyObjectResult', el('LastModified', lastModified) + el('ETag', etag), sse ? {'x-amz-server-side-encryption': sse} : {})
      }
      case 'CreateMultipartUpload': {
        bucketOf(bucket)
        const sse = sseOf(req)
        const uploadId = randomUUID().replace(/-/g, '')
        state.data.uploads[uploadId] = {bucket: bucket!, key: key!, sse, ...writtenMetadata(req), parts: {}}
        state.save()
        return xml(res, 200, 'InitiateMultipartUploadResult', el('Bucket', bucket!) + el('Key', key!) + el('UploadId', uploadId), sse ? {'x-amz-server-side-encryption': sse} : {})
      }
      case 'UploadPart':
      case 'UploadPartCopy': {
        const up = state.data.uploads[q.get('uploadId') ?? '']
        if (!up || up.bucket !== bucket || up.key !== key) throw new S3Fault(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.')
        const n = Number(q.get('partNumber'))
        if (!Number.isInteger(n) || n < 1 || n > 10000) throw new S3Fault(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive')
        let data: Buffer
        if (op === 'UploadPartCopy') {
          const src = copySource(req)
          const rangeHeader = req.headers['x-amz-copy-source-range']
          data = readData(src.object, typeof rangeHeader === 'string' ? parseRange(rangeHeader, src.object.size, notModelled) : undefined)
        } else {
          data = payload(req)
        }
        const etag = md5Etag(data)
        const old = up.parts[String(n)]
        up.parts[String(n)] = {etag, size: data.length, file: writeData(data)}
        if (old) dropFile(old.file)
        state.save()
        const headers: Record<string, string> = up.sse ? {'x-amz-server-side-encryption': up.sse} : {}
        if (op === 'UploadPartCopy') return xml(res, 200, 'CopyPartResult', el('LastModified', now()) + el('ETag', etag), headers)
        res.writeHead(200, {etag, ...headers})
        return void res.end()
      }
      case 'CompleteMultipartUpload': {
        const uploadId = q.get('uploadId') ?? ''
        const up = state.data.uploads[uploadId]
        if (!up) throw new S3Fault(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.')
        const listed = elements(req.text(), 'Part').map((part) => ({
          n: Number(elements(part, 'PartNumber')[0]),
          etag: elements(part, 'ETag').map(unescapeXml)[0],
        }))
        if (listed.length === 0) throw new S3Fault(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema')
        for (let i = 1; i < listed.length; i++) if (listed[i].n <= listed[i - 1].n) throw new S3Fault(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.')
        bucketOf(up.bucket)
        const out = path.join(dataDir(), `${randomUUID()}.bin`)
        const md5s: Buffer[] = []
        let size = 0
        for (const [i, p] of listed.entries()) {
          const part = up.parts[String(p.n)]
          const etag = p.etag === undefined ? undefined : p.etag.startsWith('"') ? p.etag : `"${p.etag}"`
          if (!part || (etag && etag !== part.etag)) throw new S3Fault(400, 'InvalidPart', "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag.")
          if (i < listed.length - 1 && part.size < 5 * 1024 * 1024) throw new S3Fault(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.')
        }
        for (const p of listed) {
          const part = up.parts[String(p.n)]
          fs.appendFileSync(out, fs.readFileSync(path.join(dataDir(), part.file)))
          md5s.push(Buffer.from(part.etag.replace(/"/g, ''), 'hex'))
          size += part.size
        }
        if (!fs.existsSync(out)) fs.writeFileSync(out, '')
        for (const p of Object.values(up.parts)) dropFile(p.file)
        const etag = `"${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${listed.length}"`
        putObject(up.bucket, up.key, {size, etag, lastModified: now(), file: path.basename(out), sse: up.sse, contentType: up.contentType, meta: up.meta, system: up.system})
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
        const o = objectOf(bucket, key!)
        const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined)
        const verdict = checkPreconditions({ifMatch: header('if-match'), ifNoneMatch: header('if-none-match'), ifModifiedSince: header('if-modified-since'), ifUnmodifiedSince: header('if-unmodified-since')}, o.etag, new Date(o.lastModified))
        if (verdict === 412) throw new S3Fault(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {Condition: header('if-match') ? 'If-Match' : 'If-Unmodified-Since'})
        if (verdict === 304) {
          res.writeHead(304, {etag: o.etag, 'last-modified': new Date(o.lastModified).toUTCString()})
          return void res.end()
        }
        const headers = objectHeaders(o, q)
        const rangeHeader = header('range')
        const range = rangeHeader === undefined ? undefined : parseRange(rangeHeader, o.size, notModelled)
        if (range) {
          headers['content-range'] = `bytes ${range.start}-${range.end}/${o.size}`
          headers['content-length'] = String(range.end - range.start + 1)
        }
        res.writeHead(range ? 206 : 200, headers)
        if (op === 'HeadObject' || o.size === 0) return void res.end()
        fs.createReadStream(path.join(dataDir(), o.file), range ? {start: range.start, end: range.end} : {}).pipe(res)
        return
      }
      case 'GetObjectTagging': {
        objectOf(bucket, key!)
        return xml(res, 200, 'Tagging', '<TagSet></TagSet>')
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
      case 'DeleteObjects': {
        const b = bucketOf(bucket)
        const hasChecksum = req.headers['content-md5'] !== undefined || Object.keys(req.headers).some((h) => h.startsWith('x-amz-checksum-') || h === 'x-amz-sdk-checksum-algorithm')
        if (!hasChecksum) throw new S3Fault(400, 'InvalidRequest', 'Missing required header for this request: Content-MD5')
        const text = payload(req).toString('utf8')
        const quiet = elements(text, 'Quiet')[0]?.trim() === 'true'
        const objects = elements(text, 'Object')
        if (objects.length === 0 || objects.length > MAX_DELETE_KEYS) throw new S3Fault(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema')
        const out: string[] = []
        for (const obj of objects) {
          if (elements(obj, 'VersionId').length > 0) throw notModelled('VersionId in DeleteObjects (object versions)')
          const k = elements(obj, 'Key')[0]
          if (k === undefined) throw new S3Fault(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema')
          const name = unescapeXml(k)
          const o = b.objects[name]
          if (o) {
            dropFile(o.file)
            delete b.objects[name]
          }
          if (!quiet) out.push(`<Deleted>${el('Key', name)}</Deleted>`)
        }
        state.save()
        return xml(res, 200, 'DeleteResult', out.join(''))
      }
      case 'ListObjectsV2': {
        const b = bucketOf(bucket)
        const encoding = q.get('encoding-type')
        if (encoding !== null && encoding !== 'url') throw new S3Fault(400, 'InvalidArgument', 'Invalid Encoding Method specified in Request', {ArgumentName: 'encoding-type', ArgumentValue: encoding})
        const enc = (s: string) => (encoding === 'url' ? encodeURIComponent(s) : s)
        const fetchOwner = q.get('fetch-owner') === 'true'
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
            const owner = fetchOwner ? `<Owner>${el('ID', SANDBOX_ACCOUNT)}${el('DisplayName', 'sandbox')}</Owner>` : ''
            contents.push(`<Contents>${el('Key', enc(k))}${el('LastModified', o.lastModified)}${el('ETag', o.etag)}${el('Size', o.size)}${owner}${el('StorageClass', 'STANDARD')}</Contents>`)
            last = k
          }
        }
        const inner =
          el('Name', bucket!) +
          el('Prefix', enc(prefix)) +
          (delimiter ? el('Delimiter', enc(delimiter)) : '') +
          el('MaxKeys', maxKeys) +
          (encoding ? el('EncodingType', encoding) : '') +
          el('KeyCount', contents.length + prefixes.length) +
          el('IsTruncated', truncated) +
          (token ? el('ContinuationToken', token) : '') +
          (!token && q.get('start-after') ? el('StartAfter', enc(q.get('start-after')!)) : '') +
          (truncated ? el('NextContinuationToken', Buffer.from(last, 'utf8').toString('base64url')) : '') +
          contents.join('') +
          prefixes.map((p) => `<CommonPrefixes>${el('Prefix', enc(p))}</CommonPrefixes>`).join('')
        return xml(res, 200, 'ListBucketResult', inner)
      }
      default:
        // The host refuses operations outside the catalog before they get here.
        throw notModelled(`operation ${op}`)
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
    catalog: s3Catalog,
    matches: (req) => req.awsService === 's3',
    operation: s3Operation,
    handle(req, res) {
      try {
        handle(req, res)
      } catch (error) {
        if (error instanceof S3Fault) return sendError(req, res, error.status, error.code, error.message, error.extra, error.headers)
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
