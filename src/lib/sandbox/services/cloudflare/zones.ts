/**
 * Cloudflare API v4: zones (list, get), four zone settings (get, edit) and the GraphQL
 * Analytics API's `firewallEventsAdaptive` dataset (security events), under
 * /cloudflare/client/v4. Other zone settings and other GraphQL queries are refused with 501.
 * See SPEC.md.
 */
import type {ServerResponse} from 'node:http'
import {sendJson} from '../../respond.js'
import type {SandboxRequest} from '../../types.js'
import type {Stored} from '../../state.js'
import {CLOUDFLARE_SANDBOX_ACCOUNT, type SecurityEvent, type Zone, type ZoneSettingId, type ZonesState} from './zones-seed.js'

const ZONES = /^\/zones$/
const ZONE = /^\/zones\/([0-9a-f]{32})$/
const SETTING = /^\/zones\/([0-9a-f]{32})\/settings\/([a-z0-9_]+)$/
const GRAPHQL = /^\/graphql$/
const MODELLED: ZoneSettingId[] = ['always_use_https', 'ssl', 'min_tls_version', 'security_header']

export function zonesOperation(path: string, method: string): string | undefined {
  if (ZONES.test(path) && method === 'GET') return 'zones.list'
  if (ZONE.test(path) && method === 'GET') return 'zones.get'
  if (SETTING.test(path) && method === 'GET') return 'zones.settings.get'
  if (SETTING.test(path) && method === 'PATCH') return 'zones.settings.edit'
  if (GRAPHQL.test(path) && method === 'POST') return 'graphql'
  return undefined
}

export function isZonesPath(path: string): boolean {
  return ZONES.test(path) || ZONE.test(path) || SETTING.test(path) || GRAPHQL.test(path) || path.startsWith('/zones/')
}

type Fail = (res: ServerResponse, status: number, code: number, message: string) => void

export function handleZones(req: SandboxRequest, res: ServerResponse, path: string, store: () => Stored<ZonesState>, fail: Fail): void {
  const ok = (result: unknown, extra: Record<string, unknown> = {}) => sendJson(res, 200, {success: true, errors: [], messages: [], result, ...extra})
  const op = zonesOperation(path, req.method)
  if (!op) return fail(res, 501, 7000, `The sandbox does not model ${req.method} ${path} (see src/lib/sandbox/services/cloudflare/SPEC.md)`)
  const s = store()
  if (op === 'graphql') return graphql(req, res, s.data)
  if (op === 'zones.list') {
    const q = req.url.searchParams
    const perPage = Number(q.get('per_page') ?? 20)
    const page = Number(q.get('page') ?? 1)
    if (!Number.isInteger(perPage) || perPage < 5 || perPage > 50) return fail(res, 400, 1001, 'per_page must be between 5 and 50')
    if (!Number.isInteger(page) || page < 1) return fail(res, 400, 1001, 'page must be a positive integer')
    const name = q.get('name')
    const all = s.data.zones.filter((z) => !name || z.name === name)
    const slice = all.slice((page - 1) * perPage, page * perPage)
    return ok(slice.map(zoneBody), {result_info: {page, per_page: perPage, count: slice.length, total_count: all.length, total_pages: Math.max(1, Math.ceil(all.length / perPage))}})
  }
  const m = (ZONE.exec(path) ?? SETTING.exec(path))!
  const zone = s.data.zones.find((z) => z.id === m[1])
  if (!zone) return fail(res, 404, 1001, 'Invalid zone identifier')
  if (op === 'zones.get') return ok(zoneBody(zone))
  const id = m[2] as ZoneSettingId
  if (!MODELLED.includes(id)) return fail(res, 501, 1003, `The sandbox does not model the zone setting ${m[2]} (modelled: ${MODELLED.join(', ')})`)
  if (op === 'zones.settings.get') return ok(settingBody(zone, id))
  let body: {value?: unknown}
  try {
    body = req.json()
  } catch {
    return fail(res, 400, 6007, 'Malformed JSON in request body')
  }
  const error = validate(id, body?.value)
  if (error) return fail(res, 400, 1007, `Invalid value for zone setting ${id}: ${error}`)
  if (id === 'security_header') {
    const v = (body.value as {strict_transport_security: Record<string, unknown>}).strict_transport_security
    zone.settings.security_header = {strict_transport_security: {...zone.settings.security_header.strict_transport_security, ...v}}
  } else {
    ;(zone.settings as unknown as Record<string, unknown>)[id] = body.value
  }
  zone.modifiedOn[id] = new Date().toISOString()
  s.save()
  return ok(settingBody(zone, id))
}

function validate(id: ZoneSettingId, v: unknown): string | undefined {
  const oneOf = (allowed: string[]) => (typeof v === 'string' && allowed.includes(v) ? undefined : `expected one of ${allowed.join(', ')}`)
  switch (id) {
    case 'always_use_https':
      return oneOf(['on', 'off'])
    case 'ssl':
      return oneOf(['off', 'flexible', 'full', 'strict'])
    case 'min_tls_version':
      return oneOf(['1.0', '1.1', '1.2', '1.3'])
    case 'security_header': {
      const h = (v as {strict_transport_security?: Record<string, unknown>})?.strict_transport_security
      if (!h || typeof h !== 'object') return 'expected {strict_transport_security: {…}}'
      const types: Record<string, string> = {enabled: 'boolean', max_age: 'number', include_subdomains: 'boolean', preload: 'boolean', nosniff: 'boolean'}
      for (const [k, val] of Object.entries(h)) if (types[k] !== typeof val) return `strict_transport_security.${k} ${types[k] ? `must be a ${types[k]}` : 'is not a known field'}`
      return undefined
    }
  }
}

