import {Flags} from '@oclif/core'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import type {DeployResult} from '../../lib/frontend/deploy.js'
import {deployer, frontendDir} from '../../lib/frontend/wiring.js'

export default class FrontendDeploy extends ImpressCommand<typeof FrontendDeploy> {
  static override summary = 'Publish the built frontend (GitHub Pages: one commit on the deploy branch; Vercel: a production deployment); unchanged files are not uploaded.'
  static override description = 'GitHub Pages: only files whose git blob id differs from the branch are uploaded; nothing changed = no commit; the branch moves by fast-forward only (a racing deploy is refused, exit 4). Vercel: only files Vercel does not have are uploaded (its missing_files answer); the same files as the current production deployment = no deployment. Who deployed which source commit is recorded either way.'
  static override examples = [
    '<%= config.bin %> frontend deploy',
    '<%= config.bin %> frontend deploy --dir dist/ --message "Release 1.4.0"',
    '<%= config.bin %> frontend deploy --dry-run --json',
  ]
  static override mutating = true
  static override flags = {
    ...mutatingFlags,
    dir: Flags.string({description: 'Directory of built files (default: frontend.dir).'}),
    message: Flags.string({char: 'm', description: 'Subject of the deploy (commit subject or deployment meta); who and which source commit are always recorded.'}),
  }

  async run(): Promise<DeployResult & {host: string}> {
    const dir = frontendDir(this.ctx, this.flags.dir)
    const host = await this.ctx.frontendHost()
    this.io.info(`Comparing ${dir} with ${host.describe}…`)
    const r = await host.deploy({dir, message: this.flags.message, dryRun: this.dryRun, deployedBy: deployer()}, (l) => this.io.info(l))
    this.auditDetails = {target: r.target, from: r.head, version: r.version, upload: r.upload.length, remove: r.remove.length}
    const sizes = `${r.upload.length} to upload (${r.uploadBytes} bytes), ${r.remove.length} to remove, ${r.unchanged} unchanged of ${r.files}`
    if (r.noop) this.io.out(`Nothing changed: ${host.describe} already serves these ${r.files} files; nothing deployed.`)
    else if (r.dryRun) {
      for (const f of r.upload.slice(0, 20)) this.io.out(`  upload ${f.path} (${f.size} bytes)`)
      for (const f of r.remove.slice(0, 20)) this.io.out(`  remove ${f}`)
      this.io.out(host.kind === 'vercel' ? `Dry run: ${r.files} files (${r.bytes} bytes) differ from production ${r.head ?? '(none)'}; Vercel names the files it lacks when deploying.` : `Dry run: ${sizes}.`)
    } else this.io.out(`Deployed ${r.version} to ${host.describe}${r.url ? ` (${r.url})` : ''}: ${r.uploaded} of ${r.files} file(s) uploaded in ${r.durationMs} ms${r.promoted ? '; promoted to production (auto-assignment was paused by a rollback)' : ''}.`)
    return {host: host.kind, ...r}
  }
}
