/** Where impress keeps its own files: per-user state, the sandbox's state, the audit log. */
import os from 'node:os'
import path from 'node:path'

/** Base directory for per-user state: $IMPRESS_HOME, else $XDG_STATE_HOME/impress, else ~/.local/state/impress. */
export function impressHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.IMPRESS_HOME) return path.resolve(env.IMPRESS_HOME)
  const xdg = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(os.homedir(), '.local', 'state')
  return path.join(xdg, 'impress')
}

export function defaultSandboxStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(impressHome(env), 'sandbox')
}

export const CONFIG_FILE_NAMES = ['impress.config.yaml', 'impress.config.yml'] as const
