import {Flags} from '@oclif/core'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {runRtdbBackup, type RtdbBackupResult} from '../../lib/firebase/backup.js'
import {Lock} from '../../lib/journal/journal.js'
import {defaultBackupRoot, rtdbFor, storeAt} from '../../lib/platform/firebase/targets.js'

export default class FirebaseBackup extends ImpressCommand<typeof FirebaseBackup> {
  static override summary = 'Back up the Realtime Database to gzip NDJSON chunks and a manifest (local directory or s3://).'
  static override description = 'Reads over REST, pages wide nodes and splits subtrees the database calls too big, and writes the manifest last: a backup without one is never complete. Ctrl-C or a crash keeps a checkpoint; --resume continues it.'
  static override examples = [
    '<%= config.bin %> firebase backup',
    '<%= config.bin %> firebase backup --to s3://impress-backups/firebase',
    '<%= config.bin %> firebase backup --resume',
  ]
  static override mutating = true
  static handlesInterrupt = true
  static override flags = {
    ...mutatingFlags,
    to: Flags.string({description: 'Where to write: a directory or s3://bucket/prefix (default: <firebase.backups>/<env>).'}),
    database: Flags.string({description: 'Back up this database (URL or name) instead of firebase.databaseURL.'}),
    resume: Flags.boolean({description: 'Continue the newest unfinished backup of this database.'}),
    'chunk-mb': Flags.integer({description: 'Uncompressed megabytes per chunk.', default: 16, min: 1}),
    'max-response-mb': Flags.integer({description: 'Largest response read at once; bigger subtrees are paged.', default: 8, min: 1}),
  }

  async run(): Promise<RtdbBackupResult | {dryRun: true; source: string; to: string}> {
    const location = this.flags.to ?? defaultBackupRoot(this.ctx)
    const rtdb = await rtdbFor(this.ctx, this.flags.database, {maxResponseBytes: this.flags['max-response-mb'] * 1024 * 1024})
    const source = rtdb.source.namespace ?? rtdb.source.databaseURL
    this.auditDetails = {source: rtdb.source.databaseURL, to: location, resume: this.flags.resume}
    if (this.dryRun) {
      this.io.out(`Plan: back up ${rtdb.source.databaseURL} to ${location}${this.flags.resume ? ' (resuming)' : ''}.`)
      return {dryRun: true, source: rtdb.source.databaseURL, to: location}
    }
    const lock = Lock.acquire(this.environment.dataDir, `firebase-backup-${source}`, `firebase backup of ${source}`)
    try {
      const store = await storeAt(this.ctx, location)
      this.io.info(`Backing up ${rtdb.source.databaseURL} to ${store.location}…`)
      const result = await runRtdbBackup(
        {resume: this.flags.resume, chunkBytes: this.flags['chunk-mb'] * 1024 * 1024, toolVersion: this.config.version, signal: this.signal},
        {rtdb, store, progress: (e) => this.io.info(`  ${e.message}`)},
      )
      const m = result.manifest
      this.auditDetails = {...this.auditDetails, backup: result.id, chunks: m.chunks.length, leaves: m.totals.count}
      this.io.out(`Backup ${result.id} complete${result.resumed ? ' (resumed)' : ''}: ${m.totals.lines} lines, ${m.totals.count} values, ${m.chunks.length} chunk(s), ${m.totals.bytes} bytes → ${result.location}`)
      return result
    } finally {
      lock.release()
    }
  }
}
