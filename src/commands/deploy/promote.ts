import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {finishCanary, pendingCanary, type CanaryState} from '../../lib/lambda/canary.js'
import {lambdaAdapter} from '../../lib/platform/aws/lambda-context.js'

export default class DeployPromote extends ImpressCommand<typeof DeployPromote> {
  static override summary = 'Promote the detached canary: point the alias at the new version only.'
  static override examples = ['<%= config.bin %> deploy promote --yes']
  static override mutating = true
  static override flags = {...mutatingFlags}

  async run(): Promise<CanaryState | {dryRun: true; modules: string[]}> {
    const {modules} = pendingCanary(this.environment.dataDir)
    const plan = modules.map((m) => `${m.function}: → version ${m.newVersion}`)
    this.io.info(`Plan (promote): ${plan.join('; ')}`)
    this.auditDetails = {modules: plan}
    if (this.dryRun) return {dryRun: true, modules: plan}
    await this.confirm('promote the canary of ' + modules.map((m) => m.function).join(', '))
    const state = await finishCanary(this.environment.dataDir, 'promote', {lambda: await lambdaAdapter(this.ctx)})
    for (const m of state.modules) this.io.out(`${m.module}: ${m.status} (alias → ${m.live?.functionVersion})`)
    return state
  }
}
