import {Flags} from '@oclif/core'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import type {AuditEntry} from '../../lib/audit/chain.js'
import {readAudit} from '../../lib/audit/log.js'
import {parseTime} from '../../lib/time/parse-time.js'
import {renderTable} from '../../lib/ui/table.js'

export default class AuditLog extends ImpressCommand<typeof AuditLog> {
  static override summary = 'Show the audit log of mutating commands.'
  static override examples = [
    '<%= config.bin %> audit log',
    '<%= config.bin %> audit log --since "24h ago" --command "aurora rollback"',
    '<%= config.bin %> audit log --actor alice --env prod',
    '<%= config.bin %> audit log --json',
  ]

  static override flags = {
    since: Flags.string({description: 'Only entries at or after this time (ISO 8601 or "2h ago").'}),
    command: Flags.string({description: 'Only this command (and its subcommands), e.g. "sandbox reset".'}),
    actor: Flags.string({description: 'Only entries whose actor (user@host or $IMPRESS_ACTOR) or cloud identity contains this text.'}),
    limit: Flags.integer({description: 'Show at most the newest N entries.', min: 1}),
  }

  async run(): Promise<{path: string; entries: AuditEntry[]}> {
    const path = this.environment.auditPath
    const since = this.flags.since ? parseTime(this.flags.since, '--since') : undefined
    const {command, actor} = this.flags
    // --env given on the command line also filters: the log is shared by every environment of a configuration.
    const env = this.argv.some((a) => a === '--env' || a.startsWith('--env=')) ? this.environment.name : undefined
    let entries = readAudit(path, {since, command, actor, env})
    if (this.flags.limit) entries = entries.slice(-this.flags.limit)
    if (entries.length === 0) {
      this.io.out(`No audit entries${since || command || actor || env ? ' match' : ''} in ${path}.`)
    } else {
      const c = this.io.color
      this.io.out(
        renderTable(
          ['time', 'env', 'actor', 'command', 'result', 'duration', 'args'],
          entries.map((e) => [e.time.replace(/\.\d+Z$/, 'Z'), e.env ?? '', e.actor.user, e.command, e.result === 'ok' ? c.green(e.result) : e.result === 'dry-run' ? e.result : c.red(e.result), `${(e.durationMs / 1000).toFixed(1)}s`, e.args.join(' ')]),
          {header: c.bold},
        ),
      )
    }
    return {path, entries}
  }
}
