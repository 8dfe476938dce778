/**
 * The demo IMPRESS zones: impress.example (www served by GitHub Pages, app the application
 * shell) configured HTTPS-only, and impress-legacy.example deliberately not: Always Use HTTPS
 * is off, so its edge answers plain HTTP without a redirect. Plus a day of security events,
 * among them an HTTP flood (l7ddos) against www.
 */
import {CLOUDFLARE_SANDBOX_ACCOUNT} from './seed.js'

export type ZoneSettingId = 'always_use_https' | 'ssl' | 'min_tls_version' | 'security_header'

export interface Hsts {
  enabled: boolean
  max_age: number
  include_subdomains: boolean
  preload: boolean
  nosniff: boolean
}

export interface ZoneSettings {
  always_use_https: 'on' | 'off'
  ssl: 'off' | 'flexible' | 'full' | 'strict'
  min_tls_version: '1.0' | '1.1' | '1.2' | '1.3'
  security_header: {strict_transport_security: Hsts}
}

export interface SecurityEvent {
  datetime: string
  action: string
  source: string
  clientIP: string
  clientCountryName: string
  clientRequestHTTPHost: string
  clientRequestHTTPMethodName: string
  clientRequestPath: string
  rayName: string
  ruleId: string
  userAgent: string
}

export interface Zone {
  id: string
  name: string
  createdOn: string
  modifiedOn: Record<string, string>
  settings: ZoneSettings
  /** Proxied hostnames of the zone (its DNS records), served by the sandbox's edge endpoint. */
  hostnames: string[]
  events: SecurityEvent[]
}

export interface ZonesState {
  zones: Zone[]
}

export const DEMO_ZONE_IDS = {main: '3f1a7c2e9b8d4c6a8e0f1b2c3d4e5f60', legacy: '7b9e2d4f6a8c0e1f3a5b7c9d1e3f5a72'}
export const DEMO_MISCONFIGURED_HOST = 'impress-legacy.example'

const HSTS_ON: Hsts = {enabled: true, max_age: 31_536_000, include_subdomains: true, preload: false, nosniff: true}

export function demoZones(now = Date.now()): ZonesState {
  const iso = (msAgo: number) => new Date(now - msAgo).toISOString()
  const created = iso(400 * 86_400_000)
  let ray = 0x7f3a0000
  const event = (msAgo: number, e: Partial<SecurityEvent> & Pick<SecurityEvent, 'action' | 'source' | 'clientIP' | 'clientRequestHTTPHost'>): SecurityEvent => ({
    datetime: iso(msAgo).replace(/\.\d{3}Z$/, 'Z'),
    clientCountryName: 'NL',
    clientRequestHTTPMethodName: 'GET',
    clientRequestPath: '/',
    rayName: (ray++).toString(16) + 'a1b2c3d4',
    ruleId: '',
    userAgent: 'Mozilla/5.0',
    ...e,
  })
  const H = 3_600_000
  const flood = Array.from({length: 12}, (_, i) => event(2 * H + i * 1000, {action: 'block', source: 'l7ddos', clientIP: `198.51.100.${10 + (i % 4)}`, clientCountryName: 'XX', clientRequestHTTPHost: 'www.impress.example', clientRequestPath: '/', ruleId: 'ddos-l7-http-flood', userAgent: 'python-requests/2.31'}))
  return {
    zones: [
      {
        id: DEMO_ZONE_IDS.main,
        name: 'impress.example',
        createdOn: created,
        modifiedOn: {},
        settings: {always_use_https: 'on', ssl: 'strict', min_tls_version: '1.2', security_header: {strict_transport_security: {...HSTS_ON}}},
        hostnames: ['www.impress.example', 'app.impress.example'],
        events: [
          ...flood,
          event(5 * H, {action: 'block', source: 'firewallManaged', clientIP: '203.0.113.7', clientCountryName: 'US', clientRequestHTTPHost: 'app.impress.example', clientRequestPath: '/wp-login.php', ruleId: '5de7edfa648c4d6891dc3e7f84534ffa', userAgent: 'curl/8.4.0'}),
          event(9 * H, {action: 'managed_challenge', source: 'securitylevel', clientIP: '192.0.2.44', clientCountryName: 'BR', clientRequestHTTPHost: 'app.impress.example', clientRequestPath: '/api/login', clientRequestHTTPMethodName: 'POST'}),
          event(30 * H, {action: 'block', source: 'firewallCustom', clientIP: '203.0.113.99', clientCountryName: 'RU', clientRequestHTTPHost: 'www.impress.example', clientRequestPath: '/.env', ruleId: 'c0ffee00c0ffee00c0ffee00c0ffee00'}),
        ],
      },
      {
        id: DEMO_ZONE_IDS.legacy,
        name: 'impress-legacy.example',
        createdOn: created,
        modifiedOn: {},
        settings: {always_use_https: 'off', ssl: 'full', min_tls_version: '1.2', security_header: {strict_transport_security: {...HSTS_ON}}},
        hostnames: [DEMO_MISCONFIGURED_HOST],
        events: [event(3 * H, {action: 'block', source: 'firewallManaged', clientIP: '203.0.113.8', clientCountryName: 'CN', clientRequestHTTPHost: DEMO_MISCONFIGURED_HOST, clientRequestPath: '/xmlrpc.php', ruleId: '5de7edfa648c4d6891dc3e7f84534ffa', clientRequestHTTPMethodName: 'POST'})],
      },
    ],
  }
}

export {CLOUDFLARE_SANDBOX_ACCOUNT}
