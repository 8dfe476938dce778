/**
 * The audit log as commands use it: the check before a mutating command starts, the entry it
 * leaves (signed, then anchored when due or after a destructive step), the actor, and the
 * full report of `impress audit verify`.
 */
import os from 'node:os'
import type {AuditSettings} from '../config/load.js'
import {anchorDue, checkAnchors, writeAnchor, type AnchorReport, type AnchorStore} from './anchor.js'
import type {AuditActor, AuditEntry} from './chain.js'
import {appendAudit, checkAuditTail, keysOfLog, verifyAudit, AUDIT_BROKEN_HINT, type AppendOptions, type NewAuditEntry, type VerifyResult} from './log.js'
import type {AuditKeyring} from './sign.js'
import {RefusedError} from '../errors.js'

export interface AuditPorts {
  settings: AuditSettings
  keyring?: AuditKeyring
  anchors?: AnchorStore
  warn: (message: string) => void
}

/** The person behind a command, recorded the same way by every command: $IMPRESS_ACTOR, or user@host. */
export function auditActor(cloud?: string): AuditActor {
  const configured = process.env.IMPRESS_ACTOR?.trim()
  return {user: configured || `${osUser()}@${os.hostname()}`, ...(cloud ? {cloud} : {})}
}

function osUser(): string {
  try {
    return os.userInfo().username
  } catch {
    return process.env.USER ?? 'unknown'
  }
}

/**
 * Before a mutating command does anything: the end of the log must agree with its signed head
 * (exit 4 otherwise). When an anchor is due by the interval, the whole log is checked first, so
 * an edit the tail check cannot see is found before the next anchor vouches for the log.
 */
export async function auditGate(logPath: string, ports: AuditPorts): Promise<void> {
  const {warning} = await checkAuditTail(logPath, ports.keyring)
  if (warning) ports.warn(warning)
  if (!warning && ports.keyring && ports.anchors && ports.settings.anchor && anchorDue(logPath, ports.settings.anchor)) {
    const {keys} = await keysOfLog(logPath, ports.keyring)
    const v = verifyAudit(logPath, keys)
    if (!v.ok && v.break) {
      throw new RefusedError(`The audit log ${logPath} does not verify: line ${v.break.line} ${v.break.reason}. Refusing to append to it.`, {code: 'E_AUDIT_BROKEN', hint: AUDIT_BROKEN_HINT, details: {path: logPath, line: v.break.line, reason: v.break.reason}})
    }
  }
}

/** Append the command's entry, then anchor the signed head when one is due (or `destructive`). Anchoring failures only warn. */
export async function recordAudit(logPath: string, entry: NewAuditEntry, ports: AuditPorts, options: {destructive?: boolean; acknowledge?: AppendOptions['acknowledge']} = {}): Promise<AuditEntry> {
  const written = await appendAudit(logPath, entry, {keyring: ports.keyring, acknowledge: options.acknowledge, warn: ports.warn})
  const anchor = ports.settings.anchor
  if (!written.sig || !ports.keyring || !ports.anchors || !anchor) return written
  if (!options.destructive && !anchorDue(logPath, anchor)) return written
  try {
    const {keys} = await keysOfLog(logPath, ports.keyring)
    const v = verifyAudit(logPath, keys)
    if (!v.ok && v.break) {
      ports.warn(`The audit log was not anchored: line ${v.break.line} ${v.break.reason}. Run \`impress audit verify\`.`)
      return written
    }
    await writeAnchor(logPath, anchor, ports.anchors, await ports.keyring.current())
  } catch (error) {
    ports.warn(`Could not anchor the audit log in ${ports.anchors.location}: ${(error as Error).message}`)
  }
  return written
}

export interface AuditReport extends VerifyResult {
  signatures: {status: 'checked' | 'not-configured' | 'unavailable'; key?: string; error?: string; missingVersions?: string[]}
  anchors: AnchorReport
}

/** Everything `impress audit verify` checks: the chain, the signatures, the head, the anchors. */
export async function auditReport(logPath: string, ports: AuditPorts): Promise<AuditReport> {
  let signatures: AuditReport['signatures'] = {status: 'not-configured'}
  let keys = new Map<string, Awaited<ReturnType<AuditKeyring['current']>>>()
  if (ports.keyring) {
    try {
      await ports.keyring.current()
      const got = await keysOfLog(logPath, ports.keyring)
      keys = got.keys
      signatures = {status: 'checked', key: ports.keyring.secretId, ...(got.missing.length > 0 ? {missingVersions: got.missing} : {})}
    } catch (error) {
      signatures = {status: 'unavailable', key: ports.keyring.secretId, error: (error as Error).message}
    }
  }
  const chain = verifyAudit(logPath, keys)
  let anchors: AnchorReport = {status: 'not-configured', count: 0, matching: 0, coveredThrough: 0, problems: []}
  if (ports.anchors && ports.settings.anchor) {
    if (keys.size === 0) {
      anchors = {...anchors, status: 'unavailable', location: ports.anchors.location, error: 'anchors are checked with the signing key, which could not be read'}
    } else {
      try {
        anchors = await checkAnchors(logPath, ports.settings.anchor, ports.anchors, keys, chain)
      } catch (error) {
        anchors = {...anchors, status: 'unavailable', location: ports.anchors.location, error: (error as Error).message}
      }
    }
  }
  // An acknowledgement accepts the anchors that disagreed when it was written (its digest fixes the lines it accepted).
  for (const p of anchors.problems) p.acknowledgedAt = chain.acknowledgements.find((a) => (p.anchoredAt ? a.time >= p.anchoredAt : a.line > p.line))?.line
  const problems = [...chain.problems, ...anchors.problems].sort((a, b) => a.line - b.line)
  const open = problems.filter((p) => p.acknowledgedAt === undefined)
  return {...chain, problems, ok: open.length === 0, break: open[0], signatures, anchors}
}
