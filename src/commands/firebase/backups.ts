import {Flags} from '@oclif/core'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import {listBackups, type BackupSummary} from '../../lib/firebase/list.js'
import {defaultBackupRoot, storeAt} from '../../lib/platform/firebase/targets.js'
import {renderTable} from '../../lib/ui/table.js'

export function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds}s`
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`
  return `${Math.round(seconds / 86_400)}d`
}

export default class FirebaseBackups extends ImpressCommand<typeof FirebaseBackups> {
  static override summary = 'List Firebase backups with time, age, size, counts and completeness.'
  static override examples = ['<%= config.bin %> firebase backups', '<%= config.bin %> firebase backups --in s3://impress-backups/firebase --json']
  static override flags = {
    in: Flags.string({description: 'Directory or s3://bucket/prefix to list (default: <firebase.backups>/<env>).'}),
  }

  async run(): Promise<{location: string; backups: BackupSummary[]}> {
    const store = await storeAt(this.ctx, this.flags.in ?? defaultBackupRoot(this.ctx))
    const backups = await listBackups({store})
    if (backups.length === 0) {
      this.io.out(`No backups in ${store.location}.`)
    } else {
      const rows = backups.map((b) => [b.id, b.startedAt, formatAge(b.ageSeconds), b.bytes, b.count, b.chunks, b.complete ? 'complete' : 'INCOMPLETE'])
      this.io.out(renderTable(['BACKUP', 'STARTED', 'AGE', 'BYTES', 'VALUES', 'CHUNKS', 'STATE'], rows))
    }
    return {location: store.location, backups}
  }
}
