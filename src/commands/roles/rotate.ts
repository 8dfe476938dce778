import {Flags} from '@oclif/core'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {redactor} from '../../lib/redact.js'
import {auth0Adapter, pendingRotations, rolesFilePath, secretStore} from '../../lib/roles/deps.js'
import {readRolesFile} from '../../lib/roles/file.js'
import {runRotate, type RotateResult} from '../../lib/roles/rotate.js'
import {renderTable} from '../../lib/ui/table.js'

export default class RolesRotate extends ImpressCommand<typeof RolesRotate> {
  static override summary = 'Remove expired grants and rotate the client secrets of applications marked rotate: true.'
  static override description =
    'Each new secret is stored in the Secrets Manager secret named in roles.yaml and verified by obtaining a token with client credentials (Auth0 may take ~30 s to accept it). Reports the secret id and version, never the value.'
  static override examples = ['<%= config.bin %> roles rotate --yes', '<%= config.bin %> roles rotate --dry-run', '<%= config.bin %> roles rotate --yes --app backend']
  static override mutating = true
  static handlesInterrupt = true
  static override flags = {
    ...mutatingFlags,
    file: Flags.string({description: 'Roles file (default: auth0.roles from the configuration).'}),
    app: Flags.string({description: 'Only this application of roles.yaml (repeatable).', multiple: true}),
  }

  async run(): Promise<RotateResult> {
    const file = readRolesFile(rolesFilePath(this.ctx, this.flags.file))
    const adapter = await auth0Adapter(this.ctx)
    const scale = await this.ctx.timeScale()
    const deps = {tenant: adapter, secrets: adapter, store: await secretStore(this.ctx), pending: pendingRotations(this.ctx), onSecret: (v: string) => redactor.add(v), defaultAudience: adapter.managementAudience, progress: (t: string) => this.io.info(t)}
    const snapshot = await adapter.readTenant()
    const preview = await runRotate({file, dryRun: true, only: this.flags.app, snapshot}, deps)
    this.io.info(`Plan: remove ${preview.expired.length} expired grant(s); rotate ${preview.wouldRotate.map((w) => `${w.application} → ${w.secretId}`).join(', ') || 'no secret'}.`)
    if (this.dryRun) return preview
    await this.confirm(`remove ${preview.expired.length} expired grant(s) and rotate ${preview.wouldRotate.length} client secret(s)`)
    const result = await runRotate({file, only: this.flags.app, snapshot, signal: this.signal, verifyWindowMs: Math.max(2000, 30_000 * scale), verifyIntervalMs: 1000 * scale}, deps)
    for (const e of result.expired) this.io.out(`Removed expired grant: ${e.role} ${e.email} (expired ${e.expires})`)
    if (result.rotated.length > 0) {
      this.io.out(renderTable(['application', 'client', 'secret', 'version', 'verified'], result.rotated.map((r) => [r.application, r.client, r.secretId, r.versionId, r.verified ? `yes (${r.verifyAttempts} attempt(s))` : 'no'])))
    }
    this.auditDetails = {expired: result.expired.length, rotated: result.rotated.map((r) => ({application: r.application, secretId: r.secretId, versionId: r.versionId}))}
    return result
  }
}
