import {Flags} from '@oclif/core'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import {stopSandbox} from '../../lib/sandbox/client.js'
import {chooseStateDir} from '../../lib/sandbox/state-dir.js'

export default class SandboxStop extends ImpressCommand<typeof SandboxStop> {
  static override summary = 'Stop the sandbox platform (its state is kept).'
  static override examples = ['<%= config.bin %> sandbox stop']
  static override flags = {
    state: Flags.string({description: 'State directory of the sandbox to stop.'}),
  }

  async run(): Promise<{stopped: boolean; url?: string; stateDir: string}> {
    const stateDir = chooseStateDir(this.flags.state, () => this.environment.sandboxStateDir)
    const stopped = await stopSandbox(stateDir)
    this.io.out(stopped ? `impress sandbox at ${stopped.url} stopped (state kept in ${stateDir})` : `No sandbox is running for ${stateDir}.`)
    return {stopped: Boolean(stopped), url: stopped?.url, stateDir}
  }
}
