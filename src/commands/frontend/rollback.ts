import {Flags} from '@oclif/core'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {applyFrontendRollback, planFrontendRollback, type RollbackPlan} from '../../lib/frontend/versions.js'
import {deployer, frontendTarget} from '../../lib/frontend/wiring.js'

export default class FrontendRollback extends ImpressCommand<typeof FrontendRollback> {
  static override summary = 'Serve an earlier frontend version again: a new commit on the deploy branch restoring its files.'
  static override description = 'History is kept: the rollback is a commit on top of the current head (fast-forward only), so every version, and the rollback itself, stays on the branch. `--to` must be a deployed version (exit 2 lists the nearest).'
  static override examples = ['<%= config.bin %> frontend rollback --dry-run', '<%= config.bin %> frontend rollback --to 3f2a1b9c --yes']
  static override mutating = true
  static override flags = {
    ...mutatingFlags,
    to: Flags.string({description: 'Version (commit id or prefix) to restore; default: the newest version with different files.'}),
    limit: Flags.integer({description: 'How many commits of the deploy branch to search.', default: 100, min: 1}),
  }

  async run(): Promise<RollbackPlan & {dryRun: boolean; commit?: string}> {
    const target = await frontendTarget(this.ctx)
    const plan = await planFrontendRollback({to: this.flags.to, limit: this.flags.limit}, {target})
    this.auditDetails = {target: plan.target, from: plan.head, to: plan.to.sha}
    this.io.info(`Plan: ${plan.target} ${plan.head.slice(0, 10)} → a new commit with the files of ${plan.to.sha.slice(0, 10)} (${plan.to.date}, by ${plan.to.deployedBy}: ${plan.to.subject})`)
    if (plan.noop) {
      this.io.out(`${plan.target} already serves the files of ${plan.to.sha.slice(0, 10)}: nothing to do.`)
      return {...plan, dryRun: this.dryRun}
    }
    if (this.dryRun) return {...plan, dryRun: true}
    await this.confirm(`roll ${plan.target} back to the files of ${plan.to.sha.slice(0, 10)}`)
    const commit = await applyFrontendRollback(plan, {deployedBy: deployer()}, {target})
    this.auditDetails.commit = commit.sha
    this.io.out(`Rolled back: ${plan.target} now at ${commit.sha.slice(0, 10)}, serving the files of ${plan.to.sha.slice(0, 10)}.`)
    return {...plan, dryRun: false, commit: commit.sha}
  }
}
