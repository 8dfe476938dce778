/**
 * The deploy's record of what an alias serves, kept in the alias's own description:
 * `[impress: version 12, code <CodeSha256>]`. Published versions are immutable, so while the
 * alias still points to that version, the recorded CodeSha256 is the code it serves, and the
 * unchanged check needs GetAlias only. When the alias was moved by something else (the version
 * differs, or there is no mark), the caller asks Lambda (GetFunctionConfiguration) instead.
 * Text outside the mark is kept.
 */
import type {AliasInfo} from './ports.js'

const MARK = /\s*\[impress: version (\d+), code ([A-Za-z0-9+/=]{40,64})\]/

/** The CodeSha256 the alias serves, when its mark is about the version it points to now. */
export function markedCodeSha256(alias: Pick<AliasInfo, 'functionVersion' | 'description'>): string | undefined {
  const m = MARK.exec(alias.description ?? '')
  return m && m[1] === alias.functionVersion ? m[2] : undefined
}

/** The alias description after moving it to `version` (code `codeSha256`); at most 256 characters, as Lambda allows. */
export function markDescription(previous: string | undefined, version: string, codeSha256: string): string {
  const mark = `[impress: version ${version}, code ${codeSha256}]`
  const rest = (previous ?? '').replace(MARK, '').trim().slice(0, 256 - mark.length - 1)
  return rest ? `${rest} ${mark}` : mark
}
