/**
 * Journals and locks for long operations (an Aurora rollback, a drill, a deploy). A journal
 * is one JSON file per operation, rewritten atomically after each step, so a rerun after a
 * crash, Ctrl-C or kill -9 knows exactly which steps ran and with which resource ids.
 * A lock (a file created with O_EXCL holding owner, pid, host and time) stops a second
 * operator from running the same operation on the same target; a lock whose process is gone
 * on this host is taken over.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {RefusedError} from '../errors.js'
import {stepRecorded} from './failpoint.js'

export interface JournalStep {
  name: string
  status: 'started' | 'done' | 'failed' | 'undone'
  startedAt: string
  endedAt?: string
  /** Resource ids and facts recorded by the step. */
  data?: Record<string, unknown>
  error?: string
}

export interface JournalDoc<T extends Record<string, unknown> = Record<string, unknown>> {
  id: string
  kind: string
  target: string
  status: 'running' | 'done' | 'failed' | 'aborted'
  createdAt: string
  updatedAt: string
  /** Inputs of the operation (e.g. the target time). */
  params: T
  steps: JournalStep[]
}

export class Journal<T extends Record<string, unknown> = Record<string, unknown>> {
  private constructor(
    readonly file: string,
    public doc: JournalDoc<T>,
  ) {}

  static dir(dataDir: string, kind: string): string {
    return path.join(dataDir, 'journals', kind)
  }

  static create<T extends Record<string, unknown>>(dataDir: string, kind: string, target: string, params: T, id?: string): Journal<T> {
    const now = new Date().toISOString()
    const jid = id ?? `${target}-${now.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`
    const j = new Journal<T>(path.join(Journal.dir(dataDir, kind), `${jid}.json`), {id: jid, kind, target, status: 'running', createdAt: now, updatedAt: now, params, steps: []})
    j.save()
    return j
  }

  static load<T extends Record<string, unknown>>(file: string): Journal<T> {
    return new Journal<T>(file, JSON.parse(fs.readFileSync(file, 'utf8')) as JournalDoc<T>)
  }

  /** Journals of a kind, newest first. */
  static list<T extends Record<string, unknown>>(dataDir: string, kind: string): Journal<T>[] {
    const dir = Journal.dir(dataDir, kind)
    if (!fs.existsSync(dir)) return []
    return fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => Journal.load<T>(path.join(dir, f)))
      .sort((a, b) => b.doc.createdAt.localeCompare(a.doc.createdAt))
  }

  /** The unfinished journal for a target, if any (what a rerun resumes). */
  static findRunning<T extends Record<string, unknown>>(dataDir: string, kind: string, target: string): Journal<T> | undefined {
    return Journal.list<T>(dataDir, kind).find((j) => j.doc.target === target && j.doc.status === 'running')
  }

  step(name: string): JournalStep | undefined {
    return this.doc.steps.find((s) => s.name === name)
  }

  isDone(name: string): boolean {
    return this.step(name)?.status === 'done'
  }

  /** Record data for a step as it starts (e.g. the id of the resource about to be created). */
  start(name: string, data?: Record<string, unknown>): void {
    const existing = this.step(name)
    if (existing) {
      existing.status = 'started'
      existing.data = {...existing.data, ...data}
      delete existing.error
    } else {
      this.doc.steps.push({name, status: 'started', startedAt: new Date().toISOString(), ...(data ? {data} : {})})
    }
    this.save()
  }

  /** `save: false` leaves the write to the next save (a step whose loss in a crash changes nothing a rerun needs). */
  finish(name: string, data?: Record<string, unknown>, options: {save?: boolean} = {}): void {
    const s = this.step(name) ?? {name, status: 'started' as const, startedAt: new Date().toISOString()}
    if (!this.step(name)) this.doc.steps.push(s)
    s.status = 'done'
    s.endedAt = new Date().toISOString()
    if (data) s.data = {...s.data, ...data}
    if (options.save !== false) this.save()
  }

  fail(name: string, error: string): void {
    const s = this.step(name)
    if (s) {
      s.status = 'failed'
      s.error = error
      s.endedAt = new Date().toISOString()
    }
    this.save()
  }

  /** Run a step once: skipped when the journal says it is done (resume). */
  async run<R extends Record<string, unknown> | void>(name: string, fn: (previous?: JournalStep) => Promise<R>): Promise<R | Record<string, unknown> | undefined> {
    const prev = this.step(name)
    if (prev?.status === 'done') return prev.data
    this.start(name)
    try {
      const out = await fn(prev)
      this.finish(name, out ?? undefined)
      return out
    } catch (error) {
      this.fail(name, (error as Error).message)
      throw error
    }
  }

  setStatus(status: JournalDoc['status']): void {
    this.doc.status = status
    this.save()
  }

  save(): void {
    this.doc.updatedAt = new Date().toISOString()
    fs.mkdirSync(path.dirname(this.file), {recursive: true})
    const tmp = `${this.file}.${process.pid}.tmp`
    fs.writeFileSync(tmp, JSON.stringify(this.doc, null, 2))
    fs.renameSync(tmp, this.file)
    stepRecorded()
  }
}

