#!/usr/bin/env node
// Entry point: the only place (with src/lib/ui/process.ts) allowed to decide how the process ends.
import {flush, handle, run} from '@oclif/core'

try {
  await run(process.argv.slice(2), import.meta.url)
  await flush()
} catch (error) {
  if (error?.oclif?.exit === 127) {
    // Unknown command (reported by plugin-not-found): bad usage, exit 2 like every usage error.
    // eslint-disable-next-line no-control-regex
    const hint = String(error.message).replace(/\u001B\[[0-9;]*m/g, '')
    process.stderr.write(`Hint: ${hint}\n`)
    process.exitCode = 2
  } else {
    await handle(error)
  }
}
