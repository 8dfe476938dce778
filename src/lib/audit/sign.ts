/**
 * Signatures of the audit log: HMAC-SHA256 with a key kept in the configured secret store
 * (AWS Secrets Manager), never in the log's folder. `kid` is the secret's version id, so a
 * rotated key still verifies the lines it signed. The key is fetched once per process and
 * kept in memory only (see docs/audit.md for why it is never cached on disk).
 */
import {createHmac, timingSafeEqual} from 'node:crypto'
import {OperationError} from '../errors.js'
import {redactor} from '../redact.js'

export interface Signature {
  kid: string
  mac: string
}

export interface AuditKey {
  kid: string
  secret: Buffer
}

/** The secret store, as the audit log needs it (platform/aws/secrets.ts implements it). */
export interface AuditKeyStore {
  /** The secret's value and version id (the current version when `versionId` is absent). */
  read(secretId: string, versionId?: string): Promise<{value: string; versionId: string} | undefined>
}

/** Shorter keys are refused: an HMAC key should carry at least 128 bits. */
const MIN_KEY_LENGTH = 16

function mac(key: AuditKey, parts: (string | number)[]): Signature {
  return {kid: key.kid, mac: createHmac('sha256', key.secret).update(parts.join('\n')).digest('hex')}
}

export function signEntry(key: AuditKey, seq: number, hash: string): Signature {
  return mac(key, ['impress-audit-entry/1', seq, hash])
}

export function signHead(key: AuditKey, head: {lines: number; bytes?: number; last: string}): Signature {
  return mac(key, ['impress-audit-head/1', head.lines, head.bytes ?? '', head.last])
}

export function sameMac(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex')
  const y = Buffer.from(b, 'hex')
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y)
}

/** The signing keys of one log: the current one, and older versions by id, each read once per process. */
export class AuditKeyring {
  private currentKey?: Promise<AuditKey>
  private readonly versions = new Map<string, Promise<AuditKey | undefined>>()

  constructor(
    readonly secretId: string,
    private readonly store: AuditKeyStore,
  ) {}

  /** The key new lines are signed with; rejects with an OperationError when it cannot be read. */
  current(): Promise<AuditKey> {
    this.currentKey ??= this.read().then((k) => {
      if (!k) throw new OperationError(`The audit key ${this.secretId} does not exist in the secret store.`, {code: 'E_AUDIT_KEY', hint: 'Create it (32 random bytes, e.g. `openssl rand -base64 32`) or fix audit.key in the configuration; see docs/audit.md.'})
      this.versions.set(k.kid, Promise.resolve(k))
      return k
    })
    return this.currentKey
  }

  /** The key of version `kid`, or undefined when the store does not have it. */
  async version(kid: string): Promise<AuditKey | undefined> {
    if (!this.versions.has(kid)) {
      const current = await this.current().catch(() => undefined)
      if (current?.kid === kid) return current
      this.versions.set(kid, this.read(kid).catch(() => undefined))
    }
    return this.versions.get(kid)
  }

  private async read(versionId?: string): Promise<AuditKey | undefined> {
    let got: {value: string; versionId: string} | undefined
    try {
      got = await this.store.read(this.secretId, versionId)
    } catch (error) {
      throw new OperationError(`Cannot read the audit key ${this.secretId}: ${(error as Error).message}`, {code: 'E_AUDIT_KEY', hint: 'Check the credentials and network access to the secret store; see docs/audit.md.', cause: error})
    }
    if (!got) return undefined
    redactor.add(got.value)
    if (got.value.length < MIN_KEY_LENGTH) throw new OperationError(`The audit key ${this.secretId} is shorter than ${MIN_KEY_LENGTH} characters.`, {code: 'E_AUDIT_KEY', hint: 'Store at least 32 random bytes, e.g. `openssl rand -base64 32`.'})
    return {kid: got.versionId, secret: Buffer.from(got.value, 'utf8')}
  }
}
