/**
 * The per-key digests of a backup's lines (KeyStatsBuilder), computed on a worker thread when
 * one can be started: hashing every leaf costs about as much CPU as everything else the backup
 * does per line, so it runs beside the walk, fed with the same encoded NDJSON the chunks get.
 * Falls back to the calling thread (same results) where the worker module is not available
 * (running from TypeScript sources, as the unit tests do).
 */
import fs from 'node:fs'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {Worker} from 'node:worker_threads'
import {builtFile} from '../built-file.js'
import {OperationError} from '../errors.js'
import {KeyStatsBuilder, type BackupLine, type KeyStats} from './format.js'

export type DigestMessage = {kind: 'data'; data: Uint8Array | string; bytes: number} | {kind: 'end'}
type WorkerAnswer = {kind: 'ack'; bytes: number} | {kind: 'result'; keys: Record<string, KeyStats>; total: {count: number; lines: number; digest: string}}

export interface DigestResult {
  keys: Record<string, KeyStats>
  total: {count: number; lines: number; digest: string}
}

export interface LineDigests {
  /** True when lines must be given encoded (addEncoded), false when as values (addLine). */
  readonly encoded: boolean
  /** The promise (when returned) resolves once the backlog is small again. */
  addLine(line: BackupLine): Promise<void> | undefined
  /** Whole NDJSON lines; the promise (when returned) resolves once the backlog is small again. */
  addEncoded(data: Buffer): Promise<void> | undefined
  result(): Promise<DigestResult>
  /** Stop the worker (idempotent). */
  close(): void
}

/** Bytes sent to the worker and not yet digested, above which the sender waits. */
const MAX_BACKLOG = 4 * 1024 * 1024

/** The worker's file in the build this code runs from (bundle or one-to-one); none from TypeScript sources. */
function builtWorker(): URL | undefined {
  const file = builtFile(import.meta.url, 'lib/firebase/digest-worker.js')
  return file ? pathToFileURL(file) : undefined
}

export function startLineDigests(workerUrl: URL | undefined = builtWorker()): LineDigests {
  if (workerUrl?.protocol === 'file:' && fs.existsSync(fileURLToPath(workerUrl))) {
    try {
      return new WorkerDigests(workerUrl)
    } catch {
      // fall through: digest on this thread
    }
  }
  return new InThreadDigests()
}

class InThreadDigests implements LineDigests {
  readonly encoded = false
  private readonly stats = new KeyStatsBuilder()
  addLine(line: BackupLine): undefined {
    this.stats.addLine(line)
    return undefined
  }

  addEncoded(data: Buffer): undefined {
    this.stats.addEncodedLines(data)
    return undefined
  }

  async result(): Promise<DigestResult> {
    return {keys: this.stats.snapshot(), total: this.stats.total()}
  }

  close(): void {}
}

class WorkerDigests implements LineDigests {
  readonly encoded = true
  private readonly worker: Worker
  private backlog = 0
  private failure: Error | undefined
  private waiting: (() => void) | undefined
  private done: ((r: DigestResult) => void) | undefined
  private failed: ((e: Error) => void) | undefined

  constructor(url: URL) {
    // A small heap: the worker holds one message and the hashes; its garbage must not add to the peak RSS.
    this.worker = new Worker(url, {resourceLimits: {maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8}})
    this.worker.on('message', (m: WorkerAnswer) => {
      if (m.kind === 'ack') {
        this.backlog -= m.bytes
        if (this.backlog <= MAX_BACKLOG / 2) this.wake()
      } else {
        this.done?.({keys: m.keys, total: m.total})
      }
    })
    const fail = (error: Error) => {
      this.failure ??= new OperationError(`Computing the backup's digests failed: ${error.message}`, {hint: 'Run the backup again with --resume.'})
      this.wake()
      this.failed?.(this.failure)
    }
    this.worker.on('error', fail)
    this.worker.on('exit', (code) => {
      if (!this.done || code !== 0) fail(new Error(`digest worker exited (${code})`))
    })
  }

  private wake(): void {
    const w = this.waiting
    this.waiting = undefined
    w?.()
  }

  private send(data: Uint8Array | string, bytes: number): Promise<void> | undefined {
    if (this.failure) throw this.failure
    this.backlog += bytes
    this.worker.postMessage({kind: 'data', data, bytes} satisfies DigestMessage)
    if (this.backlog <= MAX_BACKLOG) return undefined
    return new Promise<void>((resolve) => {
      this.waiting = resolve
    }).then(() => {
      if (this.failure) throw this.failure
    })
  }

  addLine(line: BackupLine): Promise<void> | undefined {
    const text = `${JSON.stringify(line)}\n`
    return this.send(text, text.length)
  }

  addEncoded(data: Buffer): Promise<void> | undefined {
    return this.send(data, data.length)
  }

  result(): Promise<DigestResult> {
    if (this.failure) return Promise.reject(this.failure)
    return new Promise<DigestResult>((resolve, reject) => {
      this.done = (r) => {
        resolve(r)
        void this.worker.terminate()
      }
      this.failed = reject
      this.worker.postMessage({kind: 'end'} satisfies DigestMessage)
    })
  }

  close(): void {
    void this.worker.terminate()
  }
}
