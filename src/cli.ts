/**
 * The CLI's entry in the bundle (dist/cli.js), loaded by bin/run.js: oclif's run with the one
 * place that turns an unknown command into exit 2.
 */
import {flush, handle, run} from '@oclif/core'

export async function main(argv: string[], root: string): Promise<void> {
  try {
    await run(argv, root)
    await flush()
  } catch (error) {
    if ((error as {oclif?: {exit?: number}})?.oclif?.exit === 127) {
      // Unknown command (reported by the command_not_found hook): bad usage, exit 2 like every usage error.
      // eslint-disable-next-line no-control-regex
      const hint = String((error as Error).message).replace(/\u001B\[[0-9;]*m/g, '')
      process.stderr.write(`Hint: ${hint}\n`)
      process.exitCode = 2
    } else {
      await handle(error as Error)
    }
  }
}
