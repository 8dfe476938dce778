/**
 * Backups in S3 (s3://bucket/prefix/<backup id>/<file>): chunks uploaded with
 * @aws-sdk/lib-storage's multipart Upload streaming from the staged file, small files with
 * PutObject, server-side encryption (AES256) requested on every write, listings paged with
 * continuation tokens, chunks read back as streams.
 */
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type {Readable} from 'node:stream'
import {S3Client, type S3ClientConfig} from '@aws-sdk/client-s3'
import type {Context} from '../../context.js'
import {OperationError, UsageError} from '../../errors.js'
import type {BackupStore} from '../../firebase/ports.js'
import {awsSdk} from './sdk.js'

/** Path-style addressing: the sandbox (and most S3 stand-ins) serve buckets under the path. */
class PathStyleS3Client extends S3Client {
  constructor(config: S3ClientConfig) {
    super({...config, forcePathStyle: true})
  }
}

export function parseS3Url(url: string): {bucket: string; prefix: string} {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url)
  if (!m) throw new UsageError(`"${url}" is not an S3 location.`, {hint: 'Use s3://BUCKET/PREFIX.'})
  return {bucket: m[1], prefix: (m[2] ?? '').replace(/^\/+|\/+$/g, '')}
}

export class S3BackupStore implements BackupStore {
  private constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    /** Where chunks are staged before upload: the environment's data directory, so an interrupted backup's open chunk survives a reboot and nothing is left in the system temp folder. */
    private readonly stagingRoot: string,
  ) {}

  static async create(ctx: Context, url: string): Promise<S3BackupStore> {
    const {bucket, prefix} = parseS3Url(url)
    const client = ctx.env.sandbox ? await ctx.aws(PathStyleS3Client) : await ctx.aws(S3Client)
    return new S3BackupStore(client, bucket, prefix, path.join(ctx.env.dataDir, 'staging', 's3'))
  }

  /** For tests and benches: a store over a client built elsewhere. */
  static withClient(client: S3Client, url: string, stagingRoot = path.join(os.tmpdir(), 'impress-s3-staging')): S3BackupStore {
    const {bucket, prefix} = parseS3Url(url)
    return new S3BackupStore(client, bucket, prefix, stagingRoot)
  }

  get location(): string {
    return `s3://${this.bucket}${this.prefix ? `/${this.prefix}` : ''}`
  }

  private key(id: string, name?: string): string {
    return [this.prefix, id, name].filter((s) => s !== undefined && s !== '').join('/')
  }

  private async listAll(prefix: string, delimiter?: string): Promise<{keys: {key: string; size: number}[]; prefixes: string[]}> {
    const {ListObjectsV2Command} = awsSdk('@aws-sdk/client-s3')
    const keys: {key: string; size: number}[] = []
    const prefixes: string[] = []
    let token: string | undefined
    do {
      const r = await this.wrap('list', () => this.client.send(new ListObjectsV2Command({Bucket: this.bucket, Prefix: prefix, Delimiter: delimiter, ContinuationToken: token})))
      for (const c of r.Contents ?? []) if (c.Key) keys.push({key: c.Key, size: c.Size ?? 0})
      for (const p of r.CommonPrefixes ?? []) if (p.Prefix) prefixes.push(p.Prefix)
      token = r.IsTruncated ? r.NextContinuationToken : undefined
    } while (token)
    return {keys, prefixes}
  }

  async list(): Promise<string[]> {
    const base = this.prefix ? `${this.prefix}/` : ''
    const {prefixes} = await this.listAll(base, '/')
    return prefixes.map((p) => p.slice(base.length).replace(/\/$/, '')).filter((id) => /^\d{8}T\d{6}Z-/.test(id)).sort()
  }

  async files(id: string): Promise<{name: string; bytes: number}[]> {
    const base = `${this.key(id)}/`
    const {keys} = await this.listAll(base)
    return keys.map((k) => ({name: k.key.slice(base.length), bytes: k.size}))
  }

  async read(id: string, name: string): Promise<Buffer | undefined> {
    const {GetObjectCommand} = awsSdk('@aws-sdk/client-s3')
    try {
      const r = await this.client.send(new GetObjectCommand({Bucket: this.bucket, Key: this.key(id, name)}))
      return Buffer.from(await r.Body!.transformToByteArray())
    } catch (error) {
      if ((error as {name?: string}).name === 'NoSuchKey') return undefined
      throw this.translate('read', error)
    }
  }

  async write(id: string, name: string, data: string | Buffer): Promise<void> {
    const {PutObjectCommand} = awsSdk('@aws-sdk/client-s3')
    const body = typeof data === 'string' ? Buffer.from(data) : data
    await this.wrap('write', () =>
      this.client.send(new PutObjectCommand({Bucket: this.bucket, Key: this.key(id, name), Body: body, ServerSideEncryption: 'AES256', ContentType: name.endsWith('.json') ? 'application/json' : 'application/octet-stream'})),
    )
  }

  async stagingDir(id: string): Promise<string> {
    const tag = createHash('sha256').update(this.location).digest('hex').slice(0, 12)
    const dir = path.join(this.stagingRoot, tag, id)
    fs.mkdirSync(dir, {recursive: true})
    return dir
  }

  async putChunk(id: string, name: string): Promise<void> {
    const {Upload} = awsSdk('@aws-sdk/lib-storage')
    const file = path.join(await this.stagingDir(id), name)
    const upload = new Upload({
      client: this.client,
      params: {Bucket: this.bucket, Key: this.key(id, name), Body: fs.createReadStream(file), ServerSideEncryption: 'AES256', ContentType: 'application/gzip'},
      partSize: 5 * 1024 * 1024,
      queueSize: 2,
      leavePartsOnError: false,
    })
    await this.wrap('upload', () => upload.done())
    fs.rmSync(file, {force: true})
  }

  async openRead(id: string, name: string): Promise<Readable> {
    const {GetObjectCommand} = awsSdk('@aws-sdk/client-s3')
    try {
      const r = await this.client.send(new GetObjectCommand({Bucket: this.bucket, Key: this.key(id, name)}))
      return r.Body as Readable
    } catch (error) {
      throw this.translate('read', error)
    }
  }

  async removeFile(id: string, name: string): Promise<void> {
    const {DeleteObjectCommand} = awsSdk('@aws-sdk/client-s3')
    await this.wrap('delete', () => this.client.send(new DeleteObjectCommand({Bucket: this.bucket, Key: this.key(id, name)})))
  }

  async remove(id: string): Promise<void> {
    for (const f of await this.files(id)) await this.removeFile(id, f.name)
  }

  private async wrap<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (error) {
      throw this.translate(what, error)
    }
  }

  private translate(what: string, error: unknown): Error {
    const name = (error as {name?: string}).name ?? 'Error'
    const e = new OperationError(`S3 ${what} at ${this.location} failed: ${name}: ${(error as Error).message}`, {
      code: name === 'NoSuchKey' ? 'E_S3_NOT_FOUND' : 'E_S3',
      hint: name === 'NoSuchBucket' ? 'Create the bucket, or fix the s3:// location.' : 'Check the bucket, the prefix and your AWS credentials.',
      cause: error,
    })
    return e
  }
}
