/**
 * `impress edge events`: Cloudflare security events (WAF, rate limiting, DDoS mitigation) of
 * the zones behind the configured hostnames, newest first, with a summary; optionally sent
 * through the notify targets, so "DDoS attempts notify support@" is something impress does.
 */
import type {Notification} from '../notify/notify.js'
import {zoneFor} from './check.js'
import type {SecurityEvent, ZonesPort} from './ports.js'

/** Sources Cloudflare uses for its DDoS mitigation systems. */
const DDOS_SOURCES = new Set(['l7ddos', 'dosd', 'ddos', 'l4ddos'])

export interface EdgeEventsReport {
  since: string
  until: string
  zones: string[]
  events: SecurityEvent[]
  summary: {total: number; ddos: number; bySource: Record<string, number>; byAction: Record<string, number>; byHost: Record<string, number>; topClients: {ip: string; events: number}[]}
  /** Zones that answered at most `limit` events: the list may be incomplete. */
  truncated: string[]
}

export async function runEdgeEvents(options: {hostnames: string[]; since: Date; until: Date; limit: number}, deps: {zones: ZonesPort}): Promise<EdgeEventsReport> {
  const all = await deps.zones.list()
  const zones = [...new Map(options.hostnames.map((h) => zoneFor(h, all)).filter((z) => z !== undefined).map((z) => [z.id, z])).values()]
  const perZone = await Promise.all(zones.map(async (z) => ({zone: z, events: await deps.zones.events(z, options.since, options.until, options.limit)})))
  const events = perZone.flatMap((p) => p.events).sort((a, b) => Date.parse(b.datetime) - Date.parse(a.datetime))
  const count = (key: (e: SecurityEvent) => string) => events.reduce<Record<string, number>>((m, e) => ((m[key(e)] = (m[key(e)] ?? 0) + 1), m), {})
  const clients = count((e) => e.clientIP)
  return {
    since: options.since.toISOString(),
    until: options.until.toISOString(),
    zones: zones.map((z) => z.name),
    events,
    summary: {
      total: events.length,
      ddos: events.filter((e) => DDOS_SOURCES.has(e.source)).length,
      bySource: count((e) => e.source),
      byAction: count((e) => e.action),
      byHost: count((e) => e.host),
      topClients: Object.entries(clients).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([ip, n]) => ({ip, events: n})),
    },
    truncated: perZone.filter((p) => p.events.length >= options.limit).map((p) => p.zone.name),
  }
}

export function eventsNotification(r: EdgeEventsReport, env: string): Notification {
  const s = r.summary
  const by = (m: Record<string, number>) => Object.entries(m).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')
  return {
    event: 'edge-events',
    status: s.ddos > 0 ? 'violations' : 'ok',
    title: `Cloudflare security events (${env}): ${s.total} since ${r.since}${s.ddos > 0 ? `, ${s.ddos} from DDoS mitigation` : ''}`,
    lines: [`by source: ${by(s.bySource)}`, `by action: ${by(s.byAction)}`, `by host: ${by(s.byHost)}`, `top clients: ${s.topClients.map((c) => `${c.ip} (${c.events})`).join(', ')}`],
    fields: {zones: r.zones.join(', '), events: String(s.total), ddos: String(s.ddos)},
  }
}
