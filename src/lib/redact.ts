/**
 * Secret redaction. Every value resolved from a secret reference is remembered here, and
 * every byte the tool writes (stdout, stderr, --json, reports, audit log) passes through
 * `redactText` or `redactValue` first. Keys whose names look secret are masked as well.
 */

export const REDACTED = '[REDACTED]'

/** A key that holds a secret: clientSecret, password, accessToken, apiKey, SecretString… (not GetSecretValue, tokenCount). */
const SECRET_KEY = /(secret|password|passwd|passphrase|token|api[-_]?key|private[-_]?key|credentials?|authorization|cookie|secret[-_]?string|secret[-_]?access[-_]?key)$/i
/** Short values would mask ordinary words; secrets shorter than this are only masked by key. */
const MIN_SECRET_LENGTH = 6

export class Redactor {
  private readonly values = new Set<string>()

  /** Remember a secret value so it never appears in any output. */
  add(value: string | undefined): void {
    if (value && value.length >= MIN_SECRET_LENGTH) this.values.add(value)
  }

  get size(): number {
    return this.values.size
  }

  redactText(text: string): string {
    if (this.values.size === 0) return text
    let out = text
    // Longest first, so a secret that contains another is masked whole.
    for (const v of [...this.values].sort((a, b) => b.length - a.length)) {
      if (out.includes(v)) out = out.split(v).join(REDACTED)
    }
    return out
  }

  /** Deep copy of a JSON-like value with secret keys and known secret values masked. */
  redactValue<T>(value: T): T {
    return this.walk(value, undefined) as T
  }

  private walk(value: unknown, key: string | undefined): unknown {
    if (key !== undefined && isSecretKey(key) && value !== null && value !== undefined && typeof value !== 'object') {
      return typeof value === 'string' && value.startsWith('env:') ? value : REDACTED
    }
    if (typeof value === 'string') return this.redactText(value)
    if (Array.isArray(value)) return value.map((v) => this.walk(v, undefined))
    if (value && typeof value === 'object' && !(value instanceof Date)) {
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = this.walk(v, k)
      return out
    }
    return value
  }
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key)
}

/**
 * Redact command-line arguments: `--client-secret X`, `--token=X` and any known secret value.
 */
export function redactArgv(argv: readonly string[], redactor: Redactor): string[] {
  const out: string[] = []
  let maskNext = false
  for (const arg of argv) {
    if (maskNext) {
      out.push(REDACTED)
      maskNext = false
      continue
    }
    const m = /^--?([^=]+)(=(.*))?$/.exec(arg)
    if (m && isSecretKey(m[1])) {
      if (m[2] === undefined) {
        out.push(arg)
        maskNext = true
      } else {
        out.push(`--${m[1]}=${REDACTED}`)
      }
      continue
    }
    out.push(redactor.redactText(arg))
  }
  return out
}

/** The process-wide redactor: secrets are resolved once per process and must be masked everywhere. */
export const redactor = new Redactor()
