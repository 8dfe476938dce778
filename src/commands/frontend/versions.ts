import {Flags} from '@oclif/core'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import type {VersionRow, VersionsResult} from '../../lib/frontend/versions.js'
import {renderTable} from '../../lib/ui/table.js'

export default class FrontendVersions extends ImpressCommand<typeof FrontendVersions> {
  static override summary = 'List the deployed frontend versions (deploy commits or Vercel production deployments): who, when, source commit, size, which is served.'
  static override examples = ['<%= config.bin %> frontend versions', '<%= config.bin %> frontend versions --limit 50 --json']
  static override flags = {
    limit: Flags.integer({description: 'Read at most this many commits of the deploy branch (Vercel: production deployments).', default: 30, min: 1}),
  }

  async run(): Promise<VersionsResult<VersionRow> & {host: string}> {
    const host = await this.ctx.frontendHost()
    const r = await host.versions({limit: this.flags.limit})
    const short = (id: string) => (host.kind === 'vercel' ? id : id.slice(0, 10))
    if (r.versions.length === 0) this.io.out(`No deployed version on ${r.target}.`)
    else {
      const rows = r.versions.map((v) => [`${v.current ? '* ' : '  '}${short(v.id)}`, v.date.replace('T', ' ').replace(/(\.\d+)?Z$/, ''), v.deployedBy, v.kind === 'rollback' ? `rollback → ${v.restores?.slice(0, 10)}` : (v.sourceCommit?.slice(0, 10) ?? '-'), v.files, `${(v.bytes / 1024).toFixed(1)} KiB`, v.subject])
      this.io.out(renderTable(['VERSION', 'DEPLOYED (UTC)', 'BY', 'SOURCE', 'FILES', 'SIZE', 'SUBJECT'], rows))
    }
    if (r.otherCommits > 0) this.io.info(`${r.otherCommits} commit(s) on the branch were not made by impress and are not listed.`)
    return {host: host.kind, ...r}
  }
}
