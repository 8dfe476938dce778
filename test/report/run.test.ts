/** The claim registry and its runner on in-memory ports: shared ports, unknown never a pass, stable JSON, escaping. */
import {describe, expect, it} from 'vitest'
import type {AuroraStatus} from '../../src/lib/aurora/status.js'
import type {EdgeCheckReport} from '../../src/lib/edge/check.js'
import {revocationVerdict} from '../../src/lib/report/claims/access.js'
import {CLAIMS} from '../../src/lib/report/claims/index.js'
import {NOT_AVAILABLE} from '../../src/lib/report/claims/pending.js'
import {NotConfigured, type ReportPorts} from '../../src/lib/report/ports.js'
import {renderHtml, renderJson, renderMarkdown} from '../../src/lib/report/render.js'
import {runReport} from '../../src/lib/report/run.js'
import {SECTIONS, type ReportSettings} from '../../src/lib/report/types.js'
import {healthyEncryption, healthyMonitoring} from './evidence-fixtures.js'

const NOW = new Date('2026-12-03T12:00:00Z')
const settings: ReportSettings = {environment: 'test', modules: ['pdf'], alias: 'live', maxReplicaLagMs: 1000, retentionDays: 7, revokeWithinDays: 1}
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3600_000).toISOString()

function aurora(lagMs: number): AuroraStatus {
  return {
    cluster: {id: 'db', status: 'available', engine: 'aurora-mysql', engineVersion: '8', backupRetentionDays: 7, deletionProtection: true},
    instances: [
      {id: 'w', role: 'writer', instanceClass: 'db.r6g.large', status: 'available', lagFlagged: false},
      {id: 'r', role: 'reader', instanceClass: 'db.r6g.large', status: 'available', lagMs, lagFlagged: lagMs > 1000},
    ],
    restoreWindow: {earliest: hoursAgo(7 * 24 + 1), latest: hoursAgo(0.1)},
    newestAutomated: {id: 'snap', createdAt: hoursAgo(10), ageHours: 10},
    violations: [],
    ok: true,
  }
}

/** An edge check of www.x.example; `failing` lists the checks that fail (or are unknown with `unknown:` in front). */
function edgeReport(failing: string[]): EdgeCheckReport {
  const ids = ['cloudflare.always_use_https', 'cloudflare.ssl', 'probe.http_redirect', 'probe.certificate'] as const
  const checks = ids.map((id) => ({id, status: failing.includes(id) ? ('fail' as const) : failing.includes(`unknown:${id}`) ? ('unknown' as const) : ('pass' as const), detail: `${id} detail`}))
  const failures = checks.filter((c) => c.status === 'fail').map((c) => ({hostname: 'www.x.example', check: c.id, detail: c.detail}))
  const unknown = checks.filter((c) => c.status === 'unknown').map((c) => ({hostname: 'www.x.example', check: c.id, detail: c.detail}))
  return {generatedAt: NOW.toISOString(), hosts: [{hostname: 'www.x.example', ok: failures.length === 0 && unknown.length === 0, checks}], failures, unknown, summary: {hosts: 1, passing: failures.length + unknown.length === 0 ? 1 : 0, failed: failures.length > 0 ? 1 : 0, unknown: unknown.length}, exitCode: failures.length > 0 ? 3 : unknown.length > 0 ? 1 : 0}
}

