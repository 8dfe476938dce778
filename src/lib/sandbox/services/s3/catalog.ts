/**
 * What the S3 emulation models (see ../../catalog.ts): operations named as the API reference
 * names them, the query parameters and the x-amz-* headers each one honours. Anything else is
 * refused 501 NotImplemented before the handler runs.
 */
import type {SandboxRequest} from '../../types.js'
import type {ServiceCatalog} from '../../catalog.js'

const CONDITIONAL = ['if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since']
const RESPONSE_OVERRIDES = ['response-content-type', 'response-content-disposition', 'response-content-encoding', 'response-content-language', 'response-cache-control', 'response-expires']
const WRITE_HEADERS = ['x-amz-meta-*', 'x-amz-server-side-encryption']
const COPY_CONDITIONS = ['x-amz-copy-source-if-match', 'x-amz-copy-source-if-none-match', 'x-amz-copy-source-if-modified-since', 'x-amz-copy-source-if-unmodified-since']

export const s3Catalog: ServiceCatalog = {
  title: 'Amazon S3 (path-style)',
  protocol: 'rest-xml',
  reference: 'https://docs.aws.amazon.com/AmazonS3/latest/API/',
  operations: {
    ListBuckets: {},
    CreateBucket: {note: 'CreateBucketConfiguration LocationConstraint must be the sandbox region (eu-west-1)'},
    HeadBucket: {},
    DeleteBucket: {note: '409 BucketNotEmpty while it holds objects'},
    GetBucketLocation: {params: ['location']},
    GetBucketEncryption: {params: ['encryption'], note: 'SSE-S3 (AES256) on every bucket, as AWS applies to all buckets since 2023; PutBucketEncryption (SSE-KMS) refused'},
    ListObjectsV2: {params: ['list-type', 'prefix', 'delimiter', 'max-keys', 'start-after', 'continuation-token', 'encoding-type', 'fetch-owner'], note: 'max-keys capped at 100 so pagination is exercised'},
    PutObject: {headers: [...WRITE_HEADERS, 'if-none-match'], note: 'If-None-Match: * only (412 when the key exists); Content-MD5 verified; user metadata and Content-Type/Cache-Control/Content-Disposition/Content-Encoding/Content-Language/Expires stored'},
    CopyObject: {headers: [...WRITE_HEADERS, 'x-amz-copy-source', 'x-amz-metadata-directive', ...COPY_CONDITIONS], note: 'metadata directive COPY (default) or REPLACE'},
    GetObject: {params: RESPONSE_OVERRIDES, headers: ['range', ...CONDITIONAL], note: 'one byte range (206 + Content-Range); several ranges refused'},
    HeadObject: {params: RESPONSE_OVERRIDES, headers: ['range', ...CONDITIONAL]},
    GetObjectTagging: {params: ['tagging'], note: 'always an empty TagSet: tagging an object is refused'},
    DeleteObject: {},
    DeleteObjects: {params: ['delete'], note: 'up to 1000 keys, Quiet mode; Content-MD5 verified'},
    CreateMultipartUpload: {params: ['uploads'], headers: WRITE_HEADERS},
    UploadPart: {params: ['partNumber', 'uploadId'], note: 'Content-MD5 verified'},
    UploadPartCopy: {params: ['partNumber', 'uploadId'], headers: ['x-amz-copy-source', 'x-amz-copy-source-range', ...COPY_CONDITIONS]},
    CompleteMultipartUpload: {params: ['uploadId']},
    AbortMultipartUpload: {params: ['uploadId']},
  },
  refused: ['ListObjects', 'ListObjectVersions', 'ListMultipartUploads', 'ListParts', 'PutObjectTagging', 'GetObjectAcl', 'PutObjectAcl', 'GetObjectAttributes', 'GetBucketVersioning', 'PutBucketVersioning', 'GetBucketPolicy', 'PutBucketPolicy', 'GetBucketLifecycleConfiguration', 'PutBucketLifecycleConfiguration', 'PutBucketEncryption', 'RestoreObject', 'SelectObjectContent'],
  // The SDK v3 adds ?x-id=<Operation>; presigned URLs carry their signature in the query.
  commonParams: ['x-id', 'X-Amz-*'],
  guardedHeaders: /^x-amz-/,
  commonHeaders: ['x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token', 'x-amz-user-agent', 'x-amz-decoded-content-length', 'x-amz-checksum-*', 'x-amz-sdk-checksum-algorithm', 'x-amz-trailer'],
}

