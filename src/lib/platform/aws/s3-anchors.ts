/**
 * The audit log's anchors in S3 (audit/anchor.ts): PutObject with `If-None-Match: *`, so a key
 * is written once and never replaced, and, when a retention is configured, Object Lock in
 * COMPLIANCE mode until a date (the bucket must have Object Lock enabled); ListObjectsV2 paged
 * with continuation tokens; GetObject for an anchor that does not match.
 */
import type {S3Client} from '@aws-sdk/client-s3'
import type {AnchorStore} from '../../audit/anchor.js'
import type {Context} from '../../context.js'
import {awsSdk} from './sdk.js'

export class S3AnchorStore implements AnchorStore {
  constructor(
    private readonly client: () => Promise<S3Client>,
    private readonly bucket: string,
  ) {}

  get location(): string {
    return `s3://${this.bucket}`
  }

  async putOnce(key: string, body: string, options: {retainUntil?: Date}): Promise<'written' | 'exists'> {
    const {PutObjectCommand} = awsSdk('@aws-sdk/client-s3')
    try {
      await (await this.client()).send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
          IfNoneMatch: '*',
          ...(options.retainUntil ? {ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: options.retainUntil} : {}),
        }),
      )
      return 'written'
    } catch (error) {
      // 412: the key exists. An anchor's key carries its signature, so the object there is the same anchor.
      if ((error as {$metadata?: {httpStatusCode?: number}}).$metadata?.httpStatusCode === 412) return 'exists'
      throw error
    }
  }

  async list(prefix: string): Promise<{key: string; lastModified?: string}[]> {
    const {ListObjectsV2Command} = awsSdk('@aws-sdk/client-s3')
    const out: {key: string; lastModified?: string}[] = []
    let token: string | undefined
    do {
      const r = await (await this.client()).send(new ListObjectsV2Command({Bucket: this.bucket, Prefix: prefix, ContinuationToken: token}))
      for (const c of r.Contents ?? []) if (c.Key) out.push({key: c.Key, lastModified: c.LastModified?.toISOString()})
      token = r.IsTruncated ? r.NextContinuationToken : undefined
    } while (token)
    return out
  }

  async get(key: string): Promise<string | undefined> {
    const {GetObjectCommand} = awsSdk('@aws-sdk/client-s3')
    try {
      const r = await (await this.client()).send(new GetObjectCommand({Bucket: this.bucket, Key: key}))
      return await r.Body!.transformToString()
    } catch (error) {
      if ((error as {name?: string}).name === 'NoSuchKey') return undefined
      throw error
    }
  }
}

/** The environment's S3 as the anchor store (path-style in the sandbox; the client is built on first use). */
export function s3AnchorStore(ctx: Context, bucket: string): S3AnchorStore {
  let client: Promise<S3Client> | undefined
  return new S3AnchorStore(() => {
    client ??= (async () => {
      const {S3Client: Client} = awsSdk('@aws-sdk/client-s3')
      return ctx.aws(class AnchorS3Client extends Client {
        constructor(config: ConstructorParameters<typeof Client>[0]) {
          super({...config, forcePathStyle: ctx.env.sandbox})
        }
      })
    })()
    return client
  }, bucket)
}
