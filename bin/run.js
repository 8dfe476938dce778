#!/usr/bin/env node
// Entry point: the only place (with src/lib/ui/process.ts) allowed to decide how the process ends.
// An unknown command is reported by src/hooks/command-not-found.ts (exit 2, with "Did you mean").
import {flush, handle, run} from '@oclif/core'

try {
  await run(process.argv.slice(2), import.meta.url)
  await flush()
} catch (error) {
  await handle(error)
}
