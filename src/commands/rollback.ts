import {Args, Flags} from '@oclif/core'
import {ImpressCommand, mutatingFlags} from '../lib/cli/base-command.js'
import {UsageError} from '../lib/errors.js'
import {Lock} from '../lib/journal/journal.js'
import {DeployJournal} from '../lib/lambda/deploy-journal.js'
import {applyRollbacks, pendingNote, planRollbacks, type RollbackPlan} from '../lib/lambda/rollback.js'
import {lambdaAdapter, lambdaSection, moduleSpecs} from '../lib/platform/aws/lambda-context.js'
import {renderTable} from '../lib/ui/table.js'
import {describeWeights} from '../lib/lambda/weights.js'

interface RollbackResult {
  dryRun: boolean
  alias: string
  modules: (RollbackPlan & {applied: boolean})[]
}

export default class Rollback extends ImpressCommand<typeof Rollback> {
  static override summary = 'Point a module\'s alias back at the previous published version (or --to a given one).'
  static override examples = ['<%= config.bin %> rollback pdf', '<%= config.bin %> rollback pdf --to 41 --yes', '<%= config.bin %> rollback --all --yes   # every module of the last deploy']
  static override mutating = true
  static override args = {module: Args.string({description: 'Module to roll back.'})}
  static override flags = {
    ...mutatingFlags,
    to: Flags.string({description: 'Published version to point the alias at (default: the one before the current).'}),
    all: Flags.boolean({description: 'Roll back every module the last `impress deploy` changed (from the deploy journal).', exclusive: ['to']}),
  }

  async run(): Promise<RollbackResult> {
    const alias = lambdaSection(this.ctx).alias
    let targets: {module: string; function: string; to?: string}[]
    if (this.flags.all) {
      const last = DeployJournal.latest(this.environment.dataDir)
      const changed = last?.modules().filter((m) => m.aliasMoved && m.previousVersion) ?? []
      const hint = 'Name a module: `impress rollback MODULE` steps its alias back from the version it serves now.'
      if (!last) throw new UsageError('No deploy is recorded for this environment: nothing to roll back.', {hint})
      if (changed.length === 0) {
        const what = last.modules().map((m) => `${m.module} ${m.status}`).join(', ') || 'no module'
        throw new UsageError(`The last deploy (${last.id}) moved no alias (${what}): nothing to roll back.`, {hint})
      }
      this.io.info(`Rolling back deploy ${last.id}`)
      targets = changed.map((m) => ({module: m.module, function: m.function, to: m.previousVersion}))
    } else {
      if (!this.args.module) throw new UsageError('Name the module to roll back, or pass --all.', {hint: `Modules: ${Object.keys(lambdaSection(this.ctx).modules).join(', ')}.`})
      const [spec] = moduleSpecs(this.ctx, [this.args.module])
      targets = [{module: spec.module, function: spec.function, to: this.flags.to}]
    }
    // the lock deploy takes: one alias mover per function at a time, planned and applied under it
    const locks = this.dryRun ? [] : targets.map((t) => `lambda-deploy-${t.function}`)
    return Lock.with(this.environment.dataDir, locks, `impress rollback of ${targets.map((t) => t.function).join(', ')}`, () => this.rollback(targets, alias))
  }

  private async rollback(targets: {module: string; function: string; to?: string}[], alias: string): Promise<RollbackResult> {
    const lambda = await lambdaAdapter(this.ctx)
    const {plans, pending} = await planRollbacks(targets, alias, {lambda, dataDir: this.environment.dataDir})
    for (const p of plans) {
      const note = pendingNote(p, pending)
      if (note) this.io.info(note)
    }
    this.io.info(
      renderTable(
        ['MODULE', 'FUNCTION', `ALIAS ${alias}`, 'TO', 'DESCRIPTION'],
        plans.map((p) => [p.module, p.function, p.fromWeights ? `${p.fromVersion} + ${describeWeights(p.fromWeights)}` : p.fromVersion, p.noop ? '(already)' : p.toVersion, p.toDescription]),
      ),
    )
    const todo = plans.filter((p) => !p.noop)
    this.auditDetails = {alias, modules: plans.map((p) => ({module: p.module, from: p.fromVersion, to: p.toVersion}))}
    if (this.dryRun || todo.length === 0) {
      // nothing moves; an earlier rollback found applied is closed (not on a dry run: it writes nothing)
      if (!this.dryRun) await applyRollbacks(plans, pending, {lambda, dataDir: this.environment.dataDir}, () => undefined)
      return {dryRun: this.dryRun, alias, modules: plans.map((p) => ({...p, applied: false}))}
    }
    await this.confirm(`move ${alias} of ${todo.map((p) => `${p.function} to version ${p.toVersion}`).join(', ')}`)
    await applyRollbacks(plans, pending, {lambda, dataDir: this.environment.dataDir}, (p) => this.io.out(`${p.module}: ${alias} ${p.fromVersion} → ${p.toVersion}`))
    const modules = plans.map((p) => ({...p, applied: !p.noop}))
    return {dryRun: false, alias, modules}
  }
}
