import {Flags} from '@oclif/core'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {runRtdbBackup, type RtdbBackupResult} from '../../lib/firebase/backup.js'
import type {FirestoreBackupResult} from '../../lib/firebase/firestore-backup.js'
import type {ManagedBackupResult} from '../../lib/firebase/managed.js'
import {firestoreBackupFlow} from '../../lib/firebase/wiring.js'
import {Lock} from '../../lib/journal/journal.js'
import {defaultBackupRoot, rtdbFor, storeAt} from '../../lib/platform/firebase/targets.js'

export default class FirebaseBackup extends ImpressCommand<typeof FirebaseBackup> {
  static override summary = 'Back up the Realtime Database (or Firestore) to gzip NDJSON chunks and a manifest (local directory or s3://).'
  static override description = 'Realtime Database: read over REST, wide nodes paged, subtrees the database calls too big split; Ctrl-C or a crash keeps a checkpoint and --resume continues it. Firestore (--firestore): every collection and sub-collection read at one read time; --resume continues at that same read time (refused once Firestore no longer keeps it, after an hour). --managed (or a database above firebase.firestore.managedAboveBytes): the managed export (exportDocuments) into a bucket, polled to the end; the manifest keeps its metadata, objects and per-collection counts. The manifest is written last: a backup without one is never complete.'
  static override examples = [
    '<%= config.bin %> firebase backup',
    '<%= config.bin %> firebase backup --to s3://impress-backups/firebase',
    '<%= config.bin %> firebase backup --resume',
    '<%= config.bin %> firebase backup --firestore',
    '<%= config.bin %> firebase backup --firestore --resume',
    '<%= config.bin %> firebase backup --managed --export-to gs://impress-firestore-exports',
  ]
  static override mutating = true
  static handlesInterrupt = true
  static override flags = {
    ...mutatingFlags,
    to: Flags.string({description: 'Where to write: a directory or s3://bucket/prefix (default: <firebase.backups>/<env>).'}),
    database: Flags.string({description: 'Realtime Database to back up (URL or name) instead of firebase.databaseURL; with --firestore, the Firestore database id.'}),
    firestore: Flags.boolean({description: 'Back up Firestore instead of the Realtime Database (managed export above firebase.firestore.managedAboveBytes).'}),
    managed: Flags.boolean({description: 'Firestore: hand the copy to Firestore\'s managed export (exportDocuments into a Cloud Storage bucket); a rerun after a crash polls the same export.'}),
    'export-to': Flags.string({description: 'Managed export location gs://BUCKET[/PATH] (default: firebase.firestore.exportBucket).'}),
    resume: Flags.boolean({description: 'Continue the newest unfinished backup of this database (Firestore: at its read time, within the hour).'}),
    'chunk-mb': Flags.integer({description: 'Uncompressed megabytes per chunk.', default: 16, min: 1}),
    'max-response-mb': Flags.integer({description: 'Largest Realtime Database response read at once; bigger subtrees are paged.', default: 8, min: 1}),
  }

  async run(): Promise<RtdbBackupResult | FirestoreBackupResult | ManagedBackupResult | {dryRun: true; source: string; to: string}> {
    const location = this.flags.to ?? defaultBackupRoot(this.ctx)
    const chunkBytes = this.flags['chunk-mb'] * 1024 * 1024
    if (this.flags.firestore || this.flags.managed) {
      const projectId = this.environment.config.firebase?.projectId ?? ''
      const databaseId = this.flags.database ?? '(default)'
      this.auditDetails = {source: `firestore:${projectId}/${databaseId}`, to: location, resume: this.flags.resume, managed: this.flags.managed}
      if (this.dryRun) {
        this.io.out(`Plan: back up Firestore ${projectId}/${databaseId} to ${location}${this.flags.managed ? ' (managed export)' : ''}${this.flags.resume ? ' (resuming)' : ''}.`)
        return {dryRun: true, source: `${projectId}/${databaseId}`, to: location}
      }
      const store = await storeAt(this.ctx, location)
      this.io.info(`Backing up Firestore ${projectId}/${databaseId} to ${store.location}…`)
      const r = await firestoreBackupFlow(this.ctx, {databaseId, store, managed: this.flags.managed || undefined, exportTo: this.flags['export-to'], resume: this.flags.resume, chunkBytes, toolVersion: this.config.version, signal: this.signal, progress: (e) => this.io.info(`  ${e.message}`)})
      const m = r.result.manifest
      this.auditDetails = {...this.auditDetails, backup: r.result.id, documents: r.result.documents, ...(r.kind === 'firestore-managed' ? {export: r.result.exportUri, operation: r.result.operation} : {})}
      this.io.out(r.kind === 'firestore-managed'
        ? `Backup ${r.result.id} complete${r.result.resumed ? ' (resumed polling)' : ''}: managed export ${r.result.exportUri}, ${r.result.documents} documents in ${Object.keys(m.keys).length} collection(s), ${m.managed?.objects.length} object(s), ${m.totals.bytes} bytes → ${r.result.location}`
        : `Backup ${r.result.id} complete${r.result.resumed ? ' (resumed)' : ''}: ${r.result.documents} documents read at ${m.readTime}, ${m.chunks.length} chunk(s), ${m.totals.bytes} bytes → ${r.result.location}`)
      return r.result
    }
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
      const result = await runRtdbBackup({resume: this.flags.resume, chunkBytes, toolVersion: this.config.version, signal: this.signal}, {rtdb, store, progress: (e) => this.io.info(`  ${e.message}`)})
      const m = result.manifest
      this.auditDetails = {...this.auditDetails, backup: result.id, chunks: m.chunks.length, leaves: m.totals.count}
      this.io.out(`Backup ${result.id} complete${result.resumed ? ' (resumed)' : ''}: ${m.totals.lines} lines, ${m.totals.count} values, ${m.chunks.length} chunk(s), ${m.totals.bytes} bytes → ${result.location}`)
      return result
    } finally {
      lock.release()
    }
  }
}
