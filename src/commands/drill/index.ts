import fs from 'node:fs'
import path from 'node:path'
import {Flags} from '@oclif/core'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {planDrill, executeDrill, cleanupDrills, type DrillOutcome, type DrillPlan} from '../../lib/drill/command-flow.js'
import {drillConclusion, renderDrill} from '../../lib/drill/render.js'
import {OperationError} from '../../lib/errors.js'
import {parseTime} from '../../lib/time/parse-time.js'

export default class Drill extends ImpressCommand<typeof Drill> {
  static override summary = 'Rehearse disaster recovery: restore Aurora and Firebase into scratch targets, rehearse a Lambda rollback, verify, measure RTO/RPO, clean up.'
  static override examples = [
    '<%= config.bin %> drill --yes',
    '<%= config.bin %> drill --dry-run',
    '<%= config.bin %> drill --yes --to-time "2h ago" --junit drill.xml',
    '<%= config.bin %> drill --yes --rto 30m --rpo 5m --report-dir ./reports',
    '<%= config.bin %> drill --cleanup --yes',
  ]
  static override mutating = true
  static handlesInterrupt = true
  static override outputs = {junit: 'file', 'report-dir': 'dir'} as const
  static override flags = {
    ...mutatingFlags,
    'to-time': Flags.string({description: 'Restore Aurora to this time (default: its latest restorable time).'}),
    module: Flags.string({description: 'Lambda module whose rollback is rehearsed (default: the first configured).'}),
    rto: Flags.string({description: 'Override the RTO target (e.g. 4h).'}),
    rpo: Flags.string({description: 'Override the RPO target (e.g. 15m).'}),
    junit: Flags.string({description: 'Also write the result as JUnit XML to this file.'}),
    'report-dir': Flags.string({description: 'Also copy the Markdown, JSON and HTML reports into this directory.'}),
    cleanup: Flags.boolean({description: 'Delete the scratch resources of drills that were killed (from their journals), then stop.'}),
    'no-notify': Flags.boolean({description: 'Do not send the result notification.'}),
  }

  async run(): Promise<DrillOutcome | DrillPlan | {cleaned: string[]; failed: {id: string; error: string}[]}> {
    if (this.flags.cleanup) {
      this.io.info('Plan: delete the scratch resources recorded in the journals of unfinished drills (tag-checked).')
      if (this.dryRun) return {cleaned: [], failed: []}
      await this.confirm('delete leftover drill resources')
      const out = await cleanupDrills(this.ctx)
      this.io.out(out.cleaned.length ? `Deleted ${out.cleaned.join(', ')}.` : 'No leftover drill resources.')
      if (out.failed.length) throw new OperationError(`Could not delete ${out.failed.map((f) => f.id).join(', ')}.`, {hint: 'Run `impress drill --cleanup --yes` again; see --verbose.'})
      return out
    }
    const toTime = this.flags['to-time'] ? parseTime(this.flags['to-time'], '--to-time') : undefined
    const plan = await planDrill(this.ctx, {toTime, module: this.flags.module, rto: this.flags.rto, rpo: this.flags.rpo})
    this.io.info(plan.lines.join('\n'))
    if (this.dryRun) return plan
    await this.confirm('run the drill (it creates scratch resources and deletes them afterwards)')
    const outcome = await executeDrill(this.ctx, plan, {signal: this.signal, notify: !this.flags['no-notify'], progress: (m) => this.io.info(`  ${m}`)})
    const r = outcome.report
    this.auditDetails = {drill: r.id, status: r.status, rtoMs: r.rto.measuredMs, rpoMs: r.rpo.measuredMs}
    // The result is shown first: a file that then cannot be written does not hide it.
    this.io.out(renderDrill(outcome, this.io.color).join('\n'))
    const written = this.writeOutputs(outcome)
    const conclusion = drillConclusion(outcome)
    if (conclusion) this.concludeWith(conclusion)
    if (written && !conclusion) this.concludeWith(written)
    return outcome
  }

  /** --junit and --report-dir (checked before the drill started); a failure now does not lose the result. */
  private writeOutputs(outcome: DrillOutcome): OperationError | undefined {
    try {
      if (this.flags.junit) fs.writeFileSync(path.resolve(this.flags.junit), outcome.junit)
      if (this.flags['report-dir']) {
        const dir = path.resolve(this.flags['report-dir'])
        fs.mkdirSync(dir, {recursive: true})
        for (const f of Object.values(outcome.files)) fs.copyFileSync(f, path.join(dir, `drill-${outcome.report.id}${path.extname(f)}`))
      }
      return undefined
    } catch (error) {
      return new OperationError(`The drill ran (result above) but its outputs could not be written: ${(error as Error).message}`, {code: 'E_OUTPUT_WRITE', hint: `The reports are also in ${path.dirname(outcome.files.html)}.`})
    }
  }
}
