/**
 * A file of the build that code finds by its path rather than imports: the sandbox server's
 * entry (spawned as a process), the digest worker (a worker thread), the bundle's build stamp.
 * `relative` is the path under the build's root, as under src/ with `.js`
 * ('lib/sandbox/main.js'). The caller's own file may sit at any depth under that root: beside
 * its source's place in the one-to-one output (dist/lib/…), in a bundle chunk
 * (dist/bundle/chunks/…) or inlined in an entry (dist/bundle/commands/…/x.js); so the first
 * directory up from the caller that holds `relative` is the root. Undefined when none does
 * (running from TypeScript sources, where `.js` files do not exist).
 */
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export function builtFile(callerUrl: string, relative: string): string | undefined {
  let dir = path.dirname(fileURLToPath(callerUrl))
  for (;;) {
    const candidate = path.join(dir, relative)
    if (fs.existsSync(candidate)) return candidate
    const up = path.dirname(dir)
    if (up === dir || fs.existsSync(path.join(dir, 'package.json'))) return undefined
    dir = up
  }
}
