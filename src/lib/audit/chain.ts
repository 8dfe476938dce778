/**
 * The hash chain of the audit log. Each line is one JSON entry that carries `prev`, the
 * SHA-256 of the previous line's exact text (64 zeros for the first), and `hash`, the SHA-256
 * of its own content without the `hash` field. A head file records the line count and the last
 * line's hash, so removing the newest line is caught too.
 */
import {createHash} from 'node:crypto'

export const GENESIS = '0'.repeat(64)

export interface AuditEntry {
  time: string
  actor: {user: string; aws?: string}
  command: string
  args: string[]
  env?: string
  result: 'ok' | 'failed' | 'refused' | 'interrupted' | 'violations' | 'dry-run'
  exitCode: number
  durationMs: number
  error?: string
  details?: Record<string, unknown>
  prev: string
  hash: string
}

export interface AuditHead {
  lines: number
  last: string
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** Serialise an entry (without hash) and seal it with its own hash; returns the line text. */
export function sealEntry(entry: Omit<AuditEntry, 'hash'>): string {
  const body = JSON.stringify(entry)
  const hash = sha256(body)
  return JSON.stringify({...entry, hash})
}

export interface ChainBreak {
  /** 1-based line number of the first line that does not fit. */
  line: number
  reason: string
}

/** Check a sequence of lines (without trailing newline) and the head. */
export function verifyLines(lines: string[], head?: AuditHead): ChainBreak | undefined {
  let prev = GENESIS
  for (const [i, text] of lines.entries()) {
    const n = i + 1
    let entry: AuditEntry
    try {
      entry = JSON.parse(text) as AuditEntry
    } catch {
      return {line: n, reason: 'is not valid JSON (edited or truncated)'}
    }
    if (typeof entry !== 'object' || entry === null || typeof entry.hash !== 'string') {
      return {line: n, reason: 'is not an audit entry'}
    }
    const {hash, ...rest} = entry
    if (sha256(JSON.stringify(rest)) !== hash) {
      return {line: n, reason: 'was edited: its content does not match its hash'}
    }
    if (entry.prev !== prev) {
      return {
        line: n,
        reason: n === 1 ? 'does not start the chain (lines before it were removed)' : `does not follow line ${n - 1} (a line was removed, inserted or reordered)`,
      }
    }
    prev = sha256(text)
  }
  if (head) {
    if (head.lines > lines.length) return {line: lines.length + 1, reason: `is missing: the log had ${head.lines} lines (lines at the end were removed)`}
    if (head.lines === lines.length && head.last !== prev) return {line: lines.length, reason: 'does not match the recorded head (the last line was replaced)'}
  }
  return undefined
}
