import fs from 'node:fs'
import path from 'node:path'
import {Flags} from '@oclif/core'
import {accessSettings} from '../../lib/access/defaults.js'
import {sshdFragment} from '../../lib/access/sshd-config.js'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'

export default class AccessInstallSshdConfig extends ImpressCommand<typeof AccessInstallSshdConfig> {
  static override summary = 'Print (or write) the sshd_config fragment: AuthorizedKeysCommand → impress access authorized-keys, and the chrooted SFTP-only user.'
  static override description = 'Include the written file from sshd_config (Debian: /etc/ssh/sshd_config.d/impress.conf is included by default), check it with `sshd -t`, then reload sshd.'
  static override examples = [
    '<%= config.bin %> access install-sshd-config',
    '<%= config.bin %> access install-sshd-config --write /etc/ssh/sshd_config.d/impress.conf --yes',
    '<%= config.bin %> access install-sshd-config --command /usr/local/sbin/impress-keys',
  ]
  static override mutating = true
  static override flags = {
    ...mutatingFlags,
    write: Flags.string({description: 'Write the fragment to this file instead of printing it.'}),
    command: Flags.string({description: 'Program sshd runs (default: this CLI, bin/run.js); must be root-owned, as must its directories.'}),
  }

  async run(): Promise<{fragment: string; written?: string}> {
    const env = this.environment
    const configArgs = env.source.kind === 'file' ? ['--config', env.source.path!, ...(env.available.length > 1 ? ['--env', env.name] : [])] : []
    const command = path.resolve(this.flags.command ?? path.join(this.config.root, 'bin', 'run.js'))
    const fragment = sshdFragment({command, configArgs, settings: accessSettings(env.config.access), version: this.config.version})
    const file = this.flags.write ? path.resolve(this.flags.write) : undefined
    if (!file || this.dryRun) {
      this.io.out(fragment.trimEnd())
      return {fragment}
    }
    const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined
    if (existing !== undefined && existing !== fragment) await this.confirm(`overwrite ${file}`)
    fs.writeFileSync(file, fragment, {mode: 0o644})
    this.io.info(`Wrote ${file}. Check it with \`sshd -t\`, then reload sshd.`)
    return {fragment, written: file}
  }
}
