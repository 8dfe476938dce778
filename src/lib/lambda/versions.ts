/** `impress versions`: published versions with who/what/when and where the aliases point. */
import type {LambdaPort} from './ports.js'

export interface VersionRow {
  version: string
  codeSha256: string
  codeSize: number
  lastModified: string
  description: string
  /** Aliases routing to this version, with their weight (1 for the primary version minus canary weights). */
  aliases: {name: string; weight: number}[]
}

export interface VersionsResult {
  module: string
  function: string
  versions: VersionRow[]
  aliases: {name: string; functionVersion: string; weights?: Record<string, number>}[]
}

export async function listVersions(options: {module: string; function: string}, deps: {lambda: LambdaPort}): Promise<VersionsResult> {
  const [versions, aliases] = await Promise.all([deps.lambda.listVersions(options.function), deps.lambda.listAliases(options.function)])
  const rows: VersionRow[] = versions.map((v) => ({version: v.version, codeSha256: v.codeSha256, codeSize: v.codeSize, lastModified: v.lastModified, description: v.description, aliases: []}))
  for (const a of aliases) {
    const extra = Object.values(a.weights ?? {}).reduce((s, w) => s + w, 0)
    rows.find((r) => r.version === a.functionVersion)?.aliases.push({name: a.name, weight: Math.round((1 - extra) * 10_000) / 10_000})
    for (const [v, w] of Object.entries(a.weights ?? {})) rows.find((r) => r.version === v)?.aliases.push({name: a.name, weight: w})
  }
  return {
    module: options.module,
    function: options.function,
    versions: rows,
    aliases: aliases.map((a) => ({name: a.name, functionVersion: a.functionVersion, ...(a.weights ? {weights: a.weights} : {})})),
  }
}
