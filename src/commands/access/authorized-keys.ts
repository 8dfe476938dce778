import {Args} from '@oclif/core'
import {authorizedKeys, type AuthorizedKeysResult} from '../../lib/access/authorized-keys.js'
import {accessSettings} from '../../lib/access/defaults.js'
import {readRosterForAccess, durationMs} from '../../lib/access/wiring.js'
import {keysCacheFile, keysCacheKey} from '../../lib/access/key-cache.js'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import {complianceWiring} from '../../lib/compliance/sources.js'

export default class AccessAuthorizedKeys extends ImpressCommand<typeof AccessAuthorizedKeys> {
  static override summary = "Print the authorized_keys lines of a server user, from the roster and the members' GitHub keys (for sshd's AuthorizedKeysCommand)."
  static override description =
    'The SSH user of the compute hosts gets the keys of active developers, the SFTP user of the filesystem host those of admins (access.ssh / access.sftp). Keys outside the roster key policy, or shared, are left out and logged on stderr. Stdout carries key lines only. A fresh answer comes from the local cache; when GitHub does not answer, a cached one up to access.keys.maxStale (24h) old is used.'
  static override args = {user: Args.string({description: 'The server user sshd asks about (%u).', required: true})}
  static override examples = [
    '<%= config.bin %> access authorized-keys impress',
    '<%= config.bin %> access authorized-keys impress-sftp --config /etc/impress/impress.config.yaml',
    '<%= config.bin %> access authorized-keys impress --json',
  ]

  async run(): Promise<AuthorizedKeysResult> {
    const settings = accessSettings(this.environment.config.access)
    const {loaded, bytes} = readRosterForAccess(this.ctx)
    const user = this.args.user
    const result = await authorizedKeys(
      {
        serverUser: user,
        loaded,
        settings,
        cacheKey: keysCacheKey(bytes, settings),
        cacheFile: keysCacheFile(this.environment.dataDir, user),
        refreshMs: durationMs(settings.keys.refresh),
        maxStaleMs: durationMs(settings.keys.maxStale),
      },
      {
        github: async () => (await complianceWiring(this.ctx, {only: ['github']})).github,
        log: (line) => this.io.info(`impress[${process.pid}]: authorized-keys ${user}: ${line}`),
      },
    )
    for (const line of result.lines) this.io.out(line)
    return result
  }
}
