import {ImpressCommand} from '../../lib/cli/base-command.js'
import {canaryStatus, type CanaryState} from '../../lib/lambda/canary.js'
import {lambdaAdapter} from '../../lib/platform/aws/lambda-context.js'
import {renderTable} from '../../lib/ui/table.js'

export default class DeployStatus extends ImpressCommand<typeof DeployStatus> {
  static override summary = 'Show the detached canary of the last deploy: versions, weights, what the alias serves now.'
  static override examples = ['<%= config.bin %> deploy status', '<%= config.bin %> deploy status --json']

  async run(): Promise<CanaryState> {
    const state = await canaryStatus(this.environment.dataDir, {lambda: await lambdaAdapter(this.ctx)})
    this.io.out(
      renderTable(
        ['MODULE', 'FUNCTION', 'PREVIOUS', 'CANARY', 'WEIGHT NOW'],
        state.modules.map((m) => [m.module, m.function, m.previousVersion, m.newVersion, m.live?.weights ? JSON.stringify(m.live.weights) : `none (alias → ${m.live?.functionVersion})`]),
      ),
    )
    this.io.out(`Deploy ${state.journal}: finish with \`impress deploy promote\` or \`impress deploy abort\`.`)
    return state
  }
}
