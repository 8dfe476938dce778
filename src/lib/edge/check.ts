/**
 * `impress edge check`: every configured hostname is HTTPS-only. Per host: its Cloudflare zone's
 * settings (Always Use HTTPS on, SSL full or strict, minimum TLS at least the configured
 * version, HSTS enabled), GitHub Pages' https_enforced when the host is the Pages site's custom
 * domain, and a real probe: http:// answers a redirect to https:// on the same host, and the
 * certificate is trusted, names the host and does not expire within `expiryDays`.
 * A compliance-style rule: plain data in, plain data out (the security report calls it).
 */
import type {EdgeZone, EdgeZoneSettings, PagesPort, ProbePort, ZonesPort} from './ports.js'

export type EdgeCheckId =
  | 'cloudflare.zone'
  | 'cloudflare.always_use_https'
  | 'cloudflare.ssl'
  | 'cloudflare.min_tls_version'
  | 'cloudflare.hsts'
  | 'github_pages.https_enforced'
  | 'probe.http_redirect'
  | 'probe.certificate'

export interface EdgeCheckResult {
  id: EdgeCheckId
  status: 'pass' | 'fail' | 'unknown'
  detail: string
}

export interface EdgeHostResult {
  hostname: string
  zone?: string
  ok: boolean
  checks: EdgeCheckResult[]
}

export interface EdgeCheckReport {
  generatedAt: string
  hosts: EdgeHostResult[]
  failures: {hostname: string; check: EdgeCheckId; detail: string}[]
  unknown: {hostname: string; check: EdgeCheckId; detail: string}[]
  summary: {hosts: number; passing: number; failed: number; unknown: number}
  /** 0 all pass; 3 a check failed; 1 nothing failed but something could not be checked. */
  exitCode: 0 | 1 | 3
}

export interface EdgeCheckOptions {
  hostnames: string[]
  minTls: '1.2' | '1.3'
  expiryDays: number
}

export interface EdgeCheckDeps {
  zones?: ZonesPort
  pages?: PagesPort
  probe: ProbePort
  now?: () => Date
}

const TLS_ORDER = ['1.0', '1.1', '1.2', '1.3']

/** The zone a hostname belongs to: the longest zone name it equals or ends with. */
export function zoneFor(host: string, zones: EdgeZone[]): EdgeZone | undefined {
  return zones.filter((z) => host === z.name || host.endsWith(`.${z.name}`)).sort((a, b) => b.name.length - a.name.length)[0]
}

export function settingChecks(s: EdgeZoneSettings, minTls: string): EdgeCheckResult[] {
  const r = (id: EdgeCheckId, ok: boolean, detail: string): EdgeCheckResult => ({id, status: ok ? 'pass' : 'fail', detail})
  return [
    r('cloudflare.always_use_https', s.alwaysUseHttps === 'on', `Always Use HTTPS is ${s.alwaysUseHttps}`),
    r('cloudflare.ssl', s.ssl === 'full' || s.ssl === 'strict', `SSL mode is ${s.ssl}${s.ssl === 'full' || s.ssl === 'strict' ? '' : ' (needs full or strict)'}`),
    r('cloudflare.min_tls_version', TLS_ORDER.indexOf(s.minTlsVersion) >= TLS_ORDER.indexOf(minTls), `minimum TLS version is ${s.minTlsVersion}${TLS_ORDER.indexOf(s.minTlsVersion) >= TLS_ORDER.indexOf(minTls) ? '' : ` (needs ${minTls} or higher)`}`),
    r('cloudflare.hsts', s.hsts.enabled && s.hsts.maxAge > 0, s.hsts.enabled ? `HSTS enabled, max-age ${s.hsts.maxAge}${s.hsts.includeSubdomains ? ', includeSubDomains' : ''}` : 'HSTS is disabled'),
  ]
}

function describeError(e: unknown): string {
  const x = e as {message?: string; status?: number; code?: string}
  return `${x?.status ? `HTTP ${x.status}: ` : ''}${(x?.message ?? String(e)).split('\n')[0]}`
}

