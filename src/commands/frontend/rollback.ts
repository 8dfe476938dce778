import {Flags} from '@oclif/core'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import type {RollbackPlan, VersionRow} from '../../lib/frontend/versions.js'
import {deployer} from '../../lib/frontend/wiring.js'

export default class FrontendRollback extends ImpressCommand<typeof FrontendRollback> {
  static override summary = 'Serve an earlier frontend version again (GitHub Pages: a new commit restoring its files; Vercel: instant rollback to a previous production deployment).'
  static override description = 'History is kept: on GitHub Pages the rollback is a commit on top of the current head (fast-forward only); on Vercel the production domains move back to the earlier deployment (nothing is rebuilt or deleted; the next deploy is promoted again). `--to` must be a deployed version (exit 2 lists the nearest).'
  static override examples = ['<%= config.bin %> frontend rollback --dry-run', '<%= config.bin %> frontend rollback --to 3f2a1b9c --yes', '<%= config.bin %> frontend rollback --to dpl_8Fz2… --yes']
  static override mutating = true
  static override flags = {
    ...mutatingFlags,
    to: Flags.string({description: 'Version to restore (commit id or prefix; Vercel: deployment id or URL); default: the newest earlier version with different files.'}),
    limit: Flags.integer({description: 'How many versions to search.', default: 100, min: 1}),
  }

  async run(): Promise<RollbackPlan<VersionRow> & {dryRun: boolean; version?: string; commit?: string}> {
    const host = await this.ctx.frontendHost()
    const plan = await host.planRollback({to: this.flags.to, limit: this.flags.limit})
    this.auditDetails = {target: plan.target, from: plan.head, to: plan.to.id}
    this.io.info(`Plan: ${plan.target} ${plan.head} → ${host.kind === 'vercel' ? 'production served by' : 'a new commit with the files of'} ${plan.to.id} (${plan.to.date}, by ${plan.to.deployedBy}: ${plan.to.subject})`)
    if (plan.noop) {
      this.io.out(`${plan.target} already serves ${plan.to.id}: nothing to do.`)
      return {...plan, dryRun: this.dryRun}
    }
    if (this.dryRun) return {...plan, dryRun: true}
    await this.confirm(`roll ${plan.target} back to ${plan.to.id}`)
    const {version} = await host.applyRollback(plan, {deployedBy: deployer()})
    this.auditDetails.version = version
    this.io.out(`Rolled back: ${plan.target} now serves ${plan.to.id}${version === plan.to.id ? '' : ` (new commit ${version.slice(0, 10)})`}.`)
    return {...plan, dryRun: false, version, ...(host.kind === 'github-pages' ? {commit: version} : {})}
  }
}
