import {Args, Flags} from '@oclif/core'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import {ViolationError} from '../../lib/errors.js'
import {runVerify, type VerifyResult} from '../../lib/firebase/verify.js'
import {exportObjects} from '../../lib/firebase/wiring.js'
import {locateBackup} from '../../lib/platform/firebase/targets.js'

export default class FirebaseVerify extends ImpressCommand<typeof FirebaseVerify> {
  static override summary = 'Re-hash every chunk of a backup against its manifest and parse every line (a managed export: its objects in the bucket, sizes and MD5s); exit 3 on any mismatch.'
  static override examples = ['<%= config.bin %> firebase verify 20261123T045500Z-rtdb-impress-sandbox', '<%= config.bin %> firebase verify ./backups/sandbox/20261123T045500Z-rtdb-impress-sandbox --json']
  static override args = {backup: Args.string({description: 'Backup id (in the default store), directory, or s3://bucket/prefix/ID.', required: true})}
  static override flags = {in: Flags.string({description: 'Store holding the backup id (default: <firebase.backups>/<env>).'})}

  async run(): Promise<Omit<VerifyResult, 'manifest'>> {
    const {store, id} = await locateBackup(this.ctx, this.args.backup, this.flags.in)
    const {manifest, ...result} = await runVerify({id}, {store, objects: exportObjects(this.ctx), progress: (e) => this.io.info(`  ${e.message}`)})
    if (!result.ok) {
      // Every problem, one line each (not the first and "(and N more)").
      const lines = result.problems.map((p) => `${p.chunk ? `${p.chunk}: ` : p.key ? `key ${p.key}: ` : ''}${p.problem}`)
      const what = `Backup ${id} ${result.complete ? 'fails verification' : 'is incomplete'}`
      throw new ViolationError(lines.length === 1 ? `${what}: ${lines[0]}.` : [`${what}: ${lines.length} problems:`, ...lines.map((l) => `  ${l}`)].join('\n'), {
        code: result.complete ? 'E_BACKUP_CORRUPT' : 'E_BACKUP_INCOMPLETE',
        hint: result.complete ? 'Do not restore it; take a new backup, or restore an older verified one.' : 'Resume it with `impress firebase backup --resume`, or take a new one.',
        details: {...result},
      })
    }
    this.io.out(manifest?.managed
      ? `Backup ${id} verified: the export's ${result.chunks} object(s) in ${manifest.managed.exportUri} have the manifest's sizes and MD5s; ${result.count} documents counted in ${Object.keys(manifest.keys).length} collection(s).`
      : `Backup ${id} verified: ${result.chunks} chunk(s), ${result.lines} lines, ${result.count} values, hashes and counts match the manifest.`)
    return result
  }
}
