import {Flags} from '@oclif/core'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {Lock} from '../../lib/journal/journal.js'
import {auth0Adapter, rolesFilePath} from '../../lib/roles/deps.js'
import {runApply, type ApplyResult} from '../../lib/roles/apply.js'
import {readRolesFile} from '../../lib/roles/file.js'
import {renderPlan} from '../../lib/roles/render.js'

export default class RolesApply extends ImpressCommand<typeof RolesApply> {
  static override summary = 'Make the Auth0 tenant match roles.yaml.'
  static override description =
    'Shows the plan, checks the rules (exit 4 naming the rule), asks for confirmation, applies in a safe order (roles and permissions before members, members before deleting a role), assigns the default role to every user missing it in batches, then plans again: no drift may remain.'
  static override examples = ['<%= config.bin %> roles apply', '<%= config.bin %> roles apply --yes', '<%= config.bin %> roles apply --dry-run', '<%= config.bin %> roles apply --yes --allow-delete']
  static override mutating = true
  static handlesInterrupt = true
  static override flags = {
    ...mutatingFlags,
    file: Flags.string({description: 'Roles file (default: auth0.roles from the configuration).'}),
    'allow-delete': Flags.boolean({description: 'Allow deleting roles and leaving a privileged role with fewer than minAdmins holders.', helpGroup: 'SAFETY'}),
    'allow-mass-removal': Flags.boolean({description: 'Allow removing more than maxRemovals assignments in one plan.', helpGroup: 'SAFETY'}),
  }

  async run(): Promise<ApplyResult> {
    const file = readRolesFile(rolesFilePath(this.ctx, this.flags.file))
    const adapter = await auth0Adapter(this.ctx)
    this.io.info(`Reading the Auth0 tenant ${this.ctx.env.config.auth0?.domain}…`)
    // one apply per tenant at a time from this machine: two would interleave their changes
    const domain = this.ctx.env.config.auth0?.domain ?? ''
    const result = await Lock.with(this.environment.dataDir, this.dryRun ? [] : [`roles-apply-${domain}`], `impress roles apply on ${domain}`, () => runApply(
      {
        file,
        allowDelete: this.flags['allow-delete'],
        allowMassRemoval: this.flags['allow-mass-removal'],
        dryRun: this.dryRun,
        signal: this.signal,
        progress: (step, n) => n > 0 && this.io.info(`  ${step}: ${n}`),
        confirm: async (plan) => {
          this.io.out(renderPlan(plan, this.io.color))
          await this.confirm(`apply ${plan.summary.changes} change(s) to the Auth0 tenant`)
        },
      },
      {tenant: adapter},
    ))
    if (!result.applied) this.io.out(renderPlan(result, this.io.color))
    if (result.applied) this.io.out(this.io.color.green(`Applied ${result.summary.changes} change(s); a new plan finds no drift.`))
    this.io.debug(`Auth0: ${adapter.stats.requests} request(s), ${adapter.stats.throttled} throttled, waited ${adapter.stats.waitedMs} ms.`)
    this.auditDetails = {file: file.file, applied: result.applied, ...result.summary}
    return result
  }
}
