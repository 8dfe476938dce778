/**
 * Writes NDJSON lines into gzip chunk files of bounded raw size, with backpressure, and
 * reports each finished chunk (name, SHA-256 of the compressed file, sizes, line count).
 */
import {createHash} from 'node:crypto'
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

  async write(line: BackupLine): Promise<void> {
    if (!this.current) this.open()
    const text = `${JSON.stringify(line)}\n`
    const c = this.current!
    c.lines++
    c.rawBytes += Buffer.byteLength(text)
    c.firstPath ??= line.path
    c.lastPath = line.path
    this.buffer.push(text)
    this.buffered += text.length
    if (this.buffered >= 64 * 1024) await this.drainBuffer()
    if (c.rawBytes >= this.chunkBytes) await this.close()
  }

  private async drainBuffer(): Promise<void> {
    if (this.buffer.length === 0) return
    const text = this.buffer.join('')
    this.buffer = []
    this.buffered = 0
    if (!this.gzip!.write(text)) await once(this.gzip!, 'drain')
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
    const full = path.join(this.dir, c.file)
    const hash = createHash('sha256')
    for await (const part of fs.createReadStream(full)) hash.update(part as Buffer)
    c.sha256 = hash.digest('hex')
    c.bytes = fs.statSync(full).size
    await this.onChunk(c)
  }

  private open(): void {
    const name = chunkName(this.index++)
    this.current = {file: name, sha256: '', bytes: 0, rawBytes: 0, lines: 0}
    this.gzip = createGzip({level: 1})
    this.file = fs.createWriteStream(path.join(this.dir, name))
    this.gzip.pipe(this.file)
  }
}
