/**
 * `env:NAME` references. The file never holds a secret: a value `env:NAME` reads the
 * environment variable NAME when the value is used, and the value read is registered with
 * the redactor so it can never reach an output.
 */
import {ConfigError} from '../errors.js'
import {redactor as defaultRedactor, type Redactor} from '../redact.js'

const ENV_REF = /^env:([A-Za-z_][A-Za-z0-9_]*)$/

export function isEnvRef(value: string): boolean {
  return ENV_REF.test(value)
}

/**
 * Resolve a config value. `where` is the path in the config (for the message), e.g.
 * `environments.prod.auth0.clientSecret`.
 */
export function resolveSecret(
  value: string,
  where: string,
  options: {secret?: boolean; env?: NodeJS.ProcessEnv; redactor?: Redactor} = {},
): string {
  const {secret = true, env = process.env, redactor = defaultRedactor} = options
  const m = ENV_REF.exec(value)
  if (!m) {
    if (secret) redactor.add(value)
    return value
  }
  const name = m[1]
  const resolved = env[name]
  if (resolved === undefined || resolved === '') {
    throw new ConfigError(`${where} reads the environment variable ${name}, which is not set.`, {
      hint: `Set ${name} (for example: export ${name}=…) or change ${where} in the configuration.`,
      details: {variable: name, path: where},
    })
  }
  if (secret) redactor.add(resolved)
  return resolved
}
