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

export class ChunkWriter {
  private gzip?: Gzip
  private file?: fs.WriteStream
  private current?: ChunkInfo
  private index: number
  private buffer: string[] = []
  private buffered = 0
  private hash?: Hash
  private compressed = 0

  constructor(
    private readonly dir: string,
    firstIndex: number,
    private readonly chunkBytes: number,
    /** Called when a chunk is complete on disk. */
    private readonly onChunk: (chunk: ChunkInfo) => Promise<void>,
  ) {
    this.index = firstIndex
  }

  get openChunk(): boolean {
    return this.current !== undefined
  }

  /** Add one line; returns a promise only when the caller must wait (buffer flush, chunk end). */
  write(line: BackupLine): Promise<void> | undefined {
    if (!this.current) this.open()
    const text = `${JSON.stringify(line)}\n`
    const c = this.current!
    c.lines++
    c.firstPath ??= line.path
    c.lastPath = line.path
    this.buffer.push(text)
    this.buffered += text.length
    // Characters stand for bytes until the flush measures them (exact for ASCII, a little under otherwise).
    if (c.rawBytes + this.buffered >= this.chunkBytes) return this.close()
    if (this.buffered >= 256 * 1024) return this.drainBuffer()
    return undefined
  }

  private async drainBuffer(): Promise<void> {
    if (this.buffer.length === 0) return
    const data = Buffer.from(this.buffer.join(''))
    this.buffer = []
    this.buffered = 0
    this.current!.rawBytes += data.length
    if (!this.gzip!.write(data)) await once(this.gzip!, 'drain')
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
    this.buffer = []
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
