import {Args, Flags} from '@oclif/core'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {ViolationError} from '../../lib/errors.js'
import type {FirestoreRestoreResult} from '../../lib/firebase/firestore-backup.js'
import type {ManagedRestoreResult} from '../../lib/firebase/managed.js'
import {backupKind} from '../../lib/firebase/read-backup.js'
import {firestoreRestoreFlow, managedRestoreFlow} from '../../lib/firebase/wiring.js'
import {runRtdbRestore, type KeyComparison, type RtdbRestoreResult} from '../../lib/firebase/restore.js'
import {locateBackup, rtdbFor} from '../../lib/platform/firebase/targets.js'
import {renderTable} from '../../lib/ui/table.js'

export default class FirebaseRestore extends ImpressCommand<typeof FirebaseRestore> {
  static override summary = 'Restore a verified backup (Realtime Database or Firestore) into the same or another database, then compare counts and hashes.'
  static override description = 'Refuses a corrupt or incomplete backup (exit 2) and a non-empty target without --overwrite (exit 4). Realtime Database: multi-path PATCH in batches well under the 16 MB limit, --resume continues an interrupted restore. Firestore: BulkWriter; --overwrite deletes the documents of the restored collections the backup does not have; --resume continues. A managed export: importDocuments (polled; a rerun polls the same import), then documents per collection counted and compared.'
  static override examples = [
    '<%= config.bin %> firebase restore 20261123T045500Z-rtdb-impress-sandbox --to-database impress-sandbox-scratch',
    '<%= config.bin %> firebase restore ./backups/prod/20261123T045500Z-rtdb-impress-prod --path /translations --overwrite --yes',
    '<%= config.bin %> firebase restore 20261123T050000Z-firestore-impress-sandbox --to-database scratch',
    '<%= config.bin %> firebase restore 20261123T051000Z-firestore-managed-impress-sandbox --to-database scratch',
  ]
  static override mutating = true
  static handlesInterrupt = true
  static override args = {backup: Args.string({description: 'Backup id (in the default store), directory, or s3://bucket/prefix/ID.', required: true})}
  static override flags = {
    ...mutatingFlags,
    'to-database': Flags.string({description: 'Target database: a Realtime Database URL or name; for a Firestore backup, the database id.'}),
    'to-project': Flags.string({description: 'Target project (Firestore backups).'}),
    path: Flags.string({description: 'Restore only this subtree, e.g. /translations (Realtime Database).'}),
    overwrite: Flags.boolean({description: 'Replace what the target holds (asks first). Firestore: the backup\'s collections become exactly its content (extra documents deleted); other collections are untouched.'}),
    resume: Flags.boolean({description: 'Continue an interrupted restore of this backup into this target.'}),
    in: Flags.string({description: 'Store holding the backup id (default: <firebase.backups>/<env>).'}),
    'batch-mb': Flags.integer({description: 'Megabytes per PATCH request (the limit is 16).', default: 4, min: 1, max: 15}),
  }

  async run(): Promise<RtdbRestoreResult | FirestoreRestoreResult | ManagedRestoreResult> {
    const {store, id} = await locateBackup(this.ctx, this.args.backup, this.flags.in)
    const common = {id, overwrite: this.flags.overwrite, resume: this.flags.resume, dryRun: this.dryRun, signal: this.signal, stateDir: `${this.environment.dataDir}/firebase`}
    const deps = {store, confirm: (action: string) => this.confirm(action), progress: (e: {message: string}) => this.io.info(`  ${e.message}`)}
    let result: RtdbRestoreResult | FirestoreRestoreResult | ManagedRestoreResult
    const kind = await backupKind(store, id)
    if (kind === 'firestore' || kind === 'firestore-managed') {
      const target = {projectId: this.flags['to-project'] ?? this.environment.config.firebase?.projectId ?? '', databaseId: this.flags['to-database'] ?? '(default)'}
      this.auditDetails = {backup: id, target: `firestore:${target.projectId}/${target.databaseId}`, overwrite: this.flags.overwrite, resume: this.flags.resume, managed: kind === 'firestore-managed'}
      this.io.info(`Verifying ${id}, then ${kind === 'firestore' ? 'restoring' : 'importing (importDocuments)'} it into Firestore ${target.projectId}/${target.databaseId}…`)
      const r = kind === 'firestore' ? await firestoreRestoreFlow(this.ctx, {...common, ...deps, ...target}) : await managedRestoreFlow(this.ctx, {...common, ...deps, ...target})
      this.auditDetails = {...this.auditDetails, documents: r.documents, untouched: r.untouched, ...('deleted' in r ? {deleted: r.deleted} : {operation: r.operation})}
      if (r.dryRun && 'extra' in r) {
        this.io.out(`Plan: restore ${id}: collections ${r.collections.join(', ')}${this.flags.overwrite ? `, deleting ${r.extra} document(s) there that the backup does not have` : ''}${r.untouched.length > 0 ? `; ${r.untouched.join(', ')} untouched` : ''}.`)
        return r
      }
      if (!r.dryRun && ('deleted' in r ? r.deleted : 0) + r.untouched.length > 0) this.io.info(`  ${'deleted' in r ? r.deleted : 0} document(s) not in the backup deleted${r.untouched.length > 0 ? `; collections not in the backup untouched: ${r.untouched.join(', ')}` : ''}`)
      result = r
    } else {
      const target = await rtdbFor(this.ctx, this.flags['to-database'])
      this.auditDetails = {backup: id, target: target.source.databaseURL, path: this.flags.path ?? '/', overwrite: this.flags.overwrite}
      this.io.info(`Verifying ${id}, then restoring it into ${target.source.databaseURL}${this.flags.path ?? ''}…`)
      result = await runRtdbRestore({...common, path: this.flags.path, resume: this.flags.resume, batchBytes: this.flags['batch-mb'] * 1024 * 1024}, {...deps, target})
    }
    if (result.dryRun) {
      this.io.out(`Plan: restore ${id} (target ${result.targetWasEmpty ? 'empty' : 'not empty: its data there is replaced'}).`)
      return result
    }
    this.report(id, result.comparison)
    return result
  }

  private report(id: string, comparison: KeyComparison[]): void {
    this.io.out(renderTable(['KEY', 'IN BACKUP', 'RESTORED', 'HASH'], comparison.map((c) => [c.key, c.expected.count, c.actual.count, c.match ? 'match' : 'DIFFERENT'])))
    const bad = comparison.filter((c) => !c.match)
    this.auditDetails = {...this.auditDetails, match: bad.length === 0}
    if (bad.length > 0) {
      throw new ViolationError(`Restored data differs from backup ${id} for ${bad.map((c) => c.key).join(', ')}.`, {
        code: 'E_RESTORE_MISMATCH',
        hint: 'Something wrote to the target during the restore, or writes were lost; restore again with --overwrite.',
        details: {comparison},
      })
    }
    this.io.out(`Restored backup ${id}: counts and hashes match the backup.`)
  }
}
