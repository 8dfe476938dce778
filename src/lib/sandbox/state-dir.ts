/** Which sandbox state directory a command means: --state, else the environment's. */
import path from 'node:path'
import {defaultSandboxStateDir} from '../config/paths.js'

export function chooseStateDir(flag: string | undefined, fromEnvironment: () => string): string {
  if (flag) return path.resolve(flag)
  try {
    return fromEnvironment()
  } catch {
    return defaultSandboxStateDir()
  }
}
