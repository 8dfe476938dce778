/**
 * Builds the drill's ports for an environment from the capabilities it has configured.
 * A section missing from the configuration means that part is not rehearsed (and the report says so).
 */
import type {Context} from '../../context.js'
import type {DrillPorts} from '../ports.js'
import {shellRunner} from './commands.js'

export async function buildDrillPorts(ctx: Context): Promise<DrillPorts> {
  return {
    commands: shellRunner(ctx.env.baseDir),
    now: () => new Date(),
  }
}
