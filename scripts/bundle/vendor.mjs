// The CommonJS packages of dist/bundle/vendor.cjs (the AWS SDK, yazl, proper-lockfile): one
// minified file with one copy of what they share (@smithy/*), loaded on first use with its V8
// code cache (code-cache.mjs). Stands for those packages in the bundle: `import … from
// '@aws-sdk/client-lambda'` (scripts/build.mjs, vendorShim) and requireCjs() (require-cjs.mjs).
// vendor.cjs.cache.json lists the packages whose code the cache holds; a run that uses another
// one rewrites the cache at exit, so each package is compiled from source once per build.
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {requireCached} from './code-cache.mjs'

const KEY = Symbol.for('impress-ops.vendor')

function load(from) {
  let dir = path.dirname(fileURLToPath(from))
  while (!fs.existsSync(path.join(dir, 'vendor.cjs'))) {
    const up = path.dirname(dir)
    if (up === dir) throw new Error(`impress: vendor.cjs not found above ${from}; run \`npm run build\``)
    dir = up
  }
  const file = path.join(dir, 'vendor.cjs')
  const loaded = requireCached(file)
  let covered = []
  try {
    covered = JSON.parse(fs.readFileSync(`${file}.cache.json`, 'utf8'))
  } catch {
    // no cache yet
  }
  const used = new Set()
  process.once('exit', () => {
    const missing = [...used].filter((name) => !covered.includes(name))
    loaded.save(missing.length > 0)
    if (missing.length > 0) {
      try {
        fs.writeFileSync(`${file}.cache.json`, JSON.stringify([...covered, ...missing].sort()))
      } catch {
        // read-only
      }
    }
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
