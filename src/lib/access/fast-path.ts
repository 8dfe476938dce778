/**
 * The warm path of `impress access authorized-keys USER`, run by bin/run.js before oclif is
 * loaded: sshd runs the command at every login and waits for it. When the configuration is in
 * the config cache (config/cache.ts) and the answer for USER is younger than
 * `access.keys.refresh`, it prints the cached lines and nothing else; in every other case it
 * returns false and the full command runs (which asks GitHub, logs what it leaves out, and
 * falls back to a bounded stale cache). Node built-ins only (even `ms` is not loaded: durations
 * in a form other than `<number><unit>` send the command down the full path).
 */
import fs from 'node:fs'
import path from 'node:path'
import {builtFile} from '../built-file.js'
import {environmentCacheFile, readCachedEnvironment} from '../config/cache.js'
import {accessSettings} from './defaults.js'
import {entryAge, keysCacheFile, keysCacheKey, readKeysCache} from './key-cache.js'

/** `[--config X] [--env E] USER` (either order, `--flag=value` too); anything else is the full command's. */
export function parseFastArgs(argv: string[]): {user: string; config?: string; env?: string} | undefined {
  let config: string | undefined
  let env: string | undefined
  let user: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const eq = /^--(config|env)=(.+)$/.exec(a)
    if (eq) {
      if (eq[1] === 'config') config = eq[2]
      else env = eq[2]
    } else if (a === '--config' || a === '--env') {
      const v = argv[++i]
      if (v === undefined || v.startsWith('-')) return undefined
      if (a === '--config') config = v
      else env = v
    } else if (a.startsWith('-') || user !== undefined) return undefined
    else user = a
  }
  return user ? {user, config, env} : undefined
}

const UNIT_MS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000}

/** `90s`, `5m`, `24h`, `1.5d`…; undefined for any other spelling (the full command handles those). */
export function shortDurationMs(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(value.trim())
  return m ? Number(m[1]) * UNIT_MS[m[2]] : undefined
}

function version(): string | undefined {
  try {
    // The first package.json up from this file: src/lib/access/, dist/lib/access/ or dist/bundle/lib/access/ (bundled).
    return (JSON.parse(fs.readFileSync(builtFile(import.meta.url, 'package.json') ?? '', 'utf8')) as {version?: string}).version
  } catch {
    return undefined
  }
}

/** The lines to print, or undefined when the full command must answer. */
export function fastAuthorizedKeys(argv: string[], now = Date.now()): string[] | undefined {
  const args = parseFastArgs(argv)
  const v = version()
  if (!args || !v) return undefined
  const env = readCachedEnvironment(environmentCacheFile({configPath: args.config, envName: args.env ?? process.env.IMPRESS_ENV}, v))
  const roster = env?.config.compliance?.roster
  if (!env || !roster) return undefined
  const settings = accessSettings(env.config.access)
  if (args.user !== settings.ssh.user && args.user !== settings.sftp.user) return undefined
  let rosterBytes: Buffer
  try {
    rosterBytes = fs.readFileSync(path.resolve(env.baseDir, roster))
  } catch {
    return undefined
  }
  const entry = readKeysCache(keysCacheFile(env.dataDir, args.user))
  const age = entryAge(entry, keysCacheKey(rosterBytes, settings), now)
  const refresh = shortDurationMs(settings.keys.refresh)
  return entry && age !== undefined && typeof refresh === 'number' && age < refresh ? entry.lines : undefined
}
