import ms from 'ms'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import {canaryStatus, type CanaryState} from '../../lib/lambda/canary.js'
import {lambdaAdapter} from '../../lib/platform/aws/lambda-context.js'
import {renderTable} from '../../lib/ui/table.js'

export default class DeployStatus extends ImpressCommand<typeof DeployStatus> {
  static override summary = 'Show the detached canary of the last deploy: versions, weight, age, what the alias serves now.'
  static override description = 'Exits 2 when no detached canary is waiting.'
  static override examples = ['<%= config.bin %> deploy status', '<%= config.bin %> deploy status --json']

  async run(): Promise<CanaryState> {
    const state = await canaryStatus(this.environment.dataDir, {lambda: await lambdaAdapter(this.ctx)})
    this.io.out(
      renderTable(
        ['MODULE', 'FUNCTION', 'PREVIOUS', 'CANARY', 'WEIGHT', 'AGE', 'ALIAS NOW'],
        state.modules.map((m) => [
          m.module,
          m.function,
          m.previousVersion,
          m.newVersion,
          m.canaryWeight === undefined ? '' : `${Math.round(m.canaryWeight * 1000) / 10}%`,
          m.ageMs === undefined ? '' : ms(m.ageMs),
          m.live?.weights ? `${m.live.functionVersion} + ${Object.entries(m.live.weights).map(([v, w]) => `${v} @ ${Math.round(w * 1000) / 10}%`).join(', ')}` : `${m.live?.functionVersion} only (changed since)`,
        ]),
      ),
    )
    this.io.out(`Deploy ${state.journal}: finish with \`impress deploy promote\` or \`impress deploy abort\`.`)
    return state
  }
}
