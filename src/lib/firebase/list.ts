/** List the backups in a store: time, age, size, counts, completeness. */
import {backupTime} from './format.js'
import type {BackupStore} from './ports.js'
import {readCheckpoint, readManifest} from './read-backup.js'

export interface BackupSummary {
  id: string
  kind: string
  source: string
  startedAt: string
  finishedAt?: string
  ageSeconds: number
  complete: boolean
  bytes: number
  chunks: number
  count: number
  lines: number
  keys: Record<string, number>
}

export async function listBackups(deps: {store: BackupStore; now?: () => Date}): Promise<BackupSummary[]> {
  const now = (deps.now ?? (() => new Date()))()
  const out: BackupSummary[] = []
  for (const id of await deps.store.list()) {
    const files = await deps.store.files(id)
    const bytes = files.reduce((s, f) => s + f.bytes, 0)
    const manifest = await readManifest(deps.store, id).catch(() => undefined)
    const started = backupTime(id) ?? now
    if (manifest) {
      out.push({
        id,
        kind: manifest.kind,
        source: manifest.source.namespace ?? manifest.source.databaseURL ?? `${manifest.source.projectId}/${manifest.source.databaseId}`,
        startedAt: manifest.startedAt,
        finishedAt: manifest.finishedAt,
        ageSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(manifest.startedAt)) / 1000)),
        complete: true,
        // A managed export's bytes are in its bucket (the manifest lists them).
        bytes: manifest.kind === 'firestore-managed' ? manifest.totals.bytes : bytes,
        chunks: manifest.chunks.length,
        count: manifest.totals.count,
        lines: manifest.totals.lines,
        keys: Object.fromEntries(Object.entries(manifest.keys).map(([k, s]) => [k, s.count])),
      })
      continue
    }
    const cp = await readCheckpoint(deps.store, id)
    out.push({
      id,
      kind: cp?.kind ?? 'unknown',
      source: cp?.source.namespace ?? cp?.source.databaseURL ?? cp?.source.projectId ?? 'unknown',
      startedAt: cp?.startedAt ?? started.toISOString(),
      ageSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(cp?.startedAt ?? started.toISOString())) / 1000)),
      complete: false,
      bytes,
      chunks: cp?.chunks.length ?? 0,
      count: 0,
      lines: cp?.chunks.reduce((s, c) => s + c.lines, 0) ?? 0,
      keys: {},
    })
  }
  return out.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0))
}
