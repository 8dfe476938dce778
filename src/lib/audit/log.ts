/**
 * The append-only audit log (JSON lines, hash-chained, signed when a key is configured).
 * Writers take a lock on the file, so concurrent commands never interleave or lose a line, and
 * an append first checks the end of the log against its head (cheap: the last line and the
 * head, never the whole file): a log that does not check out is not appended to.
 */
import fs from 'node:fs'
import path from 'node:path'
import {OperationError, RefusedError} from '../errors.js'
import {requireCjs} from '../require-cjs.js'
import {entryBody, GENESIS, sealEntry, sha256, type AuditAcknowledgement, type AuditEntry, type AuditHead} from './chain.js'
import {sameMac, signEntry, signHead, type AuditKey, type AuditKeyring} from './sign.js'
import {checkChain, keyIdsOf, splitLog, type AuditProblem, type ChainReport} from './verify.js'

const lockfile = requireCjs('proper-lockfile') as typeof import('proper-lockfile')

export type NewAuditEntry = Omit<AuditEntry, 'prev' | 'hash' | 'sig' | 'seq' | 'ack'>

export function headPath(logPath: string): string {
  return `${logPath}.head`
}

function readText(logPath: string): string {
  return fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8') : ''
}

function lastLine(logPath: string, size: number): string | undefined {
  if (size === 0) return undefined
  const fd = fs.openSync(logPath, 'r')
  try {
    let chunk = 64 * 1024
    for (;;) {
      const start = Math.max(0, size - chunk)
      const buf = Buffer.alloc(size - start)
      fs.readSync(fd, buf, 0, buf.length, start)
      const lines = splitLog(buf.toString('utf8'))
      if (lines.length >= 2 || start === 0) return lines.at(-1)
      chunk *= 4
    }
  } finally {
    fs.closeSync(fd)
  }
}

export function readHead(logPath: string): AuditHead | undefined {
  try {
    return JSON.parse(fs.readFileSync(headPath(logPath), 'utf8')) as AuditHead
  } catch {
    return undefined
  }
}

interface Tail {
  size: number
  head?: AuditHead
  last?: string
}

function readTail(logPath: string): Tail {
  const size = fs.existsSync(logPath) ? fs.statSync(logPath).size : 0
  return {size, head: readHead(logPath), last: lastLine(logPath, size)}
}

/** The keys needed to check the tail: the current one and the head's, when they can be read. */
async function tailKeys(keyring: AuditKeyring | undefined, tail: Tail): Promise<{keys: Map<string, AuditKey>; current?: AuditKey; error?: Error}> {
  const keys = new Map<string, AuditKey>()
  if (!keyring) return {keys}
  let current: AuditKey | undefined
  let error: Error | undefined
  try {
    current = await keyring.current()
    keys.set(current.kid, current)
  } catch (error_) {
    error = error_ as Error
  }
  if (current) {
    for (const kid of [tail.head?.sig?.kid, tail.last ? /"sig":\{"kid":"([^"]+)"/.exec(tail.last)?.[1] : undefined]) {
      if (kid && !keys.has(kid)) {
        const k = await keyring.version(kid)
        if (k) keys.set(kid, k)
      }
    }
  }
  return {keys, current, error}
}

