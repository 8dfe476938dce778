/**
 * A cache of the loaded environment, so that a command whose configuration has not changed
 * does not load the YAML parser and build the zod schema (≈150 ms of CPU per command, measured;
 * the whole `impress --version` costs ≈200 ms).
 *
 * The key covers everything loadEnvironment() reads: the config file's path and bytes, the
 * environment chosen (--env, $IMPRESS_ENV), the variables that place impress's own files
 * ($IMPRESS_HOME and the resolved home, $IMPRESS_AUDIT_LOG), impress's version, and the size and
 * modification time of the modules that parse and validate the configuration, or the bundle's
 * build id when they run bundled (so a rebuilt
 * schema never reads an old entry). `env:NAME` secret references are resolved later, at use,
 * and a file with a secret written literally (config/literal-secrets.ts) is never cached: its
 * entry is removed and every command parses the file again, so the cache holds no secret; it is
 * written 0600.
 */
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import type {LoadedEnvironment, LoadOptions} from './load.js'
import {builtFile} from '../built-file.js'
import {impressHome, locateConfigFile} from './paths.js'

/** Entries kept (one per configuration file × environment × version in use). */
const KEEP = 32

const CODE = ['load', 'schema', 'sandbox-default', 'yaml-file', 'constants', 'paths', 'cache', 'literal-secrets']

function codeStamp(): string {
  const self = fileURLToPath(import.meta.url)
  const ext = path.extname(self)
  if (path.basename(self, ext) !== 'cache') {
    // Bundled (dist/bundle): these modules are not files of their own; the bundle's build id (a hash of its files) stands for them.
    const id = builtFile(import.meta.url, 'build-id')
    try {
      return `bundle:${id ? fs.readFileSync(id, 'utf8').trim() : '-'}`
    } catch {
      return 'bundle:-'
    }
  }
  return CODE.map((name) => {
    try {
      const st = fs.statSync(path.join(path.dirname(self), `${name}${ext}`))
      return `${name}:${st.size}:${st.mtimeMs}`
    } catch {
      return `${name}:-`
    }
  }).join(',')
}

/** The cache file for these options, or undefined when the inputs cannot be read (the loader then reports why). */
export function environmentCacheFile(options: LoadOptions, version: string): string | undefined {
  const env = options.env ?? process.env
  let file: string | undefined
  let text: Buffer | undefined
  try {
    file = locateConfigFile(options)
    text = file ? fs.readFileSync(file) : undefined
  } catch {
    return undefined
  }
  const home = impressHome(env)
  const h = createHash('sha256')
  h.update(
    JSON.stringify({
      version,
      code: codeStamp(),
      file: file ?? null,
      envName: options.envName ?? null,
      IMPRESS_ENV: env.IMPRESS_ENV ?? null,
      home,
      audit: env.IMPRESS_AUDIT_LOG ? path.resolve(env.IMPRESS_AUDIT_LOG) : null,
    }),
  )
  if (text) h.update('\0').update(text)
  return path.join(home, 'cache', 'config', `${h.digest('hex').slice(0, 32)}.json`)
}

export function readCachedEnvironment(cacheFile: string | undefined): LoadedEnvironment | undefined {
  if (!cacheFile) return undefined
  try {
    const loaded = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as LoadedEnvironment
    return typeof loaded?.name === 'string' && loaded.config && typeof loaded.dataDir === 'string' ? loaded : undefined
  } catch {
    return undefined
  }
}

/** Best effort: a read-only home only means the next command parses the file again. */
export function writeCachedEnvironment(cacheFile: string | undefined, loaded: LoadedEnvironment): void {
  if (!cacheFile) return
  try {
    if (loaded.literalSecrets?.length) {
      fs.rmSync(cacheFile, {force: true})
      return
    }
    fs.mkdirSync(path.dirname(cacheFile), {recursive: true, mode: 0o700})
    const tmp = `${cacheFile}.${process.pid}.tmp`
    fs.writeFileSync(tmp, JSON.stringify(loaded), {mode: 0o600})
    fs.renameSync(tmp, cacheFile)
    const dir = path.dirname(cacheFile)
    const entries = fs.readdirSync(dir).filter((f) => f.endsWith('.json'))
    if (entries.length > KEEP) {
      const byAge = entries.map((f) => ({f, t: fs.statSync(path.join(dir, f)).mtimeMs})).sort((a, b) => b.t - a.t)
      for (const old of byAge.slice(KEEP)) fs.rmSync(path.join(dir, old.f), {force: true})
    }
  } catch {
    // not cached
  }
}
