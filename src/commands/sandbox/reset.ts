import {Flags} from '@oclif/core'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {sandboxControl} from '../../lib/sandbox/client.js'
import {requireRunning} from '../../lib/sandbox/running.js'
import {chooseStateDir} from '../../lib/sandbox/state-dir.js'

export default class SandboxReset extends ImpressCommand<typeof SandboxReset> {
  static override summary = 'Wipe the sandbox state and seed the demo IMPRESS platform again.'
  static override examples = ['<%= config.bin %> sandbox reset --yes']
  static override mutating = true
  static override flags = {
    ...mutatingFlags,
    state: Flags.string({description: 'State directory of the sandbox to reset.'}),
  }

  async run(): Promise<{reset: boolean; url: string; stateDir: string}> {
    const stateDir = chooseStateDir(this.flags.state, () => this.environment.sandboxStateDir)
    const running = await requireRunning(stateDir)
    this.io.info(`Plan: wipe every resource of the sandbox at ${running.url} (state: ${stateDir}) and seed the demo platform again.`)
    if (this.dryRun) return {reset: false, url: running.url, stateDir}
    await this.confirm('reset the sandbox platform')
    await sandboxControl.reset(running.url)
    this.io.out(`impress sandbox at ${running.url} reset to the demo platform`)
    return {reset: true, url: running.url, stateDir}
  }
}
