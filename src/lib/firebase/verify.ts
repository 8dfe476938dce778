/**
 * Verify a backup: it has a manifest (complete), every chunk's compressed bytes hash to the
 * manifest's SHA-256, every line parses, and line counts, leaf counts and digests per
 * top-level key equal the manifest's.
 */
import {didYouMean} from '../cli/suggest.js'
import {UsageError} from '../errors.js'
import {KeyStatsBuilder, type Manifest} from './format.js'
import {verifyManagedExport} from './managed.js'
import type {BackupStore, ObjectStorePort, Progress} from './ports.js'
import {readChunk, readCheckpoint, readManifest} from './read-backup.js'

export interface VerifyProblem {
  chunk?: string
  key?: string
  problem: string
}

export interface VerifyResult {
  id: string
  location: string
  complete: boolean
  ok: boolean
  chunks: number
  lines: number
  count: number
  problems: VerifyProblem[]
  manifest?: Manifest
}

/**
 * A managed export's backup is checked in its bucket instead (`objects`: built only for one):
 * every object of the manifest present with its size and MD5, and counts recorded.
 */
export async function runVerify(options: {id: string}, deps: {store: BackupStore; progress?: Progress; objects?: () => Promise<ObjectStorePort>}): Promise<VerifyResult> {
  const {store} = deps
  const {id} = options
  const location = `${store.location.replace(/\/$/, '')}/${id}`
  const manifest = await readManifest(store, id)
  if (!manifest) {
    const cp = await readCheckpoint(store, id)
    if (!cp && (await store.files(id)).length === 0) {
      // Nothing under that id: bad input (exit 2), not an incomplete or corrupt backup.
      const known = await store.list().catch(() => [] as string[])
      throw new UsageError(`Backup ${id} not found in ${store.location}.${didYouMean(id, known)}`, {
        code: 'E_BACKUP_NOT_FOUND',
        hint: 'List the backups with `impress firebase backups` (or pass --in STORE for another store).',
        details: {id, location: store.location},
      })
    }
    const problem = cp ? `incomplete: no manifest.json (${cp.chunks.length} chunk(s) checkpointed; resume it with \`firebase backup --resume\`)` : 'not a backup: no manifest.json'
    return {id, location, complete: false, ok: false, chunks: 0, lines: 0, count: 0, problems: [{problem}]}
  }
  if (manifest.kind === 'firestore-managed') {
    if (!deps.objects) return {id, location, complete: true, ok: false, chunks: 0, lines: 0, count: manifest.totals.count, problems: [{problem: 'a managed export is verified in its bucket; no Cloud Storage client given'}], manifest}
    deps.progress?.({phase: 'verify', message: `checking the export's ${manifest.managed?.objects.length ?? 0} object(s) in ${manifest.managed?.exportUri}`})
    const found = await verifyManagedExport(manifest, await deps.objects())
    const problems = found.map((p) => ({...(p.object ? {chunk: p.object} : {}), problem: p.problem}))
    return {id, location, complete: true, ok: problems.length === 0, chunks: manifest.managed?.objects.length ?? 0, lines: 0, count: manifest.totals.count, problems, manifest}
  }
  const problems: VerifyProblem[] = []
  const stats = KeyStatsBuilder.forKind(manifest.kind)
  let lines = 0
  for (const chunk of manifest.chunks) {
    deps.progress?.({phase: 'verify', message: `verifying ${chunk.file}`})
    try {
      const r = await readChunk(store, id, chunk, (line) => stats.addLine(line))
      lines += r.lines
      if (r.sha256 !== chunk.sha256) problems.push({chunk: chunk.file, problem: `SHA-256 mismatch (manifest ${chunk.sha256.slice(0, 12)}…, file ${r.sha256.slice(0, 12)}…)`})
      else if (r.bytes !== chunk.bytes) problems.push({chunk: chunk.file, problem: `size mismatch (manifest ${chunk.bytes}, file ${r.bytes})`})
      else if (r.lines !== chunk.lines) problems.push({chunk: chunk.file, problem: `line count mismatch (manifest ${chunk.lines}, file ${r.lines})`})
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      const problem = code === 'ENOENT' || code === 'NoSuchKey' || /not found|NoSuchKey/i.test((error as Error).message) ? 'missing' : `unreadable: ${(error as Error).message}`
      problems.push({chunk: chunk.file, problem})
    }
  }
  if (problems.length === 0) {
    const got = stats.snapshot()
    const keys = new Set([...Object.keys(got), ...Object.keys(manifest.keys)])
    for (const k of keys) {
      const a = manifest.keys[k]
      const b = got[k]
      if (!a || !b || a.count !== b.count || a.digest !== b.digest) {
        problems.push({key: k, problem: `content of "${k}" differs from the manifest (count ${a?.count ?? 0} vs ${b?.count ?? 0})`})
      }
    }
    // The whole backup's digest and count too: a manifest edited there passed verify (found by the bad-input sweep, issue 17).
    const total = stats.total()
    if (problems.length === 0 && (total.digest !== manifest.digest || total.count !== manifest.totals.count)) {
      problems.push({problem: `the manifest's digest or count differs from the content (digest ${manifest.digest.slice(0, 12)}… vs ${total.digest.slice(0, 12)}…, count ${manifest.totals.count} vs ${total.count})`})
    }
  }
  return {id, location, complete: true, ok: problems.length === 0, chunks: manifest.chunks.length, lines, count: stats.total().count, problems, manifest}
}
