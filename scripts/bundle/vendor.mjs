// The CommonJS packages of dist/bundle/vendor.cjs (the AWS SDK, yazl): one minified file with one
// copy of what they share (@smithy/*), loaded on first use with a V8 code cache (code-cache.mjs).
// Stands for those packages in the bundle: `import … from '@aws-sdk/client-lambda'`
// (scripts/build.mjs, vendorShim) and requireCjs() (require-cjs.mjs).
//
// One code cache per command (dist/bundle/vendor-cache/<command>.cache): V8 deserialises the
// whole cache whatever the run uses, and one cache shared by every command grew with each SDK
// client any command used (2 MB after the test suite; an unchanged `deploy --all` needs 1 MB of
// it, and deserialising the other half cost it ≈ 10% of its CPU time). <command>.json lists the
// packages the cache holds; a run that uses another one rewrites it at exit, so each package is
// compiled from source once per build and command. At most MAX_CACHES files are kept (the least
// recently written go first), so the directory does not grow with the number of commands run.
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {requireCached} from './code-cache.mjs'

const KEY = Symbol.for('impress-ops.vendor')
/** Set by the running command (src/lib/cli/base-command.ts, init): its oclif id. */
const COMMAND = Symbol.for('impress-ops.command')
const MAX_CACHES = 12

function cacheName() {
  const id = globalThis[COMMAND]
  return typeof id === 'string' && /^[\w:-]+$/.test(id) ? id.replaceAll(':', '-') : '_'
}

function prune(dir, keep) {
  try {
    const caches = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.cache'))
      .map((f) => ({f, t: fs.statSync(path.join(dir, f)).mtimeMs}))
      .sort((a, b) => b.t - a.t)
    for (const {f} of caches.slice(keep)) {
      fs.rmSync(path.join(dir, f), {force: true})
      fs.rmSync(path.join(dir, f.replace(/\.cache$/, '.json')), {force: true})
    }
  } catch {
    // another process pruned first, or read-only
  }
}

function load(from) {
  let dir = path.dirname(fileURLToPath(from))
  while (!fs.existsSync(path.join(dir, 'vendor.cjs'))) {
    const up = path.dirname(dir)
    if (up === dir) throw new Error(`impress: vendor.cjs not found above ${from}; run \`npm run build\``)
    dir = up
  }
  const file = path.join(dir, 'vendor.cjs')
  const cacheDir = path.join(dir, 'vendor-cache')
  const name = cacheName()
  const loaded = requireCached(file, path.join(cacheDir, `${name}.cache`))
  const coveredFile = path.join(cacheDir, `${name}.json`)
  let covered = []
  try {
    covered = JSON.parse(fs.readFileSync(coveredFile, 'utf8'))
  } catch {
    // no cache yet
  }
  const used = new Set()
  process.once('exit', () => {
    const missing = [...used].filter((n) => !covered.includes(n))
    if (missing.length === 0 && covered.length > 0) return loaded.save(false)
    try {
      fs.mkdirSync(cacheDir, {recursive: true})
    } catch {
      return // read-only
    }
    loaded.save(true)
    try {
      fs.writeFileSync(coveredFile, JSON.stringify([...covered, ...missing].sort()))
    } catch {
      // read-only
    }
    prune(cacheDir, MAX_CACHES)
  })
  return {exports: loaded.exports, used}
}

/** The exports of a vendored package. */
export function vendorPackage(name, from) {
  globalThis[KEY] ??= load(from)
  const v = globalThis[KEY]
  v.used.add(name)
  return v.exports[name]
}