/** Ports where every capability answers well, counting calls; `override` replaces some. */
function ports(override: Partial<ReportPorts> = {}): {ports: ReportPorts; calls: Record<string, number>} {
  const calls: Record<string, number> = {}
  const base: ReportPorts = {
    roles: async () => ({
      plan: {file: 'roles.yaml', plan: {createRoles: [], updateRoles: [], deleteRoles: [], addPermissions: [], removePermissions: [], addMembers: [], removeMembers: [], missingDefault: [], expiredGrants: []}, summary: {changes: 0, removals: 0, assignments: 3}, violations: [], drift: false},
      tenant: {apis: [], clients: [{clientId: 'c1', name: 'impress-pdf', appType: 'spa'}], roles: [], users: [{userId: 'u1', email: 'a@x.example'}]},
      file: {default: 'USER', minAdmins: 1, maxRemovals: '10%', applications: [{name: 'pdf', client: 'impress-pdf', roles: []}]},
    }),
    aurora: async () => aurora(120),
    firebase: async () => ({location: '/b', backups: [{id: 'b1', kind: 'rtdb', source: 'x', startedAt: hoursAgo(20), ageSeconds: 72_000, complete: true, bytes: 10, chunks: 1, count: 5, lines: 5, keys: {}}], newestVerified: {id: 'b1', location: '/b/b1', complete: true, ok: true, chunks: 1, lines: 5, count: 5, problems: []}}),
    lambda: async () => [{module: 'pdf', function: 'impress-pdf', versions: [1, 2, 3].map((v) => ({version: String(v), codeSha256: 'x', codeSize: 1, lastModified: hoursAgo(100 - v), description: '', aliases: []})), aliases: [{name: 'live', functionVersion: '3'}]}],
    drills: async () => ({
      history: [
        {id: 'd1', environment: 'test', status: 'passed', startedAt: hoursAgo(48), endedAt: hoursAgo(47), rto: {targetMs: 4 * 3600_000, measuredMs: 600_000, met: true}, rpo: {targetMs: 900_000, measuredMs: 60_000, met: true, aurora: {restoredTo: hoursAgo(48), gapMs: 1000}}, steps: [], checks: [], scratch: [], cleanup: {deleted: [], failed: [], sweptExpired: []}},
      ],
      reportFile: (id) => `/data/drills/${id}/report.html`,
    }),
    compliance: async () => ({
      report: {
        generatedAt: NOW.toISOString(),
        roster: 'team.yaml',
        failOn: 'high',
        services: (['aws', 'github', 'cloudflare', 'google', 'auth0'] as const).map((service) => ({service, status: 'ok' as const, accounts: 2, durationMs: 1, notes: []})),
        findings: [],
        waived: [],
        members: [],
        summary: {members: 2, compliantMembers: 2, findings: 0, failed: 0, unknown: 0, bySeverity: {low: 0, medium: 0, high: 0, critical: 0}, atOrAboveFailOn: 0, unreachable: [], refused: [], notConfigured: []},
        exitCode: 0,
      },
    }),
    keys: async () => ({policy: {types: {rsa: 3072}, perDeveloper: 1}, members: [{member: 'a@x.example', login: 'a', status: 'active', keys: [{type: 'rsa', bits: 4096, fingerprint: 'SHA256:a'}]}], local: [], findings: [], failOn: 'high', exitCode: 0}),
    audit: async () => ({
      path: '/a', lines: 4, ok: true, problems: [], signed: 4, unsigned: 0, unchecked: 0, acknowledgements: [], signedThrough: 4, lineHashes: [], lineEnds: [],
      signatures: {status: 'checked' as const, key: 'impress/audit/hmac'},
      anchors: {status: 'checked' as const, count: 1, matching: 1, coveredThrough: 4, problems: []},
    }),
    notify: async () => ({channels: ['webhook'], last: {at: hoursAgo(2), channels: [{channel: 'webhook', ok: true}]}}),
    owners: async () => ({owners: [{area: 'Security', owner: 'a@x.example', deputy: 'b@x.example'}], members: [{email: 'a@x.example', name: 'A', status: 'active'}, {email: 'b@x.example', name: 'B', status: 'active'}]}),
    monitoring: async () => healthyMonitoring(NOW),
    encryption: async () => healthyEncryption(),
    edge: async () => edgeReport([]),
    revocations: async () => ({leavers: [{email: 'c@x.example', name: 'C', left: '2026-11-20'}], records: [{member: 'C@x.example', time: '2026-11-20T17:00:00Z', status: 'revoked', actor: 'ops@host'}], withinDays: 1}),
  }
  const merged = {...base, ...override}
  const counted = Object.fromEntries(
    Object.entries(merged).map(([k, fn]) => [
      k,
      () => {
        calls[k] = (calls[k] ?? 0) + 1
        return (fn as () => Promise<unknown>)()
      },
    ]),
  ) as unknown as ReportPorts
  return {ports: counted, calls}
}

const run = (p: ReportPorts) => runReport({settings, version: '0.0.0-test', claims: CLAIMS, now: () => NOW}, p)
const byId = (r: Awaited<ReturnType<typeof run>>) => new Map(r.sections.flatMap((s) => s.claims).map((c) => [c.id, c]))

