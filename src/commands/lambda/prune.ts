import {Args, Flags} from '@oclif/core'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {pruneVersions, type PruneResult} from '../../lib/lambda/prune.js'
import {lambdaAdapter, moduleSpecs} from '../../lib/platform/aws/lambda-context.js'

export default class LambdaPrune extends ImpressCommand<typeof LambdaPrune> {
  static override summary = 'Delete old published versions of a module that no alias points to, keeping the newest N.'
  static override examples = ['<%= config.bin %> lambda prune pdf --keep 5 --dry-run', '<%= config.bin %> lambda prune pdf --keep 5 --yes']
  static override mutating = true
  static override args = {module: Args.string({description: 'Module (name from lambda.modules).', required: true})}
  static override flags = {
    ...mutatingFlags,
    keep: Flags.integer({description: 'Newest versions to keep (besides any version an alias points to).', required: true, min: 1}),
  }

  async run(): Promise<PruneResult> {
    const [spec] = moduleSpecs(this.ctx, [this.args.module])
    const lambda = await lambdaAdapter(this.ctx)
    const plan = await pruneVersions({function: spec.function, keep: this.flags.keep, dryRun: true}, {lambda})
    const guarded = Object.entries(plan.protected).map(([v, a]) => `${v} (${a.join(', ')})`)
    this.io.info(`Plan for ${spec.function}: keep ${plan.kept.join(', ') || 'none'}; alias targets ${guarded.join(', ') || 'none'}; delete ${plan.candidates.join(', ') || 'nothing'}.`)
    this.auditDetails = {function: spec.function, keep: this.flags.keep, candidates: plan.candidates}
    if (this.dryRun || plan.candidates.length === 0) {
      this.io.out(plan.candidates.length === 0 ? `${spec.function}: nothing to prune` : `${spec.function}: would delete ${plan.candidates.join(', ')} (${plan.freedBytes} bytes)`)
      return plan
    }
    await this.confirm(`delete versions ${plan.candidates.join(', ')} of ${spec.function}`)
    const result = await pruneVersions({function: spec.function, keep: this.flags.keep, dryRun: false}, {lambda})
    this.auditDetails = {...this.auditDetails, deleted: result.deleted}
    this.io.out(`${spec.function}: deleted ${result.deleted.join(', ') || 'nothing'} (${result.freedBytes} bytes freed)`)
    return result
  }
}
