import {Flags} from '@oclif/core'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {runDeploy, type DeployResult} from '../../lib/frontend/deploy.js'
import {deployer, frontendDir, frontendTarget} from '../../lib/frontend/wiring.js'

export default class FrontendDeploy extends ImpressCommand<typeof FrontendDeploy> {
  static override summary = 'Publish the built frontend as one commit on the deploy branch (GitHub Pages); unchanged files are not uploaded.'
  static override description = 'Only files whose git blob id differs from the branch are uploaded; nothing changed = no commit. The branch moves by fast-forward only: if another deploy landed meanwhile, this one is refused (exit 4) and nothing is lost; run it again.'
  static override examples = [
    '<%= config.bin %> frontend deploy',
    '<%= config.bin %> frontend deploy --dir dist/ --message "Release 1.4.0"',
    '<%= config.bin %> frontend deploy --dry-run --json',
  ]
  static override mutating = true
  static override flags = {
    ...mutatingFlags,
    dir: Flags.string({description: 'Directory of built files (default: frontend.dir).'}),
    message: Flags.string({char: 'm', description: 'Subject of the deploy commit (who and which source commit are always recorded).'}),
  }

  async run(): Promise<DeployResult> {
    const dir = frontendDir(this.ctx, this.flags.dir)
    const target = await frontendTarget(this.ctx)
    this.io.info(`Comparing ${dir} with ${target.describe}…`)
    const r = await runDeploy({dir, message: this.flags.message, dryRun: this.dryRun, deployedBy: deployer()}, {target, onProgress: (l) => this.io.info(l)})
    this.auditDetails = {target: r.target, from: r.head, commit: r.commit, upload: r.upload.length, remove: r.remove.length}
    const sizes = `${r.upload.length} to upload (${r.uploadBytes} bytes), ${r.remove.length} to remove, ${r.unchanged} unchanged of ${r.files}`
    if (r.noop) this.io.out(`Nothing changed: ${target.describe} already serves these ${r.files} files; no commit made.`)
    else if (r.dryRun) {
      for (const f of r.upload.slice(0, 20)) this.io.out(`  upload ${f.path} (${f.size} bytes)`)
      for (const f of r.remove.slice(0, 20)) this.io.out(`  remove ${f}`)
      this.io.out(`Dry run: ${sizes}.`)
    } else this.io.out(`Deployed ${r.commit!.slice(0, 10)} to ${target.describe}: ${sizes}; ${r.blobsUploaded} blob(s) uploaded in ${r.durationMs} ms.`)
    return r
  }
}
