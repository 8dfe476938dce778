import {Flags} from '@oclif/core'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import {fmt, type DrillReport} from '../../lib/drill/run.js'
import {readHistory} from '../../lib/drill/store.js'
import {renderTable} from '../../lib/ui/table.js'

/** Passed of all checks; those that never ran are counted as not passed and said; parts not rehearsed are named. */
function checksCell(d: DrillReport): string {
  const notRun = d.checks.filter((x) => x.notRun).length
  const missing = (d.notRehearsed ?? []).filter((n) => !n.outOfScope).map((n) => n.part)
  return `${d.checks.filter((x) => x.ok).length}/${d.checks.length}${notRun ? ` (${notRun} not run)` : ''}${missing.length ? `; not rehearsed: ${missing.join(', ')}` : ''}`
}

export default class DrillHistory extends ImpressCommand<typeof DrillHistory> {
  static override summary = 'List past drills and their figures (from their reports).'
  static override examples = ['<%= config.bin %> drill history', '<%= config.bin %> drill history --limit 5 --json']
  static override flags = {limit: Flags.integer({description: 'Show the newest N drills.', min: 1})}

  async run(): Promise<{drills: DrillReport[]}> {
    let drills = readHistory(this.environment.dataDir)
    if (this.flags.limit) drills = drills.slice(0, this.flags.limit)
    const c = this.io.color
    this.io.out(
      drills.length === 0
        ? 'No drills yet: run `impress drill`.'
        : renderTable(
            ['drill', 'started', 'status', 'RTO', 'RPO', 'checks'],
            drills.map((d) => [d.id, d.startedAt.replace(/\.\d+Z$/, 'Z'), d.status === 'passed' ? c.green(d.status) : c.red(d.status), d.rto.measuredMs === undefined ? '-' : `${fmt(d.rto.measuredMs)}/${fmt(d.rto.targetMs)}`, d.rpo.measuredMs === undefined ? '-' : `${fmt(d.rpo.measuredMs)}/${fmt(d.rpo.targetMs)}`, checksCell(d)]),
            {header: c.bold},
          ),
    )
    return {drills}
  }
}
