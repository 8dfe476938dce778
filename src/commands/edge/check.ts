import {ImpressCommand} from '../../lib/cli/base-command.js'
import type {EdgeCheckReport} from '../../lib/edge/check.js'
import {edgeSection, runConfiguredEdgeCheck} from '../../lib/edge/wiring.js'
import {renderTable} from '../../lib/ui/table.js'

export default class EdgeCheck extends ImpressCommand<typeof EdgeCheck> {
  static override summary = 'Prove every configured hostname is HTTPS-only: Cloudflare settings, GitHub Pages, and a real HTTP/TLS probe.'
  static override description = 'Checks per hostname: Always Use HTTPS on, SSL full or strict, minimum TLS >= edge.minTls, HSTS; GitHub Pages https_enforced (for the Pages custom domain); http:// redirects to https://; the certificate is trusted, names the host and does not expire within edge.expiryDays. Exit codes: 0 all pass; 3 a check failed (named host and check); 1 something could not be checked.'
  static override examples = ['<%= config.bin %> edge check', '<%= config.bin %> edge check --json']

  async run(): Promise<EdgeCheckReport> {
    this.io.info(`Checking ${edgeSection(this.ctx).hostnames.join(', ')}…`)
    const r = await runConfiguredEdgeCheck(this.ctx)
    const mark = {pass: 'ok', fail: 'FAIL', unknown: 'unknown'} as const
    this.io.out(renderTable(['HOST', 'CHECK', 'RESULT', 'DETAIL'], r.hosts.flatMap((h) => h.checks.map((c) => [h.hostname, c.id, mark[c.status], c.detail]))))
    this.io.out(`${r.summary.passing}/${r.summary.hosts} host(s) HTTPS-only; ${r.failures.length} failed check(s), ${r.unknown.length} unknown.`)
    if (r.exitCode === 3) this.io.warn(`Not HTTPS-only: ${r.failures.map((f) => `${f.hostname} (${f.check})`).join(', ')} (exit 3).`)
    else if (r.exitCode === 1) this.io.warn(`Could not check: ${r.unknown.map((f) => `${f.hostname} (${f.check})`).join(', ')} (exit 1).`)
    process.exitCode = r.exitCode
    return r
  }
}
