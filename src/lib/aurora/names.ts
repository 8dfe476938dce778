/**
 * Identifiers impress gives the resources it creates. RDS identifiers are lower case letters,
 * digits and single hyphens, at most 63 characters, so times are written 20261123-051500 (UTC).
 */
import {UsageError} from '../errors.js'

export function compactUtc(t: Date): string {
  const iso = t.toISOString()
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`
}

const ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/

/** Check an identifier impress is about to use (exit 2 when it cannot be one). */
export function checkIdentifier(id: string, what: string, max = 63): string {
  if (id.length > max || !ID.test(id)) {
    throw new UsageError(`${what} "${id}" is not a valid RDS identifier.`, {hint: `Use at most ${max} lower-case letters, digits and single hyphens, starting with a letter.`})
  }
  return id
}

export const names = {
  manualSnapshot: (cluster: string, at: Date) => checkIdentifier(`impress-${cluster}-${compactUtc(at)}`, 'The snapshot name', 255),
  safetySnapshot: (cluster: string, at: Date) => checkIdentifier(`impress-${cluster}-before-rollback-${compactUtc(at)}`, 'The safety snapshot name', 255),
  aside: (cluster: string, at: Date) => checkIdentifier(`${cluster}-before-rollback-${compactUtc(at)}`, 'The name for the original cluster'),
  restored: (cluster: string, at: Date) => checkIdentifier(`${cluster}-rollback-${compactUtc(at)}`, 'The name for the restored cluster'),
  instance: (cluster: string, index: number) => checkIdentifier(index === 0 ? `${cluster}-writer` : `${cluster}-reader-${index}`, 'The instance name'),
}
