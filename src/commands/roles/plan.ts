import {Flags} from '@oclif/core'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import {ExitCode, ViolationError} from '../../lib/errors.js'
import {auth0Adapter, rolesFilePath} from '../../lib/roles/deps.js'
import {runPlan, type PlanResult} from '../../lib/roles/apply.js'
import {readRolesFile} from '../../lib/roles/file.js'
import {renderPlan} from '../../lib/roles/render.js'

export default class RolesPlan extends ImpressCommand<typeof RolesPlan> {
  static override summary = 'Show the difference between roles.yaml and the Auth0 tenant.'
  static override description = 'Roles to create, update or delete, permissions and members to add or remove, users missing the default role and expired grants; the plan-time rules apply would enforce are listed too.'
  static override examples = ['<%= config.bin %> roles plan', '<%= config.bin %> roles plan --exit-code   # exit 3 on drift (scheduled CI job)', '<%= config.bin %> roles plan --json']
  static override flags = {
    'exit-code': Flags.boolean({description: 'Exit 3 when the tenant differs from the file.'}),
    file: Flags.string({description: 'Roles file (default: auth0.roles from the configuration).'}),
    full: Flags.boolean({description: 'List every change (long lists are cut at 20 otherwise).'}),
  }

  async run(): Promise<PlanResult> {
    const file = readRolesFile(rolesFilePath(this.ctx, this.flags.file))
    const adapter = await auth0Adapter(this.ctx)
    this.io.info(`Reading the Auth0 tenant ${this.ctx.env.config.auth0?.domain}…`)
    const {tenant: _t, ...result} = await runPlan({file}, {tenant: adapter})
    this.io.debug(`Auth0: ${adapter.stats.requests} request(s), ${adapter.stats.throttled} throttled, waited ${adapter.stats.waitedMs} ms.`)
    this.io.out(renderPlan(result, this.io.color, {full: this.flags.full}))
    if (this.flags['exit-code'] && result.drift) {
      if (this.jsonEnabled()) {
        // One JSON document (the plan) and exit 3.
        process.exitCode = ExitCode.Violations
        return result
      }
      throw new ViolationError(`The Auth0 tenant differs from ${file.file} (${result.summary.changes} change(s)).`, {
        code: 'E_ROLES_DRIFT',
        hint: 'Review the plan, then run `impress roles apply` (or `impress roles export` to adopt the tenant).',
      })
    }
    return result
  }
}
