import {Args, Flags} from '@oclif/core'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import {ensureDemoRoster} from '../../lib/compliance/demo-roster.js'
import {defaultLocalKeyPaths, runKeysCheck, type KeysReport} from '../../lib/compliance/keys.js'
import {loadRoster} from '../../lib/compliance/roster.js'
import {complianceWiring, rosterPath} from '../../lib/compliance/sources.js'
import {SEVERITIES} from '../../lib/compliance/types.js'
import {UsageError} from '../../lib/errors.js'
import {renderTable} from '../../lib/ui/table.js'

export default class ComplianceKeys extends ImpressCommand<typeof ComplianceKeys> {
  static override summary = 'Check SSH keys: one RSA key of at least 3072 bits per developer on GitHub, none shared, none left by leavers; or your own keys with --local.'
  static override description = 'Only fingerprints are printed, never key material. Exit 3 when a finding is at or above --fail-on.'
  static override strict = false
  static override args = {paths: Args.string({description: 'Private key files for --local (default: ~/.ssh/id_*).', required: false})}
  static override examples = ['<%= config.bin %> compliance keys', '<%= config.bin %> compliance keys --local', '<%= config.bin %> compliance keys --local ~/.ssh/id_rsa --json']
  static override flags = {
    local: Flags.boolean({description: 'Check your own private keys (passphrase, type, size) instead of GitHub.'}),
    'fail-on': Flags.string({description: 'Lowest severity that fails the check (exit 3).', options: [...SEVERITIES], default: 'high'}),
  }

  async run(): Promise<KeysReport> {
    const paths = this.argv.filter((a) => !a.startsWith('-') && a !== this.flags['fail-on'] && a !== this.flags.env && a !== this.flags.config)
    if (paths.length > 0 && !this.flags.local) throw new UsageError('Key paths are only read with --local.', {hint: 'Run `impress compliance keys --local PATH…`.'})
    const file = rosterPath(this.ctx)
    if (this.environment.source.kind === 'builtin') ensureDemoRoster(file)
    const loaded = loadRoster(file)
    const github = this.flags.local ? undefined : (await complianceWiring(this.ctx, {only: ['github']})).github
    if (!this.flags.local && !github) throw new UsageError('GitHub is not configured for this environment.', {hint: 'Add compliance.github (org and token), or use --local.'})
    const localPaths = this.flags.local ? (paths.length > 0 ? paths : defaultLocalKeyPaths()) : undefined
    const report = await runKeysCheck({loaded, failOn: this.flags['fail-on'] as KeysReport['failOn'], localPaths}, {github})
    if (report.members.length > 0)
      this.io.out(renderTable(['member', 'github', 'keys'], report.members.map((m) => [`${m.member}${m.status === 'left' ? ' (left)' : ''}`, m.login, m.error ?? (m.keys.map((k) => `${k.type}-${k.bits} ${k.fingerprint}`).join(', ') || 'none')])))
    if (report.local.length > 0) this.io.out(renderTable(['key', 'passphrase', 'type', 'fingerprint'], report.local.map((k) => [k.path, k.encrypted === null ? '?' : k.encrypted ? 'yes' : 'NO', k.type ? `${k.type}-${k.bits}` : '?', k.fingerprint ?? k.error ?? ''])))
    if (this.flags.local && report.local.length === 0) this.io.out('No private keys found.')
    this.io.out()
    if (report.findings.length > 0) this.io.out(renderTable(['severity', 'rule', 'account', 'finding'], report.findings.map((f) => [f.severity, f.rule, f.member ?? f.account ?? '', f.message])))
    this.io.out(`${report.findings.length} finding(s)`)
    if (report.exitCode === 3) this.io.warn(`Findings at or above ${report.failOn} (exit 3).`)
    process.exitCode = report.exitCode
    return report
  }
}
