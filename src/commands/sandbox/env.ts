import {Flags} from '@oclif/core'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import {RefusedError} from '../../lib/errors.js'
import {findRunning} from '../../lib/sandbox/client.js'
import {sandboxEnvironment} from '../../lib/sandbox/environment.js'

export default class SandboxEnv extends ImpressCommand<typeof SandboxEnv> {
  static override summary = 'Print the environment (export lines) with which other tools talk to the sandbox.'
  static override description = 'Point the AWS CLI, terraform or the Firebase SDKs at the same rehearsal platform. Starts the sandbox if it is not running.'
  static override examples = ['eval "$(<%= config.bin %> sandbox env)" && aws sts get-caller-identity']
  static override flags = {
    state: Flags.string({description: 'State directory of a running sandbox (default: the environment\'s, started on demand).'}),
  }

  async run(): Promise<Record<string, string>> {
    const url = this.flags.state ? (await findRunning(this.flags.state))?.url : (await this.ctx.sandbox()).url
    if (!url) throw new RefusedError(`No sandbox is running for ${this.flags.state}.`, {code: 'E_SANDBOX_DOWN', hint: 'Start it with `impress sandbox start --state DIR`.'})
    const vars = sandboxEnvironment(url)
    for (const [k, v] of Object.entries(vars)) this.io.out(`export ${k}=${shellQuote(v)}`)
    return vars
  }
}

function shellQuote(v: string): string {
  return /^[A-Za-z0-9_./:@-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`
}
