/** The running sandbox a sandbox-management command acts on (never started implicitly). */
import {RefusedError} from '../errors.js'
import {findRunning, type SandboxHealth} from './client.js'

export async function requireRunning(stateDir: string): Promise<SandboxHealth> {
  const running = await findRunning(stateDir)
  if (!running) throw new RefusedError(`No sandbox is running for ${stateDir}.`, {code: 'E_SANDBOX_DOWN', hint: 'Start it with `impress sandbox start`.'})
  return running
}
