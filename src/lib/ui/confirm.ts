/**
 * Confirmation before a destructive step. With --yes it proceeds; with no terminal to ask
 * (CI, a pipe) it refuses with exit 4 instead of hanging on a prompt.
 */
import {RefusedError} from '../errors.js'
import type {Io} from './output.js'

export interface ConfirmOptions {
  yes?: boolean
  /** What will happen, one line, used in the question and the refusal. */
  action: string
  /** Ask through this function (tests inject one); default: @inquirer/prompts confirm. */
  ask?: (message: string) => Promise<boolean>
}

export async function confirmDestructive(io: Io, options: ConfirmOptions): Promise<void> {
  if (options.yes) return
  if (!options.ask && !io.interactive) {
    throw new RefusedError(`Refusing to ${options.action} without confirmation: no terminal to ask on.`, {
      code: 'E_NEEDS_YES',
      hint: 'Review the plan above, then re-run with --yes to confirm (or --dry-run to only see the plan).',
    })
  }
  const ask =
    options.ask ??
    (async (message: string) => {
      const {confirm} = await import('@inquirer/prompts')
      return confirm({message, default: false}, {output: io.errStream as NodeJS.WritableStream})
    })
  const ok = await ask(`Proceed to ${options.action}?`)
  if (!ok) {
    throw new RefusedError(`Cancelled: you declined to ${options.action}.`, {
      code: 'E_DECLINED',
      hint: 'Nothing was changed. Re-run when you are ready.',
    })
  }
}
