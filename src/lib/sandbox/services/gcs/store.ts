/**
 * The Cloud Storage buckets of the sandbox: object metadata in the state document
 * `gcs/objects.json`, object bytes in files under the service's state directory. Shared by the
 * JSON API emulation (index.ts) and by Firestore's managed export/import (../firestore/admin.ts),
 * which write and read objects the way the real services do between themselves.
 */
import {createHash, randomUUID} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type {ServiceContext} from '../../types.js'

export const SANDBOX_EXPORT_BUCKET = 'impress-sandbox-firestore-exports'

export interface GcsObject {
  size: number
  /** base64 MD5 and CRC32C of the bytes (as the JSON API reports them). */
  md5Hash: string
  crc32c: string
  generation: string
  contentType: string
  timeCreated: string
  file: string
  metadata?: Record<string, string>
}
export interface GcsUpload {
  bucket: string
  name: string
  contentType: string
  metadata?: Record<string, string>
  file: string
  received: number
}
export interface GcsState {
  buckets: Record<string, {timeCreated: string; objects: Record<string, GcsObject>}>
  uploads: Record<string, GcsUpload>
}

const CRC_TABLE = (() => {
  const t = new Int32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1
    t[n] = c
  }
  return t
})()

/** CRC32C (Castagnoli), continued from `crc` (0 to start). */
export function crc32c(data: Buffer, crc = 0): number {
  let c = ~crc
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8)
  return ~c >>> 0
}

export const crc32cBase64 = (n: number): string => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n >>> 0)
  return b.toString('base64')
}

export class GcsStore {
  constructor(private readonly ctx: ServiceContext) {}

  state() {
    return this.ctx.state.open<GcsState>('gcs', 'objects', () => ({
      buckets: {[SANDBOX_EXPORT_BUCKET]: {timeCreated: new Date(0).toISOString(), objects: {}}},
      uploads: {},
    }))
  }

  dir(): string {
    return this.ctx.state.serviceDir('gcs')
  }

  bucket(name: string) {
    return this.state().data.buckets[name]
  }

  /** A fresh file under the service directory for an object's bytes (written by the caller). */
  newFile(): string {
    return path.join(this.dir(), randomUUID())
  }

  /** Record an object whose bytes are in `file` (replacing any previous generation). */
  commit(bucket: string, name: string, file: string, info: {size: number; md5: Buffer; crc: number; contentType?: string; metadata?: Record<string, string>}): GcsObject {
    const b = this.bucket(bucket)
    if (!b) throw new Error(`bucket ${bucket} does not exist`)
    const old = b.objects[name]
    if (old && old.file !== file) fs.rmSync(old.file, {force: true})
    const now = new Date()
    const o: GcsObject = {
      size: info.size,
      md5Hash: info.md5.toString('base64'),
      crc32c: crc32cBase64(info.crc),
      generation: String(now.getTime() * 1000 + Math.floor(Math.random() * 1000)),
      contentType: info.contentType ?? 'application/octet-stream',
      timeCreated: now.toISOString(),
      file,
      ...(info.metadata ? {metadata: info.metadata} : {}),
    }
    b.objects[name] = o
    this.state().save()
    return o
  }

  /** Write a whole object from bytes. */
  put(bucket: string, name: string, data: Buffer, contentType?: string, metadata?: Record<string, string>): GcsObject {
    const file = this.newFile()
    fs.writeFileSync(file, data)
    return this.commit(bucket, name, file, {size: data.length, md5: createHash('md5').update(data).digest(), crc: crc32c(data), contentType, metadata})
  }

  /** Names in a bucket starting with `prefix`, sorted. */
  names(bucket: string, prefix = ''): string[] {
    const b = this.bucket(bucket)
    if (!b) return []
    return Object.keys(b.objects)
      .filter((n) => n.startsWith(prefix))
      .sort()
  }

  read(bucket: string, name: string): Buffer | undefined {
    const o = this.bucket(bucket)?.objects[name]
    return o ? fs.readFileSync(o.file) : undefined
  }

  remove(bucket: string, name: string): boolean {
    const b = this.bucket(bucket)
    const o = b?.objects[name]
    if (!b || !o) return false
    fs.rmSync(o.file, {force: true})
    delete b.objects[name]
    this.state().save()
    return true
  }
}

/** gs://bucket/prefix → {bucket, prefix} (prefix without a leading "/"), or undefined when malformed. */
export function parseGsUri(uri: string): {bucket: string; prefix: string} | undefined {
  const m = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,221}[a-z0-9])(?:\/(.*))?$/.exec(uri)
  return m ? {bucket: m[1], prefix: m[2] ?? ''} : undefined
}