/** Sub-resources (`?versioning`, `?tagging`…) and the operation they make of a bucket or object request. */
const BUCKET_SUB: Record<string, string> = {
  location: 'Location',
  versioning: 'Versioning',
  acl: 'Acl',
  policy: 'Policy',
  tagging: 'Tagging',
  lifecycle: 'LifecycleConfiguration',
  cors: 'Cors',
  encryption: 'Encryption',
  website: 'Website',
  logging: 'Logging',
  notification: 'NotificationConfiguration',
  replication: 'Replication',
  ownershipControls: 'OwnershipControls',
  publicAccessBlock: 'PublicAccessBlock',
  'object-lock': 'ObjectLockConfiguration',
  accelerate: 'AccelerateConfiguration',
  requestPayment: 'RequestPayment',
  policyStatus: 'PolicyStatus',
}
const OBJECT_SUB: Record<string, string> = {tagging: 'Tagging', acl: 'Acl', retention: 'Retention', 'legal-hold': 'LegalHold', attributes: 'Attributes', torrent: 'Torrent'}

export function s3Target(req: SandboxRequest): {bucket?: string; key?: string} {
  const p = req.path.replace(/^\/+/, '')
  if (!p) return {}
  const slash = p.indexOf('/')
  if (slash < 0) return {bucket: decodeURIComponent(p)}
  const key = p.slice(slash + 1)
  return {bucket: decodeURIComponent(p.slice(0, slash)), key: key.length > 0 ? decodeURIComponent(key) : undefined}
}

const verb = (m: string) => ({GET: 'Get', PUT: 'Put', DELETE: 'Delete', HEAD: 'Head', POST: 'Post'})[m] ?? m

/** The S3 operation a request is, named as the API reference names it. */
export function s3Operation(req: SandboxRequest): string {
  const {bucket, key} = s3Target(req)
  const q = req.url.searchParams
  const m = req.method
  if (!bucket) return m === 'GET' ? 'ListBuckets' : `${m} /`
  if (!key) {
    for (const [sub, name] of Object.entries(BUCKET_SUB)) if (q.has(sub)) return `${verb(m)}Bucket${name}`
    if (q.has('uploads') && m === 'GET') return 'ListMultipartUploads'
    if (q.has('versions') && m === 'GET') return 'ListObjectVersions'
    if (m === 'POST' && q.has('delete')) return 'DeleteObjects'
    if (m === 'PUT') return 'CreateBucket'
    if (m === 'HEAD') return 'HeadBucket'
    if (m === 'DELETE') return 'DeleteBucket'
    if (m === 'GET') return q.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects'
    return `${m} /{bucket}`
  }
  const copy = req.headers['x-amz-copy-source'] !== undefined
  if (q.has('uploadId')) {
    if (m === 'PUT') return copy ? 'UploadPartCopy' : 'UploadPart'
    if (m === 'POST') return 'CompleteMultipartUpload'
    if (m === 'DELETE') return 'AbortMultipartUpload'
    if (m === 'GET') return 'ListParts'
  }
  for (const [sub, name] of Object.entries(OBJECT_SUB)) if (q.has(sub)) return `${verb(m)}Object${name}`
  if (m === 'POST' && q.has('uploads')) return 'CreateMultipartUpload'
  if (m === 'POST' && q.has('restore')) return 'RestoreObject'
  if (m === 'POST' && q.has('select')) return 'SelectObjectContent'
  if (m === 'PUT') return copy ? 'CopyObject' : 'PutObject'
  if (m === 'GET') return 'GetObject'
  if (m === 'HEAD') return 'HeadObject'
  if (m === 'DELETE') return 'DeleteObject'
  return `${m} /{bucket}/{key}`
}
