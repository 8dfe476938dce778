import {Flags} from '@oclif/core'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import {sandboxControl} from '../../lib/sandbox/client.js'
import {requireRunning} from '../../lib/sandbox/running.js'
import {chooseStateDir} from '../../lib/sandbox/state-dir.js'
import {renderTable} from '../../lib/ui/table.js'

export default class SandboxRequests extends ImpressCommand<typeof SandboxRequests> {
  static override summary = 'Show how many requests the sandbox served, per service and operation.'
  static override examples = ['<%= config.bin %> sandbox requests', '<%= config.bin %> sandbox requests --reset', '<%= config.bin %> sandbox requests --json']
  static override flags = {
    reset: Flags.boolean({description: 'Reset the counters after showing them.'}),
    state: Flags.string({description: 'State directory of the sandbox.'}),
  }

  async run(): Promise<{total: number; counts: Record<string, Record<string, number>>}> {
    const {url} = await requireRunning(chooseStateDir(this.flags.state, () => this.environment.sandboxStateDir))
    const out = await sandboxControl.requests(url)
    const rows = Object.entries(out.counts).flatMap(([svc, ops]) => Object.entries(ops).map(([op, n]) => [svc, op, n]))
    this.io.out(rows.length === 0 ? 'No requests yet.' : renderTable(['service', 'operation', 'requests'], rows, {alignRight: [2]}))
    this.io.out(`total: ${out.total}`)
    if (this.flags.reset) await sandboxControl.resetRequests(url)
    return out
  }
}
