// Load a CommonJS file of the bundle (dist/bundle/*.cjs) compiled with a V8 code cache kept
// beside it (<file>.cache): Node 20 has no compile cache of its own (module.enableCompileCache
// arrives in Node 22), and compiling is most of what loading @oclif/core or the AWS SDK costs.
// The cache holds the bytecode of every function compiled when it was written, so it is
// written at the end of a run (`save`), when there was none, V8 rejected it (another Node
// version), or the caller says this run used code the cache lacks. A cache belongs to one
// build: the build deletes dist/ before writing the files. Code compiled from a cache cannot
// import() on Node 20 (the cache loses the script's import callback): the bundle routes its
// import() calls through the importer published here (scripts/build.mjs, routeImports).
import fs from 'node:fs'
import Module from 'node:module'
import path from 'node:path'
import vm from 'node:vm'

export const IMPORTER = Symbol.for('impress-ops.import')
globalThis[IMPORTER] ??= (url) => import(url)

/**
 * Run `file` as a CommonJS module (registered in require's cache); returns its exports and a
 * save(force) that rewrites the cache when needed. The cache is `<file>.cache` unless `cacheFile` is given.
 */
export function requireCached(file, cacheFile = `${file}.cache`) {
  const source = fs.readFileSync(file, 'utf8')
  let cachedData
  try {
    cachedData = fs.readFileSync(cacheFile)
  } catch {
    // none yet
  }
  const script = new vm.Script(Module.wrap(source), {filename: file, cachedData})
  const mod = new Module(file)
  mod.filename = file
  mod.paths = Module._nodeModulePaths(path.dirname(file))
  Module._cache[file] = mod
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file))
  mod.loaded = true
  return {
    exports: mod.exports,
    save(force = false) {
      if (!force && cachedData && !script.cachedDataRejected) return
      try {
        const tmp = `${cacheFile}.${process.pid}`
        fs.writeFileSync(tmp, script.createCachedData())
        fs.renameSync(tmp, cacheFile)
      } catch {
        // a read-only install: compiled from source each time
      }
    },
  }
}
