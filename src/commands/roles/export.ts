import fs from 'node:fs'
import {Flags} from '@oclif/core'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import {auth0Adapter, rolesFilePath} from '../../lib/roles/deps.js'
import {exportRoles, renderRolesYaml} from '../../lib/roles/export.js'
import {readRolesFile} from '../../lib/roles/file.js'

export default class RolesExport extends ImpressCommand<typeof RolesExport> {
  static override summary = "Write the tenant's roles, permissions and members into roles.yaml."
  static override description = 'Stable order: two exports of the same tenant are byte-identical. What only the file knows (privileged, expires, rotate, secret, the rules at the top) is kept from the existing file.'
  static override examples = ['<%= config.bin %> roles export', '<%= config.bin %> roles export --file /tmp/roles.yaml', '<%= config.bin %> roles export --stdout']
  static override outputs = {file: 'file'} as const
  static override flags = {
    file: Flags.string({description: 'Roles file to write (default: auth0.roles from the configuration).'}),
    stdout: Flags.boolean({description: 'Print the YAML instead of writing the file.'}),
  }

  async run(): Promise<{file: string; written: boolean; changed: boolean; roles: number; members: number}> {
    const file = rolesFilePath(this.ctx, this.flags.file)
    const existing = fs.existsSync(file) ? readRolesFile(file).data : undefined
    const adapter = await auth0Adapter(this.ctx)
    this.io.info(`Reading the Auth0 tenant ${this.ctx.env.config.auth0?.domain}…`)
    const tenant = await adapter.readTenant()
    const text = renderRolesYaml(exportRoles(tenant, existing))
    const changed = !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text
    const summary = {roles: tenant.roles.length, members: tenant.roles.reduce((n, r) => n + r.members.length, 0)}
    if (this.flags.stdout) {
      this.io.out(text.trimEnd())
      return {file, written: false, changed, ...summary}
    }
    if (changed) fs.writeFileSync(file, text)
    this.io.out(`${changed ? 'Wrote' : 'Unchanged:'} ${file} (${summary.roles} roles, ${summary.members} assignments).`)
    return {file, written: changed, changed, ...summary}
  }
}
