import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {finishCanary, pendingCanary, type CanaryState} from '../../lib/lambda/canary.js'
import {lambdaAdapter} from '../../lib/platform/aws/lambda-context.js'

export default class DeployAbort extends ImpressCommand<typeof DeployAbort> {
  static override summary = 'Abort the detached canary: point the alias at the previous version only.'
  static override examples = ['<%= config.bin %> deploy abort --yes']
  static override description = 'Asks for confirmation (exit 4 without a terminal unless --yes). Exits 2 when no detached canary is waiting, 1 when an alias was changed since the canary started (nothing is then changed).'
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
    this.auditDetails = {journal: state.journal, alias: state.alias, modules: state.modules.map((m) => ({module: m.module, function: m.function, status: m.status, from: m.previousVersion, canary: m.newVersion, to: m.live?.functionVersion}))}
    for (const m of state.modules) this.io.out(`${m.module}: ${m.status} (${state.alias} → ${m.live?.functionVersion} only)`)
    return state
  }
}
