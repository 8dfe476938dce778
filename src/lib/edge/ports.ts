/** What the edge checks read: Cloudflare zones (platform/cloudflare/zones.ts), GitHub Pages, a network probe (platform/http/tls-probe.ts). */
import type {PagesPort} from '../frontend/ports.js'

export interface EdgeZone {
  id: string
  name: string
}

export interface EdgeZoneSettings {
  alwaysUseHttps: string
  ssl: string
  minTlsVersion: string
  hsts: {enabled: boolean; maxAge: number; includeSubdomains: boolean}
}

export interface SecurityEvent {
  zone: string
  datetime: string
  action: string
  source: string
  clientIP: string
  clientCountryName: string
  host: string
  method: string
  path: string
  rayName: string
  ruleId: string
  userAgent: string
}

export interface ZonesPort {
  list(): Promise<EdgeZone[]>
  settings(zoneId: string): Promise<EdgeZoneSettings>
  events(zone: EdgeZone, since: Date, until: Date, limit: number): Promise<SecurityEvent[]>
}

export interface HttpProbe {
  status: number
  location?: string
}

export interface TlsProbe {
  /** The chain verified against the trusted roots (and the extra CA). */
  trusted: boolean
  /** The certificate names the host. */
  nameMatches: boolean
  error?: string
  validTo?: string
  protocol?: string
}

export interface ProbePort {
  http(host: string): Promise<HttpProbe>
  tls(host: string): Promise<TlsProbe>
}

export type {PagesPort}
