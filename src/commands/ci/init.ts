import fs from 'node:fs'
import path from 'node:path'
import {Flags} from '@oclif/core'
import {githubWorkflows} from '../../lib/ci/github.js'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {RefusedError} from '../../lib/errors.js'

export default class CiInit extends ImpressCommand<typeof CiInit> {
  static override summary = 'Write CI workflows for the scheduled work the security document promises: weekly backups, nightly compliance (SARIF), monthly drill (JUnit), weekly security report.'
  static override description = 'The workflows install the project (npm ci) and call impress and nothing else; secrets the environment reads as env:NAME come from repository secrets of the same name. An existing workflow is never overwritten without --force.'
  static override examples = ['<%= config.bin %> ci init', '<%= config.bin %> ci init --env prod --dry-run', '<%= config.bin %> ci init --env prod --force --json']
  static override mutating = true
  static override flags = {
    ...mutatingFlags,
    provider: Flags.string({description: 'CI provider.', options: ['github'], default: 'github'}),
    dir: Flags.string({description: 'Repository root to write into (default: the working directory).'}),
    force: Flags.boolean({description: 'Overwrite workflows that already exist.'}),
  }

  async run(): Promise<{provider: string; environment: string; dryRun: boolean; files: {path: string; action: 'create' | 'overwrite'}[]}> {
    const root = path.resolve(this.flags.dir ?? '.')
    const env = this.environment
    const workflows = githubWorkflows({environment: env.name, config: env.config, sandbox: env.sandbox})
    const files = workflows.map((w) => ({...w, file: path.join(root, w.path), action: fs.existsSync(path.join(root, w.path)) ? ('overwrite' as const) : ('create' as const)}))
    const existing = files.filter((f) => f.action === 'overwrite')
    if (existing.length > 0 && !this.flags.force && !this.dryRun) {
      throw new RefusedError(`${existing.map((f) => f.path).join(', ')} already exist${existing.length === 1 ? 's' : ''}.`, {code: 'E_EXISTS', hint: 'Pass --force to overwrite them (or --dry-run to see what would be written).'})
    }
    for (const f of files) {
      if (this.dryRun) {
        this.io.out(`--- ${f.path} (${f.action})\n${f.text}`)
        continue
      }
      fs.mkdirSync(path.dirname(f.file), {recursive: true})
      fs.writeFileSync(f.file, f.text)
      this.io.out(`${f.action === 'create' ? 'wrote' : 'overwrote'} ${f.path}: ${f.name}`)
    }
    if (!this.dryRun) this.io.info(`Commit ${path.join(root, '.github/workflows')}; add the repository secrets the workflows name (env:NAME values of ${env.name}).`)
    this.auditDetails = {files: files.map((f) => f.path)}
    return {provider: this.flags.provider, environment: env.name, dryRun: this.dryRun, files: files.map((f) => ({path: f.path, action: f.action}))}
  }
}
