/**
 * What impress records in a Vercel deployment's `meta` (string values, as Vercel requires):
 * who deployed which source commit, how many files and bytes, and a content hash of the
 * file set (path + SHA-1 of each file). `frontend deploy` compares that hash with the current
 * production deployment's to skip an unchanged deploy; `frontend versions` reads the rest back.
 */
import {createHash} from 'node:crypto'

export const VERCEL_META = {
  kind: 'impressDeploy',
  deployedBy: 'impressDeployedBy',
  sourceCommit: 'impressSourceCommit',
  contentHash: 'impressContentHash',
  files: 'impressFiles',
  bytes: 'impressBytes',
  subject: 'impressSubject',
} as const

/** SHA-1 over the sorted `path\0sha\n` lines: equal for two deployments serving the same bytes at the same paths. */
export function vercelContentHash(files: readonly {file: string; sha: string}[]): string {
  const h = createHash('sha1')
  for (const f of [...files].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) h.update(`${f.file}\0${f.sha}\n`)
  return h.digest('hex')
}

export interface VercelDeployRecord {
  deployedBy: string
  sourceCommit?: string
  contentHash: string
  files: number
  bytes: number
  subject: string
}

export function vercelMeta(r: VercelDeployRecord): Record<string, string> {
  return {
    [VERCEL_META.kind]: 'deploy',
    [VERCEL_META.deployedBy]: r.deployedBy,
    ...(r.sourceCommit ? {[VERCEL_META.sourceCommit]: r.sourceCommit} : {}),
    [VERCEL_META.contentHash]: r.contentHash,
    [VERCEL_META.files]: String(r.files),
    [VERCEL_META.bytes]: String(r.bytes),
    // Vercel limits a meta value to 256 characters.
    [VERCEL_META.subject]: r.subject.slice(0, 256),
  }
}

/** The record of a deployment made by impress, or undefined for any other deployment. */
export function parseVercelMeta(meta: Record<string, string> | undefined): VercelDeployRecord | undefined {
  if (!meta || meta[VERCEL_META.kind] !== 'deploy') return undefined
  return {
    deployedBy: meta[VERCEL_META.deployedBy] ?? 'unknown',
    ...(meta[VERCEL_META.sourceCommit] ? {sourceCommit: meta[VERCEL_META.sourceCommit]} : {}),
    contentHash: meta[VERCEL_META.contentHash] ?? '',
    files: Number(meta[VERCEL_META.files] ?? 0),
    bytes: Number(meta[VERCEL_META.bytes] ?? 0),
    subject: meta[VERCEL_META.subject] ?? '',
  }
}
