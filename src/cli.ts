/**
 * The CLI's entry in the bundle (dist/bundle/cli.cjs), loaded by bin/run.js: oclif's run. An
 * unknown command is reported (exit 2) by src/hooks/command-not-found.ts.
 */
import {flush, handle, run} from '@oclif/core'

export async function main(argv: string[], root: string): Promise<void> {
  try {
    await run(argv, root)
    await flush()
  } catch (error) {
    await handle(error as Error)
  }
}
