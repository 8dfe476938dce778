import {Args, Flags} from '@oclif/core'
import {accessSettings} from '../../lib/access/defaults.js'
import {clearKeysCache} from '../../lib/access/key-cache.js'
import {runRevoke, type RevokePlan, type RevokeResult} from '../../lib/access/revoke.js'
import {accessWriters, readRosterForAccess} from '../../lib/access/wiring.js'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {SERVICE_LABELS} from '../../lib/compliance/types.js'
import {OperationError, UsageError} from '../../lib/errors.js'
import {renderTable} from '../../lib/ui/table.js'

export default class AccessRevoke extends ImpressCommand<typeof AccessRevoke> {
  static override summary = 'Offboard a leaver: one plan across AWS IAM, GitHub, Cloudflare, Google Workspace and Auth0 staff, confirmed, applied, verified.'
  static override description =
    'The roster must mark the member as a leaver (or --force --reason). Refuses (exit 4) to remove the last admin of a service or more than access.maxRevocations members. Each write is journaled: a rerun continues where a failure stopped. Exit 1 when the member is only partly revoked.'
  static override strict = false
  static override args = {member: Args.string({description: "The member's e-mail, name or an account of theirs (several: up to access.maxRevocations).", required: true})}
  static override examples = [
    '<%= config.bin %> access revoke eve@impress.example --dry-run',
    '<%= config.bin %> access revoke eve@impress.example --yes',
    '<%= config.bin %> access revoke bob@impress.example --force --reason "contract ended early" --yes',
  ]
  static override mutating = true
  static override flags = {
    ...mutatingFlags,
    force: Flags.boolean({description: 'Revoke a member the roster does not mark as a leaver (needs --reason).', dependsOn: ['reason'], helpGroup: 'SAFETY'}),
    reason: Flags.string({description: 'Why --force is used; recorded in the audit log.', helpGroup: 'SAFETY'}),
  }

  async run(): Promise<{results: RevokeResult[]}> {
    const {argv} = await this.parse(AccessRevoke)
    if (this.flags.reason !== undefined && !this.flags.force) throw new UsageError('--reason goes with --force.', {hint: 'Add --force, or drop --reason.'})
    const {loaded} = readRosterForAccess(this.ctx)
    const force = this.flags.force ? {reason: this.flags.reason!} : undefined
    this.auditDetails = {members: argv, ...(force ? {force: force.reason} : {})}
    const options = {loaded, members: argv as string[], force, maxRevocations: accessSettings(this.environment.config.access).maxRevocations}
    const results = await runRevoke(options, await accessWriters(this.ctx), {
      dataDir: this.environment.dataDir,
      dryRun: this.dryRun,
      show: (plan) => this.show(plan),
      confirm: (plan) => this.confirm(`revoke ${plan.writes} grant(s) of ${plan.member.email}`),
      onStep: (s) => this.io.info(`${s.status === 'failed' ? '✗' : '✓'} ${SERVICE_LABELS[s.service]}: ${s.grant.action}${s.status === 'already-done' ? ' (done in an earlier run)' : ''}${s.error ? ` — ${s.error}` : ''}`),
      afterWrites: () => clearKeysCache(this.environment.dataDir),
    })
    this.auditDetails = {...this.auditDetails, results: results.map((r) => ({member: r.plan.member.email, status: r.status, writes: r.steps.filter((s) => s.status === 'done').length}))}
    for (const r of results) {
      if (r.status === 'planned') this.io.out(`Dry run: ${r.plan.writes} write(s) planned for ${r.plan.member.email}; nothing changed.`)
      else if (r.status === 'nothing-to-revoke') this.io.out(`${r.plan.member.email} holds nothing on the configured services.`)
      else if (r.status === 'revoked') this.io.out(`${r.plan.member.email}: revoked (${r.steps.filter((s) => s.status === 'done').length} write(s)); the compliance rules find no access left.`)
      else this.io.out(`${r.plan.member.email}: PARTLY REVOKED. Remaining:\n${r.remaining.map((f) => `  - ${f.message}`).join('\n') || '  - see the failed steps above'}`)
    }
    const partly = results.filter((r) => r.status === 'partly-revoked')
    if (partly.length > 0)
      this.concludeWith(new OperationError(`${partly.map((r) => r.plan.member.email).join(', ')} only partly revoked.`, {code: 'E_PARTLY_REVOKED', hint: 'Fix the failing service (see above), then run the same command again: done steps are not repeated.'}))
    return {results}
  }

  private show(plan: RevokePlan): void {
    this.io.info(`Revocation plan for ${plan.member.name} <${plan.member.email}> (${plan.member.role}, ${plan.member.status})${plan.force ? `, forced: ${plan.force.reason}` : ''}:`)
    const rows = plan.services.flatMap((s) => (s.grants.length > 0 ? s.grants.map((g) => [SERVICE_LABELS[s.service], g.account, g.action]) : [[SERVICE_LABELS[s.service], s.accounts.join(', ') || '-', s.error ? `cannot read: ${s.error}` : (s.skipped ?? 'nothing held')]]))
    this.io.info(renderTable(['service', 'account', 'action'], rows))
    for (const w of plan.warnings) this.io.warn(w)
  }
}
