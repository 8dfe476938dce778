/** Hosting: every module on Lambda behind its alias, previous versions kept for rollback, HTTPS only at the edge. */
import type {ClaimDefinition} from '../types.js'

export const hostingClaims: ClaimDefinition[] = [
  {
    id: 'hosting.lambda-modules',
    section: 'Hosting',
    sentence: (s) => `Every backend module (${s.modules.join(', ')}) runs on AWS Lambda behind its alias "${s.alias}".`,
    rerun: 'impress status',
    async check(ports, settings) {
      const modules = await ports.lambda()
      const facts = modules.map((m) => {
        const a = m.aliases.find((x) => x.name === settings.alias)
        return `${m.module}: ${m.function}${a ? ` ${settings.alias} → v${a.functionVersion}` : ` has no alias ${settings.alias}`}`
      })
      const without = modules.filter((m) => !m.aliases.some((a) => a.name === settings.alias && a.functionVersion !== '$LATEST'))
      if (modules.length === 0) return {status: 'unknown', detail: 'no module is configured'}
      return without.length === 0
        ? {status: 'holds', detail: `${modules.length} module(s) on Lambda, each behind ${settings.alias} on a published version`, facts}
        : {status: 'fails', detail: `${without.map((m) => m.module).join(', ')} not behind ${settings.alias} on a published version`, facts}
    },
  },
  {
    id: 'hosting.previous-versions',
    section: 'Hosting',
    sentence: () => 'Previous versions of every module are kept, so a release can be rolled back in seconds.',
    rerun: 'impress versions <module>',
    async check(ports, settings) {
      const modules = await ports.lambda()
      const rows = modules.map((m) => {
        const live = m.aliases.find((a) => a.name === settings.alias)?.functionVersion
        const previous = m.versions.filter((v) => v.version !== '$LATEST' && v.version !== live && (live === undefined || Number(v.version) < Number(live)))
        const oldest = previous.sort((a, b) => Number(a.version) - Number(b.version))[0]
        return {m, count: previous.length, oldest}
      })
      const facts = rows.map((r) => `${r.m.module}: ${r.count} previous version(s) kept${r.oldest ? `, oldest v${r.oldest.version} (${r.oldest.lastModified.slice(0, 10)})` : ''}`)
      const none = rows.filter((r) => r.count === 0).map((r) => r.m.module)
      if (modules.length === 0) return {status: 'unknown', detail: 'no module is configured'}
      return none.length === 0
        ? {status: 'holds', detail: `every module keeps at least one previous version (${Math.min(...rows.map((r) => r.count))} to ${Math.max(...rows.map((r) => r.count))})`, facts}
        : {status: 'fails', detail: `no previous version to roll back to: ${none.join(', ')}`, facts}
    },
  },
  {
    id: 'hosting.https-only',
    section: 'Hosting',
    sentence: () => 'The frontend and the backends are reachable over HTTPS only: Cloudflare redirects HTTP to HTTPS with full or strict SSL, a modern minimum TLS version and HSTS, and every certificate is valid.',
    rerun: 'impress edge check',
    async check(ports) {
      const r = await ports.edge()
      const facts = r.hosts.map((h) => `${h.hostname}: ${h.checks.filter((c) => c.status === 'pass').length}/${h.checks.length} check(s) pass${h.checks.some((c) => c.status !== 'pass') ? ` (${h.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id} ${c.status}: ${c.detail}`).join('; ')})` : ''}`)
      if (r.hosts.length === 0) return {status: 'unknown', detail: 'no hostname is configured (edge.hostnames)'}
      if (r.failures.length > 0) return {status: 'fails', detail: `not HTTPS-only: ${[...new Set(r.failures.map((f) => f.hostname))].map((h) => `${h} (${r.failures.filter((f) => f.hostname === h).map((f) => f.check).join(', ')})`).join('; ')}`, facts}
      if (r.unknown.length > 0) return {status: 'unknown', detail: `could not check ${r.unknown.map((u) => `${u.hostname} (${u.check})`).join(', ')}`, facts}
      return {status: 'holds', detail: `${r.hosts.length} hostname(s) HTTPS-only: ${r.hosts.map((h) => h.hostname).join(', ')}`, facts}
    },
  },
]
