/**
 * The deploy commit message: a subject, then git trailers recording who deployed which source
 * commit. `impress frontend versions` reads them back; a commit without the `Impress-Deploy`
 * trailer was not made by a deploy (or a rollback) and is not a version.
 */
export interface DeployRecord {
  kind: 'deploy' | 'rollback'
  deployedBy: string
  /** The source repository's HEAD when the files were built, if the directory is in a git repository. */
  sourceCommit?: string
  /** Rollbacks: the version whose files this commit restores. */
  restores?: string
}

export function deployMessage(subject: string, r: DeployRecord): string {
  const trailers = [`Deployed-by: ${r.deployedBy}`, ...(r.sourceCommit ? [`Source-commit: ${r.sourceCommit}`] : []), ...(r.restores ? [`Restores: ${r.restores}`] : []), `Impress-Deploy: ${r.kind}`]
  return `${subject.trim()}\n\n${trailers.join('\n')}\n`
}

/** The record of a deploy commit, or undefined for any other commit. */
export function parseDeployMessage(message: string): (DeployRecord & {subject: string}) | undefined {
  const trailers = new Map<string, string>()
  // Trailers are the last paragraph only (as `git interpret-trailers` reads them).
  const paragraphs = message.trim().split(/\n\s*\n/)
  if (paragraphs.length < 2) return undefined
  for (const line of paragraphs.at(-1)!.split('\n')) {
    const m = /^([A-Za-z-]+):\s*(.+)$/.exec(line.trim())
    if (m) trailers.set(m[1].toLowerCase(), m[2].trim())
  }
  const kind = trailers.get('impress-deploy')
  if (kind !== 'deploy' && kind !== 'rollback') return undefined
  return {
    subject: message.split('\n')[0] ?? '',
    kind,
    deployedBy: trailers.get('deployed-by') ?? 'unknown',
    ...(trailers.get('source-commit') ? {sourceCommit: trailers.get('source-commit')} : {}),
    ...(trailers.get('restores') ? {restores: trailers.get('restores')} : {}),
  }
}
