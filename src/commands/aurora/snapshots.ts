import {ImpressCommand} from '../../lib/cli/base-command.js'
import {auroraSettings} from '../../lib/aurora/settings.js'
import {listSnapshotRows, type SnapshotRow} from '../../lib/aurora/snapshots.js'
import {createRdsPort} from '../../lib/platform/aws/rds.js'
import {renderTable} from '../../lib/ui/table.js'

export default class AuroraSnapshots extends ImpressCommand<typeof AuroraSnapshots> {
  static override summary = 'List the manual and automated snapshots of the cluster with age, size and tags.'
  static override examples = ['<%= config.bin %> aurora snapshots', '<%= config.bin %> aurora snapshots --json']

  async run(): Promise<{cluster: string; snapshots: SnapshotRow[]}> {
    const {cluster} = auroraSettings(this.environment)
    const snapshots = await listSnapshotRows(cluster, {aurora: await createRdsPort(this.ctx)})
    const age = (h: number) => (h >= 48 ? `${Math.floor(h / 24)}d` : `${h}h`)
    this.io.out(
      renderTable(
        ['snapshot', 'type', 'status', 'created', 'age', 'size', 'tags'],
        snapshots.map((s) => [s.id, s.type, s.status, s.createdAt.replace(/\.\d+Z$/, 'Z'), age(s.ageHours), s.sizeGb === undefined ? '' : `${s.sizeGb} GB`, Object.entries(s.tags).filter(([k]) => !['app', 'env', 'data'].includes(k)).map(([k, v]) => `${k}=${v}`).join(' ')]),
        {header: this.io.color.bold, alignRight: [4, 5]},
      ),
    )
    return {cluster, snapshots}
  }
}
