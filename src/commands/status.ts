import {Flags} from '@oclif/core'
import {ImpressCommand} from '../lib/cli/base-command.js'
import {OperationError, ViolationError} from '../lib/errors.js'
import {describeUnavailable, runStatus, type StatusReport} from '../lib/status/run.js'
import {buildSections} from '../lib/status/sections.js'

export default class Status extends ImpressCommand<typeof Status> {
  static override summary = 'One screen: Lambda versions and aliases, Aurora health, backups, roles drift, compliance, last drill.'
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --check', '<%= config.bin %> status --env prod --json']
  static override description = 'With --check: exit 3 when a figure breaks its policy; exit 1 when a section could not be checked (unreachable, not configured, failed).'
  static override flags = {check: Flags.boolean({description: 'Exit 3 when any figure breaks its policy, 1 when a section could not be checked (for a scheduled job).'})}

  async run(): Promise<StatusReport> {
    const report = await runStatus(this.ctx.env.name, await buildSections(this.ctx), this.signal)
    const c = this.io.color
    this.io.out(c.bold(`impress status: ${report.environment}`))
    for (const s of report.sections) {
      this.io.out(`\n${c.bold(s.name)}${s.ok ? '' : `  ${c.red(describeUnavailable({name: s.name, state: s.state, error: s.error ?? ''}).slice(s.name.length + 2))}`}`)
      const width = Math.max(0, ...s.rows.map(([k]) => k.length))
      for (const [k, v] of s.rows) this.io.out(`  ${k.padEnd(width)}  ${v}`)
      for (const p of s.problems) this.io.out(`  ${c.yellow('!')} ${p}`)
    }
    if (this.flags.check && report.problems.length > 0) {
      this.concludeWith(new ViolationError(`${report.problems.length} figure(s) break policy.`, {code: 'E_STATUS_CHECK', hint: 'See the "!" lines above.'}))
    } else if (this.flags.check && report.unavailable.length > 0) {
      // Nothing broke policy, but not everything was checked: not a pass.
      this.concludeWith(new OperationError(`Could not check ${report.unavailable.map(describeUnavailable).join('; ')}.`, {code: 'E_STATUS_INCOMPLETE', hint: 'Fix the configuration or the connection named above, then run the check again.'}))
    }
    return report
  }
}
