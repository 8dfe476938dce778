import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {finishCanary, pendingCanary, type CanaryState} from '../../lib/lambda/canary.js'
import {lambdaAdapter} from '../../lib/platform/aws/lambda-context.js'

export default class DeployAbort extends ImpressCommand<typeof DeployAbort> {
  static override summary = 'Abort the detached canary: point the alias at the previous version only.'
  static override examples = ['<%= config.bin %> deploy abort --yes']
  static override mutating = true
  static override flags = {...mutatingFlags}

  async run(): Promise<CanaryState | {dryRun: true; modules: string[]}> {
    const {modules} = pendingCanary(this.environment.dataDir)
    const plan = modules.map((m) => `${m.function}: → version ${m.previousVersion}`)
    this.io.info(`Plan (abort): ${plan.join('; ')}`)
    this.auditDetails = {modules: plan}
    if (this.dryRun) return {dryRun: true, modules: plan}
    await this.confirm('abort the canary of ' + modules.map((m) => m.function).join(', '))
    const state = await finishCanary(this.environment.dataDir, 'abort', {lambda: await lambdaAdapter(this.ctx)})
    for (const m of state.modules) this.io.out(`${m.module}: ${m.status} (alias → ${m.live?.functionVersion})`)
    return state
  }
}
