/**
 * The append-only audit log (JSON lines, hash-chained). Writers take a lock on the file, so
 * concurrent commands never interleave or lose a line.
 */
import fs from 'node:fs'
import path from 'node:path'
import {OperationError} from '../errors.js'
import {requireCjs} from '../require-cjs.js'
import {GENESIS, sealEntry, sha256, verifyLines, type AuditEntry, type AuditHead, type ChainBreak} from './chain.js'

const lockfile = requireCjs('proper-lockfile') as typeof import('proper-lockfile')

export type NewAuditEntry = Omit<AuditEntry, 'prev' | 'hash'>

function headPath(logPath: string): string {
  return `${logPath}.head`
}

function readLines(logPath: string): string[] {
  if (!fs.existsSync(logPath)) return []
  const text = fs.readFileSync(logPath, 'utf8')
  return text.split('\n').filter((l) => l.length > 0)
}

function lastLine(logPath: string): string | undefined {
  if (!fs.existsSync(logPath)) return undefined
  const fd = fs.openSync(logPath, 'r')
  try {
    const size = fs.fstatSync(fd).size
    let chunk = 64 * 1024
    for (;;) {
      const start = Math.max(0, size - chunk)
      const buf = Buffer.alloc(size - start)
      fs.readSync(fd, buf, 0, buf.length, start)
      const lines = buf.toString('utf8').split('\n').filter((l) => l.length > 0)
      if (lines.length >= 2 || start === 0) return lines.at(-1)
      chunk *= 4
    }
  } finally {
    fs.closeSync(fd)
  }
}

function readHead(logPath: string): AuditHead | undefined {
  try {
    return JSON.parse(fs.readFileSync(headPath(logPath), 'utf8')) as AuditHead
  } catch {
    return undefined
  }
}

export async function appendAudit(logPath: string, entry: NewAuditEntry): Promise<AuditEntry> {
  fs.mkdirSync(path.dirname(logPath), {recursive: true})
  if (!fs.existsSync(logPath)) fs.writeFileSync(logPath, '', {flag: 'a', mode: 0o600})
  let release: (() => Promise<void>) | undefined
  try {
    release = await lockfile.lock(logPath, {retries: {retries: 200, minTimeout: 5, maxTimeout: 50, factor: 1.3}, stale: 10_000, realpath: false})
  } catch (error) {
    throw new OperationError(`Cannot lock the audit log ${logPath}.`, {hint: 'Another impress process may be stuck; check for a stale .lock directory next to the log.', cause: error})
  }
  try {
    const last = lastLine(logPath)
    const prev = last === undefined ? GENESIS : sha256(last)
    const line = sealEntry({...entry, prev})
    fs.appendFileSync(logPath, line + '\n')
    const head = readHead(logPath)
    const lines = head ? head.lines + 1 : readLines(logPath).length
    fs.writeFileSync(headPath(logPath), JSON.stringify({lines, last: sha256(line)} satisfies AuditHead))
    return JSON.parse(line) as AuditEntry
  } finally {
    await release()
  }
}

export interface AuditFilter {
  since?: Date
  command?: string
}

export function readAudit(logPath: string, filter: AuditFilter = {}): AuditEntry[] {
  const out: AuditEntry[] = []
  for (const line of readLines(logPath)) {
    let e: AuditEntry
    try {
      e = JSON.parse(line) as AuditEntry
    } catch {
      continue
    }
    if (filter.since && new Date(e.time) < filter.since) continue
    if (filter.command && !(e.command === filter.command || e.command.startsWith(filter.command + ' '))) continue
    out.push(e)
  }
  return out
}

export interface VerifyResult {
  path: string
  lines: number
  ok: boolean
  break?: ChainBreak
}

export function verifyAudit(logPath: string): VerifyResult {
  const lines = readLines(logPath)
  const brk = verifyLines(lines, readHead(logPath))
  return {path: logPath, lines: lines.length, ok: brk === undefined, break: brk}
}
