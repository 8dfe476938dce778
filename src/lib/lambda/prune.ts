/**
 * `impress lambda prune`: delete old published versions no alias points to (primary version
 * or canary weight), keeping the newest N. Lambda's code storage quota (75 GB per region)
 * fills up with old versions otherwise.
 */
import type {LambdaPort} from './ports.js'

export interface PruneOptions {
  function: string
  keep: number
  dryRun: boolean
}

export interface PruneResult {
  function: string
  keep: number
  /** Versions an alias references: never deleted. */
  protected: Record<string, string[]>
  kept: string[]
  deleted: string[]
  /** Versions that would be deleted (dry run) or were. */
  candidates: string[]
  freedBytes: number
}

/** Pure plan: which versions to delete. */
export function planPrune(versions: {version: string; codeSize: number}[], aliases: {name: string; functionVersion: string; weights?: Record<string, number>}[], keep: number) {
  const protectedBy: Record<string, string[]> = {}
  for (const a of aliases) {
    for (const v of [a.functionVersion, ...Object.keys(a.weights ?? {})]) (protectedBy[v] ??= []).push(a.name)
  }
  const newestFirst = [...versions].sort((a, b) => Number(b.version) - Number(a.version))
  const kept = new Set(newestFirst.slice(0, Math.max(0, keep)).map((v) => v.version))
  const candidates = newestFirst.filter((v) => !kept.has(v.version) && !protectedBy[v.version]).reverse()
  return {protectedBy, kept: [...kept], candidates}
}

export async function pruneVersions(options: PruneOptions, deps: {lambda: LambdaPort}): Promise<PruneResult> {
  const [versions, aliases] = await Promise.all([deps.lambda.listVersions(options.function), deps.lambda.listAliases(options.function)])
  const plan = planPrune(versions, aliases, options.keep)
  const deleted: string[] = []
  let freed = 0
  if (!options.dryRun) {
    for (const v of plan.candidates) {
      await deps.lambda.deleteVersion(options.function, v.version)
      deleted.push(v.version)
      freed += v.codeSize
    }
  }
  return {
    function: options.function,
    keep: options.keep,
    protected: plan.protectedBy,
    kept: plan.kept.sort((a, b) => Number(a) - Number(b)),
    deleted,
    candidates: plan.candidates.map((v) => v.version),
    freedBytes: options.dryRun ? plan.candidates.reduce((s, v) => s + v.codeSize, 0) : freed,
  }
}
