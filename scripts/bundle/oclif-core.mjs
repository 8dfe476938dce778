// In the bundle's ESM files (dist/bundle/commands, hooks, chunks), `@oclif/core` is the copy that
// dist/bundle/cli.cjs holds and publishes on globalThis: one copy per process, compiled from
// the V8 code cache. Outside the CLI (the sandbox process, `oclif manifest`), nothing published
// it yet: load cli.cjs, found in the nearest directory up from the calling file.
import fs from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export function oclifCore(key, from) {
  const published = globalThis[Symbol.for(key)]
  if (published) return published
  let dir = path.dirname(fileURLToPath(from))
  while (!fs.existsSync(path.join(dir, 'cli.cjs'))) {
    const up = path.dirname(dir)
    if (up === dir) throw new Error(`impress: cli.cjs not found above ${from}; run \`npm run build\``)
    dir = up
  }
  return createRequire(from)(path.join(dir, 'cli.cjs')).oclif
}
