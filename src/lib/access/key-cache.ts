/**
 * The local cache of authorized_keys answers, one file per server user. sshd asks at every
 * login, so an answer younger than `access.keys.refresh` is served from here without asking
 * GitHub; when GitHub does not answer, one younger than `access.keys.maxStale` still is
 * (stale but bounded). An entry is valid only for the roster and settings it was built from
 * (their digest is its key): editing team.yaml (marking a leaver) invalidates it at once.
 *
 * Node built-ins only: this module is on the fast path (see fast-path.ts).
 */
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

export interface KeysCacheEntry {
  v: 1
  user: string
  /** Digest of the roster bytes and the access settings the lines were built from. */
  key: string
  /** When GitHub answered (ms since the epoch). */
  fetchedAt: number
  lines: string[]
}

export function keysCacheDir(dataDir: string): string {
  return path.join(dataDir, 'access', 'authorized-keys')
}

export function keysCacheFile(dataDir: string, user: string): string {
  return path.join(keysCacheDir(dataDir), `${user.replace(/[^A-Za-z0-9_.$-]/g, '_')}.json`)
}

export function keysCacheKey(rosterBytes: Buffer, settings: unknown): string {
  return createHash('sha256').update(rosterBytes).update('\0').update(JSON.stringify(settings)).digest('hex')
}

export function readKeysCache(file: string): KeysCacheEntry | undefined {
  try {
    const e = JSON.parse(fs.readFileSync(file, 'utf8')) as KeysCacheEntry
    return e?.v === 1 && Array.isArray(e.lines) && typeof e.fetchedAt === 'number' && typeof e.key === 'string' ? e : undefined
  } catch {
    return undefined
  }
}

/** Best effort (a read-only data directory only means no cache): atomic, 0600. */
export function writeKeysCache(file: string, entry: KeysCacheEntry): boolean {
  try {
    fs.mkdirSync(path.dirname(file), {recursive: true, mode: 0o700})
    const tmp = `${file}.${process.pid}.tmp`
    fs.writeFileSync(tmp, JSON.stringify(entry), {mode: 0o600})
    fs.renameSync(tmp, file)
    return true
  } catch {
    return false
  }
}

/** Forget every cached answer (after a revocation): the next login asks GitHub and the roster again. */
export function clearKeysCache(dataDir: string): void {
  fs.rmSync(keysCacheDir(dataDir), {recursive: true, force: true})
}

/** Age of an entry, or undefined when it is not for this key or claims to come from the future. */
export function entryAge(entry: KeysCacheEntry | undefined, key: string, now: number): number | undefined {
  if (!entry || entry.key !== key) return undefined
  const age = now - entry.fetchedAt
  return age >= 0 ? age : undefined
}
