import {RefusedError} from '../errors.js'

/** The deploy branch moved between reading its head and updating it: another deploy landed. */
export class DeployRaceError extends RefusedError {
  constructor(branch: string, expected: string | null, options: {cause?: unknown} = {}) {
    super(`The deploy branch ${branch} moved while this deploy was being prepared (it was at ${expected?.slice(0, 7) ?? 'nothing'}): another deploy landed first. Nothing was overwritten.`, {
      code: 'E_DEPLOY_RACE',
      hint: 'Run the command again: it deploys on top of the new head (files the other deploy changed are compared again).',
      cause: options.cause,
    })
  }
}