export async function runEdgeCheck(options: EdgeCheckOptions, deps: EdgeCheckDeps): Promise<EdgeCheckReport> {
  const now = deps.now?.() ?? new Date()
  const unknown = (id: EdgeCheckId, detail: string): EdgeCheckResult => ({id, status: 'unknown', detail})
  const zonesP = deps.zones ? deps.zones.list().then((z) => ({z}), (error) => ({error: describeError(error)})) : Promise.resolve({error: 'Cloudflare is not configured (edge.cloudflare / CLOUDFLARE_API_TOKEN)'})
  const pagesP = deps.pages ? deps.pages.site().then((site) => ({site}), (error) => ({error: describeError(error)})) : Promise.resolve({site: null})
  const settings = new Map<string, Promise<EdgeZoneSettings>>()

  const hosts = await Promise.all(
    options.hostnames.map(async (hostname): Promise<EdgeHostResult> => {
      const checks: EdgeCheckResult[] = []
      const zones = await zonesP
      let zone: EdgeZone | undefined
      if ('error' in zones) checks.push(unknown('cloudflare.zone', `zones could not be listed: ${zones.error}`))
      else {
        zone = zoneFor(hostname, zones.z)
        if (!zone) checks.push({id: 'cloudflare.zone', status: 'fail', detail: 'no Cloudflare zone of this account covers the hostname (not behind Cloudflare)'})
        else {
          let p = settings.get(zone.id)
          if (!p) settings.set(zone.id, (p = deps.zones!.settings(zone.id)))
          try {
            checks.push(...settingChecks(await p, options.minTls))
          } catch (error) {
            checks.push(unknown('cloudflare.always_use_https', `zone settings of ${zone.name} could not be read: ${describeError(error)}`))
          }
        }
      }
      const pages = await pagesP
      if ('error' in pages) checks.push(unknown('github_pages.https_enforced', `the Pages site could not be read: ${pages.error}`))
      else if (pages.site && pages.site.cname === hostname) checks.push({id: 'github_pages.https_enforced', status: pages.site.httpsEnforced ? 'pass' : 'fail', detail: `GitHub Pages (${pages.site.repo}) https_enforced is ${pages.site.httpsEnforced}`})
      const [httpR, tlsR] = await Promise.allSettled([deps.probe.http(hostname), deps.probe.tls(hostname)])
      if (httpR.status === 'rejected') checks.push(unknown('probe.http_redirect', `http://${hostname}/ did not answer: ${describeError(httpR.reason)}`))
      else {
        const {status, location} = httpR.value
        const toHttps = status >= 300 && status < 400 && typeof location === 'string' && sameHostHttps(location, hostname)
        checks.push({id: 'probe.http_redirect', status: toHttps ? 'pass' : 'fail', detail: toHttps ? `http:// answers ${status} → ${location}` : status >= 300 && status < 400 ? `http:// answers ${status} to ${location ?? 'nowhere'}, not to https://${hostname}` : `http:// answers ${status} over plain HTTP (no redirect to https://)`})
      }
      if (tlsR.status === 'rejected') checks.push(unknown('probe.certificate', `https://${hostname}/ did not answer: ${describeError(tlsR.reason)}`))
      else checks.push(certificateCheck(tlsR.value, hostname, now, options.expiryDays))
      return {hostname, ...(zone ? {zone: zone.name} : {}), ok: checks.every((c) => c.status === 'pass'), checks}
    }),
  )
  const flat = hosts.flatMap((h) => h.checks.map((c) => ({hostname: h.hostname, check: c.id, detail: c.detail, status: c.status})))
  const failures = flat.filter((c) => c.status === 'fail').map(({status: _s, ...c}) => c)
  const unknowns = flat.filter((c) => c.status === 'unknown').map(({status: _s, ...c}) => c)
  return {
    generatedAt: now.toISOString(),
    hosts,
    failures,
    unknown: unknowns,
    summary: {hosts: hosts.length, passing: hosts.filter((h) => h.ok).length, failed: new Set(failures.map((f) => f.hostname)).size, unknown: unknowns.length},
    exitCode: failures.length > 0 ? 3 : unknowns.length > 0 ? 1 : 0,
  }
}

function sameHostHttps(location: string, host: string): boolean {
  try {
    const u = new URL(location)
    return u.protocol === 'https:' && u.hostname === host
  } catch {
    return false
  }
}

export function certificateCheck(t: {trusted: boolean; nameMatches: boolean; error?: string; validTo?: string; protocol?: string}, host: string, now: Date, expiryDays: number): EdgeCheckResult {
  const fail = (detail: string): EdgeCheckResult => ({id: 'probe.certificate', status: 'fail', detail})
  if (!t.trusted) return fail(`certificate not trusted: ${t.error ?? 'unknown issuer'}`)
  if (!t.nameMatches) return fail(`certificate does not name ${host}${t.error ? `: ${t.error}` : ''}`)
  if (!t.validTo) return fail('certificate has no expiry date')
  const days = Math.floor((Date.parse(t.validTo) - now.getTime()) / 86_400_000)
  if (days < expiryDays) return fail(days < 0 ? `certificate expired on ${t.validTo}` : `certificate expires in ${days} day(s) (${t.validTo}), within ${expiryDays}`)
  return {id: 'probe.certificate', status: 'pass', detail: `valid for ${host}, ${days} days left${t.protocol ? `, ${t.protocol}` : ''}`}
}