/** Why the end of the log does not agree with its head, or undefined when it does. */
function tailProblem(tail: Tail, keys: ReadonlyMap<string, AuditKey>): string | undefined {
  const {head, last, size} = tail
  if (size === 0) return head && head.lines > 0 ? `the log is empty but its head records ${head.lines} lines (it was emptied or replaced)` : undefined
  if (!head) return 'the head file beside it is missing'
  if (last === undefined) return 'its last line cannot be read'
  let entry: AuditEntry
  try {
    entry = JSON.parse(last) as AuditEntry
  } catch {
    return 'its last line is not a valid entry (edited or truncated)'
  }
  if (typeof entry?.hash !== 'string' || sha256(entryBody(entry)) !== entry.hash) return 'its last line was edited (its content does not match its hash)'
  if (entry.seq !== undefined && entry.seq !== head.lines) return `its head records ${head.lines} lines but the last line is number ${entry.seq}`
  if (head.last !== sha256(last)) return 'its last line does not match the head (the line or the head was replaced)'
  if (head.bytes !== undefined && head.bytes !== size) return `the file is ${size} bytes but its head records ${head.bytes} (lines were changed, added or removed)`
  const readable = keys.size > 0
  if (readable && entry.sig && !keys.has(entry.sig.kid)) return `its last line is signed with key version ${entry.sig.kid}, which the secret store does not have`
  if (readable && head.sig && !keys.has(head.sig.kid)) return `its head is signed with key version ${head.sig.kid}, which the secret store does not have`
  const lineKey = entry.sig ? keys.get(entry.sig.kid) : undefined
  const lineSigned = Boolean(lineKey && entry.seq !== undefined && sameMac(signEntry(lineKey, entry.seq, entry.hash).mac, entry.sig!.mac))
  if (lineKey && !lineSigned) return 'its last line has a signature that does not match (rewritten by someone without the signing key)'
  const headKey = head.sig ? keys.get(head.sig.kid) : undefined
  if (headKey && !sameMac(signHead(headKey, head).mac, head.sig!.mac)) return "its head's signature does not match (the head was rewritten by someone without the signing key)"
  if (lineSigned && !head.sig) return 'its last line is signed but its head is not (the head was rewritten)'
  if (readable && !entry.sig) return 'its last line is not signed although the signing key is readable (written while the key could not be read, from before signing, or its signature was stripped)'
  return undefined
}

export const AUDIT_BROKEN_HINT = 'Run `impress audit verify` to see what changed and keep a copy of the log as evidence; then `impress audit acknowledge --reason "..."` records who accepted the break, and commands run again.'

function refuse(logPath: string, reason: string): RefusedError {
  return new RefusedError(`The audit log ${logPath} does not verify: ${reason}. Refusing to append to it.`, {code: 'E_AUDIT_BROKEN', hint: AUDIT_BROKEN_HINT, details: {path: logPath, reason}})
}

/**
 * The check a mutating command makes before it starts: the end of the log against its head,
 * and their signatures (one key read, no full read of the log). Throws a RefusedError (exit 4).
 * Returns a warning when the signatures could not be checked (the key could not be read).
 */
export async function checkAuditTail(logPath: string, keyring?: AuditKeyring): Promise<{warning?: string}> {
  const tail = readTail(logPath)
  const {keys, error} = await tailKeys(keyring, tail)
  if (tailProblem(tail, keys)) {
    // Read without the lock, the tail may be caught between another command's line and its head: look again under the lock.
    const release = await lockLog(logPath)
    try {
      const again = readTail(logPath)
      const problem = tailProblem(again, (await tailKeys(keyring, again)).keys)
      if (problem) throw refuse(logPath, problem)
    } finally {
      await release()
    }
  }
  return error ? {warning: `The audit log's signatures were not checked: ${error.message}`} : {}
}

async function lockLog(logPath: string): Promise<() => Promise<void>> {
  fs.mkdirSync(path.dirname(logPath), {recursive: true})
  if (!fs.existsSync(logPath)) fs.writeFileSync(logPath, '', {flag: 'a', mode: 0o600})
  try {
    return await lockfile.lock(logPath, {retries: {retries: 200, minTimeout: 5, maxTimeout: 50, factor: 1.3}, stale: 10_000, realpath: false})
  } catch (error) {
    throw new OperationError(`Cannot lock the audit log ${logPath}.`, {hint: 'Another impress process may be stuck; check for a stale .lock directory next to the log.', cause: error})
  }
}

export interface AppendOptions {
  keyring?: AuditKeyring
  /** Write an acknowledgement (impress audit acknowledge): appended whatever state the log is in. */
  acknowledge?: Omit<AuditAcknowledgement, 'prefixDigest'>
  /** Told when the entry is written unsigned because the key could not be read. */
  warn?: (message: string) => void
}

