import {Flags} from '@oclif/core'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {actorName, auroraSettings} from '../../lib/aurora/settings.js'
import {parseTagFlags, runSnapshot} from '../../lib/aurora/snapshots.js'
import {names} from '../../lib/aurora/names.js'
import {createRdsPort} from '../../lib/platform/aws/rds.js'


export default class AuroraSnapshot extends ImpressCommand<typeof AuroraSnapshot> {
  static override summary = 'Take a manual cluster snapshot named impress-<cluster>-<UTC time>, tagged with who and why.'
  static override examples = ['<%= config.bin %> aurora snapshot --tag reason="before migration 43"', '<%= config.bin %> aurora snapshot --no-wait --json']
  static override mutating = true
  static handlesInterrupt = true
  static override flags = {
    ...mutatingFlags,
    tag: Flags.string({description: 'Tag key=value (repeatable); `reason` says why.', multiple: true}),
    wait: Flags.boolean({description: 'Wait until the snapshot is available (--no-wait returns at once).', default: true, allowNo: true}),
  }

  async run(): Promise<{id: string; cluster: string; status: string; tags: Record<string, string>; waited: boolean; dryRun: boolean}> {
    const {cluster} = auroraSettings(this.environment)
    const tags = parseTagFlags(this.flags.tag)
    this.auditDetails = {cluster, tags}
    if (this.dryRun) {
      const id = names.manualSnapshot(cluster, new Date())
      this.io.out(`Would create the snapshot ${id} of ${cluster} with tags ${Object.entries(tags).map(([k, v]) => `${k}=${v}`).join(', ')}.`)
      return {id, cluster, status: 'planned', tags, waited: false, dryRun: true}
    }
    const aurora = await createRdsPort(this.ctx)
    const actor = actorName(await this.ctx.awsActor())
    const r = await runSnapshot({cluster, tags, actor, wait: this.flags.wait}, {aurora, progress: (m) => this.io.info(m), signal: this.signal})
    this.auditDetails = {cluster, snapshot: r.id, tags: r.tags}
    this.io.out(r.waited ? `Snapshot ${r.id} of ${r.cluster} is available.` : `Snapshot ${r.id} of ${r.cluster} started (${r.status}); see \`impress aurora snapshots\`.`)
    return {...r, dryRun: false}
  }
}