function zoneBody(z: Zone) {
  return {
    id: z.id,
    name: z.name,
    status: 'active',
    paused: false,
    type: 'full',
    development_mode: 0,
    name_servers: ['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com'],
    original_name_servers: null,
    account: {id: CLOUDFLARE_SANDBOX_ACCOUNT, name: 'IMPRESS'},
    meta: {phishing_detected: false},
    owner: {id: null, type: 'organization', name: 'IMPRESS'},
    plan: {id: '0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee', name: 'Free Website', price: 0, currency: 'USD', frequency: '', is_subscribed: false, can_subscribe: false},
    permissions: ['#zone:read', '#zone_settings:edit', '#analytics:read'],
    created_on: z.createdOn,
    modified_on: z.createdOn,
    activated_on: z.createdOn,
  }
}

function settingBody(z: Zone, id: ZoneSettingId) {
  return {id, value: z.settings[id], editable: true, modified_on: z.modifiedOn[id] ?? null}
}

const EVENT_FIELDS = new Set<keyof SecurityEvent>(['datetime', 'action', 'source', 'clientIP', 'clientCountryName', 'clientRequestHTTPHost', 'clientRequestHTTPMethodName', 'clientRequestPath', 'rayName', 'ruleId', 'userAgent'])
/** The one query shape modelled: viewer.zones(filter: {zoneTag}).firewallEventsAdaptive(filter, limit, orderBy){fields}. */
const QUERY = /^\s*query(?:\s+\w+)?\s*\(([^)]*)\)\s*\{\s*viewer\s*\{\s*zones\s*\(\s*filter\s*:\s*\{\s*zoneTag\s*:\s*\$zoneTag\s*\}\s*\)\s*\{\s*firewallEventsAdaptive\s*\(([^)]*)\)\s*\{([^{}]*)\}\s*\}\s*\}\s*\}\s*$/

function graphql(req: SandboxRequest, res: ServerResponse, state: ZonesState): void {
  const gqlError = (status: number, message: string) => sendJson(res, status, {data: null, errors: [{message, path: null, extensions: {code: status === 501 ? 'NOT_IMPLEMENTED' : 'BAD_REQUEST'}}]})
  let body: {query?: unknown; variables?: Record<string, unknown>}
  try {
    body = req.json()
  } catch {
    return gqlError(400, 'failed to parse the request body')
  }
  const m = typeof body.query === 'string' ? QUERY.exec(body.query) : null
  if (!m) return gqlError(501, 'The sandbox models one GraphQL query: viewer { zones(filter: {zoneTag: $zoneTag}) { firewallEventsAdaptive(filter: $filter, limit: $limit, orderBy: [datetime_DESC|datetime_ASC]) { fields } } }')
  const args = m[2].replace(/\s+/g, ' ').trim()
  const order = /orderBy\s*:\s*\[\s*datetime_(DESC|ASC)\s*\]/.exec(args)?.[1]
  if (!/filter\s*:\s*\$filter/.test(args) || !/limit\s*:\s*\$limit/.test(args) || !order) return gqlError(501, 'firewallEventsAdaptive takes (filter: $filter, limit: $limit, orderBy: [datetime_DESC|datetime_ASC]) in the sandbox')
  const fields = m[3].split(/[\s,]+/).filter(Boolean)
  const unknown = fields.filter((f) => !EVENT_FIELDS.has(f as keyof SecurityEvent))
  if (unknown.length > 0) return sendJson(res, 200, {data: null, errors: [{message: `unknown field "${unknown[0]}" on type "ZoneFirewallEventsAdaptive"`, path: ['viewer', 'zones', '0', 'firewallEventsAdaptive']}]})
  const v = body.variables ?? {}
  const filter = (v.filter ?? {}) as Record<string, unknown>
  const limit = Number(v.limit)
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) return sendJson(res, 200, {data: null, errors: [{message: 'limit must be between 1 and 10000', path: ['viewer', 'zones', '0', 'firewallEventsAdaptive']}]})
  const known = new Set(['datetime_geq', 'datetime_leq', 'datetime_gt', 'datetime_lt', 'action', 'source', 'clientRequestHTTPHost'])
  const bad = Object.keys(filter).find((k) => !known.has(k))
  if (bad) return gqlError(501, `The sandbox does not model the filter field ${bad}`)
  const zone = state.zones.find((z) => z.id === v.zoneTag)
  const t = (k: string) => (typeof filter[k] === 'string' ? Date.parse(filter[k] as string) : undefined)
  const [geq, leq, gt, lt] = ['datetime_geq', 'datetime_leq', 'datetime_gt', 'datetime_lt'].map(t)
  const rows = (zone?.events ?? [])
    .filter((e) => {
      const d = Date.parse(e.datetime)
      return (geq === undefined || d >= geq) && (leq === undefined || d <= leq) && (gt === undefined || d > gt) && (lt === undefined || d < lt) && ['action', 'source', 'clientRequestHTTPHost'].every((k) => filter[k] === undefined || filter[k] === e[k as keyof SecurityEvent])
    })
    .sort((a, b) => (order === 'DESC' ? -1 : 1) * (Date.parse(a.datetime) - Date.parse(b.datetime)))
    .slice(0, limit)
    .map((e) => Object.fromEntries(fields.map((f) => [f, e[f as keyof SecurityEvent]])))
  // An unknown zone tag is an empty list (the token sees no such zone), as the API answers.
  sendJson(res, 200, {data: {viewer: {zones: zone ? [{firewallEventsAdaptive: rows}] : []}}, errors: null})
}
