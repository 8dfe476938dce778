/**
 * Writes NDJSON lines into gzip chunk files of bounded raw size, with backpressure, and
 * reports each finished chunk (name, SHA-256 of the compressed file, sizes, line count).
 */
import {createHash, type Hash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {once} from 'node:events'
import {createGzip, type Gzip} from 'node:zlib'
import {chunkName, type BackupLine, type ChunkInfo} from './format.js'

const BUFFER_BYTES = 256 * 1024
const LINE_END = Buffer.from('}\n')

/**
 * A fresh line buffer. Not shared memory: posting a SharedArrayBuffer view to the digest worker
 * saves the copy, but the shared backing stores were freed late and a 1 GB backup peaked at
 * 335 MB instead of ~250 MB (and ran slower); the copy costs ~60 ms of CPU per 100 MB.
 */
function newBuffer(): Buffer {
  return Buffer.allocUnsafe(BUFFER_BYTES)
}

export class ChunkWriter {
  private gzip?: Gzip
  private file?: fs.WriteStream
  private current?: ChunkInfo
  private index: number
  /** Lines are encoded straight into this buffer (no joined string, no extra copy), handed to gzip when full. */
  private buf = newBuffer()
  private buffered = 0
  private hash?: Hash
  private compressed = 0

  constructor(
    private readonly dir: string,
    firstIndex: number,
    private readonly chunkBytes: number,
    /** Called when a chunk is complete on disk. */
    private readonly onChunk: (chunk: ChunkInfo) => Promise<void>,
    /** Sees every piece of NDJSON (whole lines) as it goes to gzip (e.g. to digest it elsewhere). */
    private readonly onData?: (data: Buffer) => Promise<void> | undefined,
  ) {
    this.index = firstIndex
  }

  get openChunk(): boolean {
    return this.current !== undefined
  }

  /** Add one line; returns a promise only when the caller must wait (buffer flush, chunk end). */
  write(line: BackupLine): Promise<void> | undefined {
    this.begin(line.path)
    const text = JSON.stringify(line)
    // UTF-8 takes at most 3 bytes per UTF-16 unit; a line that may not fit goes out on its own.
    if (this.buffered + text.length * 3 + 1 > BUFFER_BYTES) return this.overflow(Buffer.from(`${text}\n`))
    this.buffered += this.buf.write(text, this.buffered)
    this.buf[this.buffered++] = 10 // "\n"
    return this.afterWrite()
  }

  /**
   * Add one line whose value is JSON text already (`text[start..end)`, no line break): the bytes
   * are copied as they are, not parsed and serialised again. Same line shape as write().
   */
  writeRaw(path: string, text: Buffer, start: number, end: number): Promise<void> | undefined {
    this.begin(path)
    const head = `{"path":${JSON.stringify(path)},"value":`
    if (this.buffered + head.length * 3 + (end - start) + 2 > BUFFER_BYTES) {
      return this.overflow(Buffer.concat([Buffer.from(head), text.subarray(start, end), LINE_END]))
    }
    this.buffered += this.buf.write(head, this.buffered)
    this.buffered += text.copy(this.buf, this.buffered, start, end)
    this.buf[this.buffered++] = 0x7d // "}"
    this.buf[this.buffered++] = 10 // "\n"
    return this.afterWrite()
  }

  private begin(path: string): void {
    if (!this.current) this.open()
    const c = this.current!
    c.lines++
    c.firstPath ??= path
    c.lastPath = path
  }

  /** A whole line that may not fit in the buffer's free space: copied when it fits, else sent on its own. */
  private overflow(whole: Buffer): Promise<void> | undefined {
    if (whole.length <= BUFFER_BYTES - this.buffered) {
      whole.copy(this.buf, this.buffered)
      this.buffered += whole.length
      return this.afterWrite()
    }
    return this.drainBuffer(whole).then(() => this.afterWrite())
  }

  private afterWrite(): Promise<void> | undefined {
    if (this.current!.rawBytes + this.buffered >= this.chunkBytes) return this.close()
    if (this.buffered >= BUFFER_BYTES - 4096) return this.drainBuffer()
    return undefined
  }

  private async drainBuffer(extra?: Buffer): Promise<void> {
    if (this.buffered > 0) {
      const data = this.buf.subarray(0, this.buffered)
      this.buf = newBuffer() // gzip keeps `data` until it has compressed it
      this.buffered = 0
      this.current!.rawBytes += data.length
      const seen = this.onData?.(data)
      if (!this.gzip!.write(data)) await once(this.gzip!, 'drain')
      if (seen) await seen
    }
    if (extra) {
      this.current!.rawBytes += extra.length
      const seen = this.onData?.(extra)
      if (!this.gzip!.write(extra)) await once(this.gzip!, 'drain')
      if (seen) await seen
    }
  }

  /** Finish the open chunk, if any. */
  async close(): Promise<void> {
    const c = this.current
    if (!c) return
    await this.drainBuffer()
    const gzip = this.gzip!
    const file = this.file!
    this.current = undefined
    this.gzip = undefined
    this.file = undefined
    gzip.end()
    await once(file, 'close')
    // The SHA-256 and size of the compressed bytes were taken as they went to the file.
    c.sha256 = this.hash!.digest('hex')
    c.bytes = this.compressed
    this.hash = undefined
    await this.onChunk(c)
  }

  /** Drop the open chunk, unreported (its partial file stays for the next run to remove). */
  abandon(): void {
    const {gzip, file} = this
    this.current = undefined
    this.gzip = undefined
    this.file = undefined
    this.hash = undefined
    this.buffered = 0
    gzip?.unpipe()
    gzip?.destroy()
    file?.destroy()
  }

  private open(): void {
    const name = chunkName(this.index++)
    this.current = {file: name, sha256: '', bytes: 0, rawBytes: 0, lines: 0}
    // Level 1: the fastest; backups are read rarely and the ratio is still ~10x on JSON.
    this.gzip = createGzip({level: 1, chunkSize: 64 * 1024})
    this.file = fs.createWriteStream(path.join(this.dir, name))
    const hash = createHash('sha256')
    this.hash = hash
    this.compressed = 0
    this.gzip.on('data', (d: Buffer) => {
      hash.update(d)
      this.compressed += d.length
    })
    this.gzip.pipe(this.file)
  }
}
