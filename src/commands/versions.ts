import {Args} from '@oclif/core'
import {ImpressCommand} from '../lib/cli/base-command.js'
import {listVersions, type VersionsResult} from '../lib/lambda/versions.js'
import {lambdaAdapter, moduleSpecs} from '../lib/platform/aws/lambda-context.js'
import {renderTable} from '../lib/ui/table.js'

export default class Versions extends ImpressCommand<typeof Versions> {
  static override summary = 'Published versions of a module: code SHA, size, date, who deployed which commit, where aliases point.'
  static override examples = ['<%= config.bin %> versions pdf', '<%= config.bin %> versions etl --json']
  static override args = {module: Args.string({description: 'Module (name from lambda.modules).', required: true})}

  async run(): Promise<VersionsResult> {
    const [spec] = moduleSpecs(this.ctx, [this.args.module])
    const result = await listVersions({module: spec.module, function: spec.function}, {lambda: await lambdaAdapter(this.ctx)})
    const rows = [...result.versions]
      .reverse()
      .map((v) => [
        v.version,
        v.codeSha256.slice(0, 12),
        `${(v.codeSize / 1024).toFixed(1)} KiB`,
        v.lastModified.replace(/\.\d+\+0000$/, 'Z'),
        v.aliases.map((a) => (a.weight === 1 ? a.name : `${a.name} ${Math.round(a.weight * 100)}%`)).join(', '),
        v.description,
      ])
    this.io.out(renderTable(['VERSION', 'SHA256', 'SIZE', 'DATE', 'ALIASES', 'DESCRIPTION'], rows, {alignRight: [0, 2]}))
    return result
  }
}
