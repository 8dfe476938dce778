import {Args, Flags} from '@oclif/core'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {ViolationError} from '../../lib/errors.js'
import {runRtdbRestore, type RtdbRestoreResult} from '../../lib/firebase/restore.js'
import {locateBackup, rtdbFor} from '../../lib/platform/firebase/targets.js'
import {renderTable} from '../../lib/ui/table.js'

export default class FirebaseRestore extends ImpressCommand<typeof FirebaseRestore> {
  static override summary = 'Restore a verified Realtime Database backup into the same or another database, then compare counts and hashes.'
  static override description = 'Refuses a corrupt or incomplete backup (exit 2) and a non-empty target without --overwrite (exit 4). Writes with multi-path PATCH in batches well under the 16 MB limit; --resume continues an interrupted restore.'
  static override examples = [
    '<%= config.bin %> firebase restore 20261123T045500Z-rtdb-impress-sandbox --to-database impress-sandbox-scratch',
    '<%= config.bin %> firebase restore ./backups/prod/20261123T045500Z-rtdb-impress-prod --path /translations --overwrite --yes',
  ]
  static override mutating = true
  static handlesInterrupt = true
  static override args = {backup: Args.string({description: 'Backup id (in the default store), directory, or s3://bucket/prefix/ID.', required: true})}
  static override flags = {
    ...mutatingFlags,
    'to-database': Flags.string({description: 'Target database (URL or name); default: the environment\'s database.'}),
    path: Flags.string({description: 'Restore only this subtree, e.g. /translations.'}),
    overwrite: Flags.boolean({description: 'Replace what the target holds at the path (asks first).'}),
    resume: Flags.boolean({description: 'Continue an interrupted restore of this backup into this target.'}),
    in: Flags.string({description: 'Store holding the backup id (default: <firebase.backups>/<env>).'}),
    'batch-mb': Flags.integer({description: 'Megabytes per PATCH request (the limit is 16).', default: 4, min: 1, max: 15}),
  }

  async run(): Promise<RtdbRestoreResult> {
    const {store, id} = await locateBackup(this.ctx, this.args.backup, this.flags.in)
    const target = await rtdbFor(this.ctx, this.flags['to-database'])
    this.auditDetails = {backup: id, target: target.source.databaseURL, path: this.flags.path ?? '/', overwrite: this.flags.overwrite}
    this.io.info(`Verifying ${id}, then restoring it into ${target.source.databaseURL}${this.flags.path ?? ''}…`)
    const result = await runRtdbRestore(
      {id, path: this.flags.path, overwrite: this.flags.overwrite, resume: this.flags.resume, dryRun: this.dryRun, batchBytes: this.flags['batch-mb'] * 1024 * 1024, stateDir: `${this.environment.dataDir}/firebase`, signal: this.signal},
      {store, target, confirm: (action) => this.confirm(action), progress: (e) => this.io.info(`  ${e.message}`)},
    )
    if (result.dryRun) {
      this.io.out(`Plan: restore ${id} into ${target.source.databaseURL}${result.path} (target ${result.targetWasEmpty ? 'empty' : 'not empty: its data there is replaced'}).`)
      return result
    }
    const rows = result.comparison.map((c) => [c.key, c.expected.count, c.actual.count, c.match ? 'match' : 'DIFFERENT'])
    this.io.out(renderTable(['KEY', 'BACKUP VALUES', 'RESTORED VALUES', 'HASH'], rows))
    this.auditDetails = {...this.auditDetails, lines: result.lines, requests: result.requests, match: result.match}
    if (!result.match) {
      throw new ViolationError(`Restored data differs from backup ${id} for ${result.comparison.filter((c) => !c.match).map((c) => c.key).join(', ')}.`, {
        code: 'E_RESTORE_MISMATCH',
        hint: 'Something wrote to the target during the restore, or writes were lost; restore again with --overwrite.',
        details: {comparison: result.comparison},
      })
    }
    this.io.out(`Restored ${result.lines} lines in ${result.requests} requests into ${target.source.databaseURL}${result.path}: counts and hashes match the backup.`)
    return result
  }
}