export interface LockInfo {
  owner: string
  pid: number
  host: string
  since: string
  operation: string
}

export class Lock {
  private constructor(
    readonly file: string,
    readonly info: LockInfo,
  ) {}

  /**
   * Take the lock named `name` (e.g. `aurora-rollback-impress-prod`), or throw RefusedError
   * (exit 4) naming who holds it and since when.
   */
  static acquire(dataDir: string, name: string, operation: string): Lock {
    const dir = path.join(dataDir, 'locks')
    fs.mkdirSync(dir, {recursive: true})
    const file = path.join(dir, `${name}.lock`)
    const info: LockInfo = {owner: `${safeUser()}@${os.hostname()}`, pid: process.pid, host: os.hostname(), since: new Date().toISOString(), operation}
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, JSON.stringify(info), {flag: 'wx'})
        return new Lock(file, info)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
        const holder = Lock.read(file)
        if (holder && holder.host === os.hostname() && !alive(holder.pid)) {
          fs.rmSync(file, {force: true}) // its process is gone: take it over
          continue
        }
        const age = holder ? Math.round((Date.now() - Date.parse(holder.since)) / 1000) : undefined
        const running = holder?.operation && holder.operation !== operation ? `${operation} refused: ${holder.operation}` : operation
        throw new RefusedError(`${running} is already running: locked by ${holder?.owner ?? 'unknown'} (pid ${holder?.pid ?? '?'}) for ${age ?? '?'}s.`, {
          code: 'E_LOCKED',
          hint: `Wait for it to finish, or if it is dead on another host, remove ${file}.`,
          details: {lock: file, holder},
        })
      }
    }
    throw new RefusedError(`Could not take the lock ${file}.`, {code: 'E_LOCKED', hint: `Remove ${file} if no operation is running.`})
  }

  static read(file: string): LockInfo | undefined {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo
    } catch {
      return undefined
    }
  }

  /** Run `fn` holding the locks `names` (refused, exit 4, naming the holder, when another process holds one). */
  static async with<R>(dataDir: string, names: string[], operation: string, fn: () => Promise<R>): Promise<R> {
    const locks: Lock[] = []
    try {
      for (const name of names) locks.push(Lock.acquire(dataDir, name, operation))
      return await fn()
    } finally {
      for (const l of locks) l.release()
    }
  }

  release(): void {
    const holder = Lock.read(this.file)
    if (holder && holder.pid === this.info.pid && holder.since === this.info.since) fs.rmSync(this.file, {force: true})
  }
}

/** A lock as `--status` shows it: who holds it, since when, and whether its holder is gone. */
export interface LockHolder extends LockInfo {
  user: string
  ageSeconds: number
  /** The holder's process is gone on this host (the next run takes the lock over). */
  stale: boolean
  /** The holder runs on another host: whether it is alive cannot be checked from here. */
  otherHost: boolean
}

/** Who holds the lock file, or undefined when nobody does. */
export function lockHolder(file: string, now = new Date()): LockHolder | undefined {
  const info = Lock.read(file)
  if (!info) return undefined
  const otherHost = info.host !== os.hostname()
  return {
    ...info,
    user: info.owner.split('@')[0] ?? info.owner,
    ageSeconds: Math.round((now.getTime() - Date.parse(info.since)) / 1000),
    stale: !otherHost && !alive(info.pid),
    otherHost,
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function safeUser(): string {
  try {
    return os.userInfo().username
  } catch {
    return 'unknown'
  }
}
