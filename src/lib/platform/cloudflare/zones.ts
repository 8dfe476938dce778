/**
 * Cloudflare adapter for the edge: zones (paged by result_info.total_pages), four zone
 * settings, and security events from the GraphQL Analytics API's firewallEventsAdaptive
 * dataset (the SDK has no resource for it: the SDK client's own `post('/graphql')`, so auth,
 * retries and the base URL stay the SDK's).
 */
import type {EdgeZone, EdgeZoneSettings, SecurityEvent, ZonesPort} from '../../edge/ports.js'
import {OperationError} from '../../errors.js'

export interface ZonesOptions {
  token: string
  baseURL?: string
  pageSize?: number
  maxRetries?: number
}

type CloudflareT = InstanceType<typeof import('cloudflare').default>

const FIELDS = 'datetime action source clientIP clientCountryName clientRequestHTTPHost clientRequestHTTPMethodName clientRequestPath rayName ruleId userAgent'
export const EVENTS_QUERY = `query ImpressSecurityEvents($zoneTag: string, $filter: ZoneFirewallEventsAdaptiveFilter_InputObject, $limit: uint64) {
  viewer {
    zones(filter: {zoneTag: $zoneTag}) {
      firewallEventsAdaptive(filter: $filter, limit: $limit, orderBy: [datetime_DESC]) {
        ${FIELDS}
      }
    }
  }
}`

export class CloudflareZones implements ZonesPort {
  private client?: Promise<CloudflareT>
  constructor(private readonly options: ZonesOptions) {}

  private cf(): Promise<CloudflareT> {
    this.client ??= import('cloudflare').then(({default: Cloudflare}) => new Cloudflare({apiToken: this.options.token, baseURL: this.options.baseURL, maxRetries: this.options.maxRetries ?? 3}))
    return this.client
  }

  async list(): Promise<EdgeZone[]> {
    const cf = await this.cf()
    const out: EdgeZone[] = []
    for (let page = 1, pages = 1; page <= pages; page++) {
      const res = await cf.zones.list({page, per_page: this.options.pageSize ?? 50})
      pages = (res.result_info as {total_pages?: number} | undefined)?.total_pages ?? page
      for (const z of res.result) out.push({id: z.id, name: z.name})
    }
    return out
  }

  async settings(zoneId: string): Promise<EdgeZoneSettings> {
    const cf = await this.cf()
    const get = (id: string) => cf.zones.settings.get(id, {zone_id: zoneId}).then((r) => (r as {value: unknown}).value)
    const [auh, ssl, tlsMin, header] = await Promise.all([get('always_use_https'), get('ssl'), get('min_tls_version'), get('security_header')])
    const hsts = (header as {strict_transport_security?: {enabled?: boolean; max_age?: number; include_subdomains?: boolean}})?.strict_transport_security ?? {}
    return {alwaysUseHttps: String(auh), ssl: String(ssl), minTlsVersion: String(tlsMin), hsts: {enabled: Boolean(hsts.enabled), maxAge: hsts.max_age ?? 0, includeSubdomains: Boolean(hsts.include_subdomains)}}
  }

  async events(zone: EdgeZone, since: Date, until: Date, limit: number): Promise<SecurityEvent[]> {
    const cf = await this.cf()
    const res = (await cf.post('/graphql', {body: {query: EVENTS_QUERY, variables: {zoneTag: zone.id, filter: {datetime_geq: since.toISOString(), datetime_leq: until.toISOString()}, limit}}})) as {
      data?: {viewer?: {zones?: {firewallEventsAdaptive?: Record<string, string>[]}[]}} | null
      errors?: {message: string}[] | null
    }
    if (res.errors && res.errors.length > 0) throw new OperationError(`Cloudflare's GraphQL API refused the security events query for ${zone.name}: ${res.errors[0].message}`, {code: 'E_CLOUDFLARE_GRAPHQL', hint: 'The token needs Analytics Read on the zone; the time range may exceed what the plan allows (try a shorter --since).'})
    const rows = res.data?.viewer?.zones?.[0]?.firewallEventsAdaptive ?? []
    return rows.map((e) => ({zone: zone.name, datetime: e.datetime, action: e.action, source: e.source, clientIP: e.clientIP, clientCountryName: e.clientCountryName, host: e.clientRequestHTTPHost, method: e.clientRequestHTTPMethodName, path: e.clientRequestPath, rayName: e.rayName, ruleId: e.ruleId, userAgent: e.userAgent}))
  }
}
