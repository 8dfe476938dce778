/** Where impress keeps its own files: per-user state, the sandbox's state, the audit log. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {ConfigError} from '../errors.js'

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

/** Walk up from `cwd` to the file system root looking for a config file. */
export function findConfigFile(cwd: string): string | undefined {
  let dir = path.resolve(cwd)
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = path.join(dir, name)
      if (fs.existsSync(candidate)) return candidate
    }
    const parent = path.dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/** The config file a command uses: --config, else $IMPRESS_CONFIG, else the nearest up the tree; undefined means the built-in sandbox environment. */
export function locateConfigFile(options: {cwd?: string; configPath?: string; env?: NodeJS.ProcessEnv}): string | undefined {
  const env = options.env ?? process.env
  const cwd = options.cwd ?? process.cwd()
  if (options.configPath) {
    const file = path.resolve(cwd, options.configPath)
    if (!fs.existsSync(file)) {
      throw new ConfigError(`Config file not found: ${file}`, {
        hint: 'Check the --config path, or run `impress init` to write one.',
        details: {file},
      })
    }
    return file
  }
  if (env.IMPRESS_CONFIG) return path.resolve(cwd, env.IMPRESS_CONFIG)
  return findConfigFile(cwd)
}