export async function appendAudit(logPath: string, entry: NewAuditEntry, options: AppendOptions = {}): Promise<AuditEntry> {
  const release = await lockLog(logPath)
  try {
    const tail = readTail(logPath)
    const {keys, current, error} = await tailKeys(options.keyring, tail)
    if (error) options.warn?.(`This audit entry is not signed: ${error.message}`)
    let seq: number
    let prev: string
    let size: number
    let ack: AuditAcknowledgement | undefined
    if (options.acknowledge) {
      const text = readText(logPath)
      const lines = splitLog(text)
      seq = lines.length + 1
      prev = lines.length > 0 ? sha256(lines.at(-1)!) : GENESIS
      // A file that does not end with a newline gets one, so the acknowledgement is a line of its own.
      if (text.length > 0 && !text.endsWith('\n')) fs.appendFileSync(logPath, '\n')
      ack = {...options.acknowledge, prefixDigest: sha256(text.length > 0 && !text.endsWith('\n') ? text + '\n' : text)}
      size = fs.statSync(logPath).size
    } else {
      const problem = tailProblem(tail, keys)
      if (problem) throw refuse(logPath, problem)
      seq = (tail.head?.lines ?? 0) + 1
      prev = tail.last === undefined ? GENESIS : sha256(tail.last)
      size = tail.size
    }
    const line = sealEntry({seq, ...entry, ...(ack ? {ack} : {}), prev}, current)
    fs.appendFileSync(logPath, line + '\n')
    const head: AuditHead = {lines: seq, last: sha256(line), bytes: size + Buffer.byteLength(line) + 1}
    if (current) head.sig = signHead(current, head)
    const tmp = `${headPath(logPath)}.${process.pid}.tmp`
    fs.writeFileSync(tmp, JSON.stringify(head), {mode: 0o600})
    fs.renameSync(tmp, headPath(logPath))
    return JSON.parse(line) as AuditEntry
  } finally {
    await release()
  }
}

export interface AuditFilter {
  since?: Date
  command?: string
  /** Part of the actor's name or cloud identity (case-insensitive). */
  actor?: string
  env?: string
}

export function actorMatches(e: AuditEntry, needle: string): boolean {
  const n = needle.toLowerCase()
  return [e.actor?.user, e.actor?.cloud, e.actor?.aws].some((v) => typeof v === 'string' && v.toLowerCase().includes(n))
}

export function readAudit(logPath: string, filter: AuditFilter = {}): AuditEntry[] {
  const out: AuditEntry[] = []
  for (const line of splitLog(readText(logPath))) {
    let e: AuditEntry
    try {
      e = JSON.parse(line) as AuditEntry
    } catch {
      continue
    }
    if (filter.since && new Date(e.time) < filter.since) continue
    if (filter.command && !(e.command === filter.command || e.command.startsWith(filter.command + ' '))) continue
    if (filter.actor && !actorMatches(e, filter.actor)) continue
    if (filter.env && e.env !== filter.env) continue
    out.push(e)
  }
  return out
}

export interface VerifyResult extends ChainReport {
  path: string
  ok: boolean
  /** The first problem no acknowledgement accepted. */
  break?: AuditProblem
}

/** Check the whole log with the keys given (by version id). */
export function verifyAudit(logPath: string, keys: ReadonlyMap<string, AuditKey> = new Map()): VerifyResult {
  const report = checkChain(splitLog(readText(logPath)), readHead(logPath), keys, keys.size > 0)
  const open = report.problems.filter((p) => p.acknowledgedAt === undefined)
  return {path: logPath, ...report, ok: open.length === 0, ...(open.length > 0 ? {break: open.sort((a, b) => a.line - b.line)[0]} : {})}
}

/** The key versions a log was signed with, read through the keyring (those it cannot read are left out). */
export async function keysOfLog(logPath: string, keyring: AuditKeyring): Promise<{keys: Map<string, AuditKey>; missing: string[]}> {
  const kids = keyIdsOf(splitLog(readText(logPath)), readHead(logPath))
  try {
    const k = await keyring.current()
    kids.add(k.kid)
  } catch {
    // reported by the caller through `missing`
  }
  const keys = new Map<string, AuditKey>()
  const missing: string[] = []
  for (const kid of kids) {
    const k = await keyring.version(kid)
    if (k) keys.set(kid, k)
    else missing.push(kid)
  }
  return {keys, missing}
}
