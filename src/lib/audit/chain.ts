/**
 * The hash chain of the audit log. Each line is one JSON entry that carries `prev`, the
 * SHA-256 of the previous line's exact text (64 zeros for the first), `seq` (its 1-based line
 * number), and `hash`, the SHA-256 of its own content without the `hash` and `sig` fields.
 * With a signing key, `sig` is an HMAC of (seq, hash): since `hash` covers `prev`, one valid
 * signature vouches for every line up to it. A head file records the line count, the file's
 * size and the last line's hash, signed the same way, so removing the newest lines is caught.
 * The checks themselves live in verify.ts.
 */
import {createHash} from 'node:crypto'
import {signEntry, type AuditKey, type Signature} from './sign.js'

export const GENESIS = '0'.repeat(64)

export interface AuditActor {
  /** The person: $IMPRESS_ACTOR, or OS user@host. The same for every command they run. */
  user: string
  /** The cloud identity the command acted as (the STS caller ARN), when it used AWS. */
  cloud?: string
  /** Entries written before `cloud` existed carry the ARN here. */
  aws?: string
}

export interface AuditAcknowledgement {
  /** What the operator wrote with --reason. */
  reason: string
  /** SHA-256 of every byte of the log before this line: the exact log that was accepted. */
  prefixDigest: string
  /** The problems found when it was accepted. */
  problems: {line: number; reason: string}[]
}

export interface AuditEntry {
  seq?: number
  time: string
  actor: AuditActor
  command: string
  args: string[]
  env?: string
  result: 'ok' | 'failed' | 'refused' | 'interrupted' | 'violations' | 'dry-run'
  exitCode: number
  durationMs: number
  error?: string
  details?: Record<string, unknown>
  ack?: AuditAcknowledgement
  prev: string
  hash: string
  sig?: Signature
}

export interface AuditHead {
  lines: number
  last: string
  /** Size of the log file in bytes (heads written before it existed lack it). */
  bytes?: number
  sig?: Signature
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** The hashed part of a parsed entry: everything but `hash` and `sig`, in the order written. */
export function entryBody(entry: AuditEntry): string {
  const {hash: _hash, sig: _sig, ...rest} = entry
  return JSON.stringify(rest)
}

/** Serialise an entry (without hash) and seal it with its own hash and, given a key, a signature; returns the line text. */
export function sealEntry(entry: Omit<AuditEntry, 'hash' | 'sig'>, key?: AuditKey): string {
  const body = JSON.stringify(entry)
  const hash = sha256(body)
  const sig = key && entry.seq !== undefined ? signEntry(key, entry.seq, hash) : undefined
  return JSON.stringify({...entry, hash, ...(sig ? {sig} : {})})
}