describe('claim registry', () => {
  it('has unique ids, a rerun command per claim, and covers every section', () => {
    const ids = CLAIMS.map((c) => c.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const c of CLAIMS) expect(c.rerun).toMatch(/^impress /)
    expect(new Set(CLAIMS.map((c) => c.section))).toEqual(new Set(SECTIONS))
  })

  it('a healthy platform: every claim holds except those whose capability is not in this version; each port is read once', async () => {
    const {ports: p, calls} = ports()
    const r = await run(p)
    const pending: string[] = []
    expect(r.summary.failing).toEqual([])
    expect(r.summary.unknownIds.sort()).toEqual([...pending].sort())
    for (const id of pending) expect(byId(r).get(id)!.detail).toContain(NOT_AVAILABLE)
    expect(r.summary.holds).toBe(CLAIMS.length - pending.length)
    for (const n of Object.keys(calls)) expect(calls[n], n).toBe(1)
    expect(r.probes.map((x) => x.name).sort()).toEqual(Object.keys(calls).sort())
  })

  it('a port that throws makes its claims unknown (never holds), with the reason; the other claims still run', async () => {
    const err = Object.assign(new Error('Service Unavailable'), {$metadata: {httpStatusCode: 503}})
    const r = await run(ports({aurora: async () => Promise.reject(err), notify: async () => Promise.reject(new NotConfigured('no notify section'))}).ports)
    const c = byId(r)
    for (const id of ['db.aurora-replica', 'db.replica-lag', 'db.restore-window', 'db.aurora-snapshot']) {
      expect(c.get(id)!.status, id).toBe('unknown')
      expect(c.get(id)!.detail).toMatch(/could not be checked: HTTP 503/)
    }
    expect(c.get('incidents.notify-targets')!.detail).toBe('could not be checked: not configured: no notify section')
    expect(c.get('db.firebase-verifies')!.status).toBe('holds')
    expect(r.probes.find((x) => x.name === 'aurora')).toMatchObject({ok: false})
  })

  it('fails with the figures when the capability reports a breach', async () => {
    const r = await run(
      ports({
        aurora: async () => aurora(1500),
        notify: async () => ({channels: ['webhook', 'email'], last: {at: hoursAgo(1), channels: [{channel: 'webhook', ok: true}, {channel: 'email', ok: false, error: 'ECONNREFUSED'}]}}),
        owners: async () => ({owners: [{area: 'Security', owner: 'a@x.example', deputy: 'b@x.example'}], members: [{email: 'a@x.example', name: 'A', status: 'active'}, {email: 'b@x.example', name: 'B', status: 'left'}]}),
      }).ports,
    )
    const c = byId(r)
    expect(c.get('db.replica-lag')).toMatchObject({status: 'fails', detail: 'r lags 1500 ms (bound 1000 ms)'})
    expect(c.get('incidents.notify-delivered')!.detail).toMatch(/did not reach email/)
    expect(c.get('company.owners')).toMatchObject({status: 'fails', detail: 'B <b@x.example> (Security) has left the company'})
    expect(r.summary.failing).toEqual(['db.replica-lag', 'incidents.notify-delivered', 'company.owners'])
  })

  it('hosting.https-only: holds when every host passes the edge check; a failing check fails naming host and check; a check that could not run is unknown', async () => {
    expect(byId(await run(ports().ports)).get('hosting.https-only')).toMatchObject({status: 'holds', detail: '1 hostname(s) HTTPS-only: www.x.example'})
    const failed = byId(await run(ports({edge: async () => edgeReport(['probe.http_redirect', 'unknown:probe.certificate'])}).ports)).get('hosting.https-only')!
    expect(failed).toMatchObject({status: 'fails', detail: 'not HTTPS-only: www.x.example (probe.http_redirect)'})
    expect(failed.facts[0]).toMatch(/^www\.x\.example: 2\/4 check\(s\) pass \(probe\.http_redirect fail: .*probe\.certificate unknown/)
    expect(byId(await run(ports({edge: async () => edgeReport(['unknown:probe.certificate'])}).ports)).get('hosting.https-only')).toMatchObject({status: 'unknown', detail: 'could not check www.x.example (probe.certificate)'})
    const unconfigured = byId(await run(ports({edge: async () => Promise.reject(new NotConfigured('no edge section'))}).ports)).get('hosting.https-only')!
    expect(unconfigured.status).toBe('unknown')
  })

  it('access.revocation: each leaver due needs a completed, timely revocation in a log that verifies', () => {
    const ok = {ok: true}
    const leaver = {email: 'eve@x.example', name: 'Eve', left: '2026-11-01'}
    const rec = (time: string, status = 'revoked') => ({member: 'eve@x.example', time, status, actor: 'ops@host'})
    const verdict = (records: ReturnType<typeof rec>[], audit: {ok: boolean; break?: {line: number; reason: string}} = ok, withinDays = 1) => revocationVerdict({leavers: [leaver], records, withinDays}, audit, NOW)
    expect(verdict([])).toMatchObject({status: 'fails', detail: 'eve@x.example: no completed revocation recorded'})
    expect(verdict([rec('2026-11-02T09:00:00Z', 'partly-revoked')])).toMatchObject({status: 'fails', detail: 'eve@x.example: no completed revocation recorded (only a partial or failed one)'})
    // the last day and the day after are in time (withinDays 1); two days after is one day late
    expect(verdict([rec('2026-11-02T23:59:00Z')])).toMatchObject({status: 'holds', detail: '1 leaver(s), each revoked in time and recorded in the audit log'})
    expect(verdict([rec('2026-11-03T08:00:00Z')])).toMatchObject({status: 'fails', detail: 'eve@x.example: revoked 1 day(s) after the deadline'})
    expect(verdict([rec('2026-11-01T08:00:00Z')], ok, 0).status).toBe('holds')
    expect(verdict([rec('2026-11-02T08:00:00Z')], ok, 0).status).toBe('fails')
    expect(verdict([rec('2026-11-01T08:00:00Z', 'nothing-to-revoke')]).status).toBe('holds')
    expect(verdict([rec('2026-11-01T08:00:00Z')], {ok: false, break: {line: 3, reason: 'bad signature'}})).toMatchObject({status: 'unknown', detail: expect.stringContaining('line 3: bad signature')})
    // a leaver whose last day is today is not due yet
    expect(revocationVerdict({leavers: [{...leaver, left: '2026-12-03'}], records: [], withinDays: 1}, ok, NOW)).toMatchObject({status: 'holds', detail: 'no leaver is due (1 leaver(s) on the roster)'})
  })

  it('the drill claim links the drill report as evidence', async () => {
    const r = await run(ports().ports)
    expect(byId(r).get('db.drill')!.evidence).toEqual([
      {kind: 'command', ref: 'impress drill history'},
      {kind: 'file', ref: '/data/drills/d1/report.html', label: 'drill report d1'},
    ])
  })
})

describe('renderers', () => {
  it('JSON keeps a stable key set', async () => {
    const doc = JSON.parse(renderJson(await run(ports().ports)))
    expect(Object.keys(doc)).toEqual(['title', 'environment', 'generatedAt', 'version', 'summary', 'sections', 'probes', 'wallMs'])
    expect(Object.keys(doc.summary)).toEqual(['claims', 'holds', 'fails', 'unknown', 'failing', 'unknownIds'])
    expect(Object.keys(doc.sections[0])).toEqual(['name', 'claims'])
    expect(Object.keys(doc.sections[0].claims[0])).toEqual(['id', 'section', 'sentence', 'status', 'detail', 'facts', 'checkedAt', 'durationMs', 'evidence'])
    expect(doc.sections.map((s: {name: string}) => s.name)).toEqual([...SECTIONS])
  })

  it('HTML is one file without scripts or remote resources, escapes what the platform reports, and puts the summary first', async () => {
    const r = await run(ports({owners: async () => ({owners: [{area: '<script>alert(1)</script>', owner: 'a@x.example'}]})}).ports)
    const html = renderHtml(r)
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i)
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html.indexOf('id="summary"')).toBeLessThan(html.indexOf('<h2>'))
    const md = renderMarkdown(r)
    expect(md.indexOf('## Summary')).toBeLessThan(md.indexOf('## Authentication'))
    expect(md).toMatch(/- `company\.owners`: /)
  })
})
