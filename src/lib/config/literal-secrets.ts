/**
 * Secrets written literally in the configuration file. A key that holds a secret by its name
 * (clientSecret, password, token, privateKey, webhook, smtp…), a URL with a password in it, or a
 * PEM private key, given as a value instead of `env:NAME`, is found here by its path, so the
 * loader can register the value with the redactor, warn (naming the path, never the value) and
 * keep the file out of the configuration cache (config/cache.ts). An environment with a `sandbox`
 * section is skipped: it talks only to the local sandbox, whose demo credentials are published.
 */
import {isSecretKey} from '../redact.js'
import {isEnvRef} from './secret-ref.js'

export interface LiteralSecret {
  /** Path in the file, e.g. environments.prod.auth0.clientSecret. */
  path: string
  value: string
}

/** Keys that are secrets in a configuration besides the redactor's: webhook URLs carry their token, SMTP URLs their password. */
const CONFIG_SECRET_KEY = /(webhook|smtp)(url)?$/i
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@:\s]*:[^/@\s]+@/i
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/

function isSecretValue(key: string | undefined, value: string): boolean {
  if (value === '' || isEnvRef(value)) return false
  if (URL_WITH_PASSWORD.test(value) || PRIVATE_KEY.test(value)) return true
  if (key === undefined) return false
  // `credentials` names a key file by its path; inline JSON in its place is the key itself.
  if (/^credentials?$/i.test(key)) return value.trimStart().startsWith('{')
  return isSecretKey(key) || CONFIG_SECRET_KEY.test(key)
}

export function findLiteralSecrets(doc: unknown, at = '', key?: string): LiteralSecret[] {
  if (typeof doc === 'string') return isSecretValue(key, doc) ? [{path: at, value: doc}] : []
  if (Array.isArray(doc)) return doc.flatMap((v, i) => findLiteralSecrets(v, `${at}[${i}]`, key))
  if (doc && typeof doc === 'object' && /^environments\.[^.]+$/.test(at) && (doc as Record<string, unknown>).sandbox !== undefined) return []
  if (doc && typeof doc === 'object') return Object.entries(doc as Record<string, unknown>).flatMap(([k, v]) => findLiteralSecrets(v, at ? `${at}.${k}` : k, k))
  return []
}

/** The variable name a warning suggests: environments.prod.auth0.clientSecret → AUTH0_CLIENT_SECRET. */
export function suggestedVariable(secretPath: string): string {
  const parts = secretPath.replace(/\[\d+\]/g, '').split('.').slice(-2)
  if (parts[0]?.startsWith('environments') || parts.length < 2) parts.shift()
  return parts
    .map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_'))
    .join('_')
    .toUpperCase()
}

/** The one-line warning for a literal secret: its path and what to write instead, never its value. */
export function literalSecretWarning(file: string, secretPath: string): string {
  const name = suggestedVariable(secretPath)
  return `${file}: ${secretPath} holds a secret written literally; write \`${secretPath.split('.').at(-1)}: env:${name}\` and set ${name} in the environment (the value is masked in every output and the file is not cached).`
}
