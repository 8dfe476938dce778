/** The status sections of an environment, each built from its capability (only configured ones). */
import fs from 'node:fs'
import ms from 'ms'
import type {Context} from '../context.js'
import {firestoreKind} from '../drill/report.js'
import {fmt, type DrillReport} from '../drill/run.js'
import {readHistory} from '../drill/store.js'
import type {StatusSection} from './run.js'

const DRILL_MAX_AGE_MS = 90 * 24 * 3600_000
/** Weekly schedule plus a day's margin. */
export const BACKUP_MAX_AGE_MS = 8 * 24 * 3600_000
/** The IAM credential report may be up to 4 h old; older is stale. */
const CREDENTIAL_REPORT_MAX_AGE_MS = 4 * 3600_000

export function drillSection(ctx: Context, now = new Date()): StatusSection {
  return {
    name: 'last drill',
    async gather() {
      const last = readHistory(ctx.env.dataDir)[0]
      if (!last) return {rows: [['last drill', 'never']], problems: ['no drill has ever run: run `impress drill`']}
      const age = now.getTime() - Date.parse(last.startedAt)
      const problems: string[] = []
      if (age > DRILL_MAX_AGE_MS) problems.push(`last drill is ${fmt(age)} old (more than 90 days)`)
      if (last.status !== 'passed') problems.push(`last drill ${last.id} ${last.status}`)
      return {
        rows: [
          ['last drill', `${last.id} (${fmt(age)} ago): ${last.status}`],
          ['RTO / RPO', `${last.rto.measuredMs === undefined ? '-' : fmt(last.rto.measuredMs)} / ${last.rpo.measuredMs === undefined ? '-' : fmt(last.rpo.measuredMs)}`],
          ...restoreRows(last),
        ],
        problems,
      }
    },
  }
}

/** One row per data restore the last drill rehearsed (Realtime Database, Firestore): its check and its data gap. */
function restoreRows(last: DrillReport): [string, string][] {
  const row = (part: 'firebase' | 'firestore', label: string): [string, string][] => {
    const check = last.checks.find((c) => c.name.startsWith(`${part}:`))
    const point = last.rpo[part]
    if (!check && !point) return []
    const kind = part === 'firestore' && point && 'kind' in point ? ` (${firestoreKind(point.kind)})` : ''
    return [[label, `${check ? (check.ok ? 'restored, verified' : check.notRun ? 'not run' : `FAILED: ${check.detail}`) : '-'}${point ? `; backup gap ${fmt(point.gapMs)}${kind}` : ''}`]]
  }
  return [...row('firebase', 'Realtime Database'), ...row('firestore', 'Firestore')]
}

function lambdaSection(ctx: Context): StatusSection {
  return {
    name: 'lambda',
    async gather() {
      const section = ctx.env.config.lambda!
      const {lambdaAdapter, moduleSpecs} = await import('../platform/aws/lambda-context.js')
      const lambda = await lambdaAdapter(ctx)
      const specs = moduleSpecs(ctx, Object.keys(section.modules))
      const rows = await Promise.all(
        specs.map(async (s): Promise<[string, string]> => {
          const a = await lambda.getAlias(s.function, section.alias)
          const canary = Object.entries(a.weights ?? {}).map(([v, w]) => ` (canary v${v} at ${Math.round(w * 100)}%)`)
          return [s.module, `${section.alias} → v${a.functionVersion}${canary.join('')}`]
        }),
      )
      return {rows, problems: []}
    },
  }
}

function auroraSection(ctx: Context): StatusSection {
  return {
    name: 'aurora',
    async gather() {
      const [{auroraSettings}, {createRdsPort}, {createCloudWatchPort}, {runStatus}] = await Promise.all([
        import('../aurora/settings.js'),
        import('../platform/aws/rds.js'),
        import('../platform/aws/cloudwatch.js'),
        import('../aurora/status.js'),
      ])
      const settings = auroraSettings(ctx.env)
      const [aurora, metrics] = await Promise.all([createRdsPort(ctx), createCloudWatchPort(ctx)])
      const s = await runStatus({cluster: settings.cluster, policy: {retentionDays: settings.retentionDays, maxReplicaLagMs: settings.maxReplicaLagMs}}, {aurora, metrics})
      const rows: [string, string][] = [
        ['cluster', `${s.cluster.id} ${s.cluster.status} (${s.cluster.engine} ${s.cluster.engineVersion})`],
        ...s.instances.map((i): [string, string] => [`  ${i.role}`, `${i.id} ${i.instanceClass} ${i.status}${i.lagMs === undefined ? '' : `, lag ${i.lagMs} ms`}`]),
        ['restore window', s.restoreWindow ? `${s.restoreWindow.earliest} .. ${s.restoreWindow.latest}` : 'none'],
        ['newest snapshot', [s.newestAutomated && `automated ${s.newestAutomated.ageHours} h ago`, s.newestManual && `manual ${s.newestManual.ageHours} h ago`].filter(Boolean).join(', ') || 'none'],
      ]
      const problems = [...s.violations]
      const newest = Math.min(s.newestAutomated?.ageHours ?? Infinity, s.newestManual?.ageHours ?? Infinity) * 3600_000
      if (newest > BACKUP_MAX_AGE_MS) problems.push(`newest Aurora snapshot is ${Number.isFinite(newest) ? fmt(newest) : 'missing'} old (weekly schedule)`)
      return {rows, problems}
    },
  }
}

function complianceSection(ctx: Context): StatusSection {
  return {
    name: 'compliance',
    async gather(signal) {
      const [{rosterPath, complianceWiring}, {loadRoster}, {runComplianceCheck}, {ensureDemoRoster}] = await Promise.all([
        import('../compliance/sources.js'),
        import('../compliance/roster.js'),
        import('../compliance/check.js'),
        import('../compliance/demo-roster.js'),
      ])
      const file = rosterPath(ctx)
      if (ctx.env.source.kind === 'builtin') ensureDemoRoster(file)
      if (!fs.existsSync(file)) return {rows: [['roster', `missing: ${file}`]], problems: [`compliance roster ${file} is missing`]}
      const wiring = await complianceWiring(ctx)
      const r = await runComplianceCheck({loaded: loadRoster(file), failOn: 'high', allowUnreachable: true}, {sources: wiring.sources, notConfigured: wiring.notConfigured, signal})
      const problems: string[] = []
      const high = r.summary.bySeverity.critical + r.summary.bySeverity.high
      if (high > 0) problems.push(`${high} critical/high compliance finding(s)`)
      for (const s of r.services) {
        if (s.generatedAt && Date.now() - Date.parse(s.generatedAt) > CREDENTIAL_REPORT_MAX_AGE_MS) problems.push(`${s.service} credential report is stale (${s.generatedAt})`)
      }
      return {
        rows: [
          ['findings', `${r.summary.findings} (${r.summary.bySeverity.critical} critical, ${r.summary.bySeverity.high} high), ${r.summary.unknown} unknown`],
          ['members', `${r.summary.compliantMembers}/${r.summary.members} compliant`],
          ['services', r.services.map((s) => `${s.service} ${s.status}`).join(', ')],
        ],
        problems,
      }
    },
  }
}

function firebaseSection(ctx: Context, now = new Date()): StatusSection {
  return {
    name: 'firebase',
    async gather() {
      const [{defaultBackupRoot, storeAt}, {listBackups}] = await Promise.all([import('../platform/firebase/targets.js'), import('../firebase/list.js')])
      const store = await storeAt(ctx, defaultBackupRoot(ctx))
      const complete = (await listBackups({store})).filter((b) => b.complete).sort((a, b) => b.startedAt.localeCompare(a.startedAt))
      const newest = complete[0]
      if (!newest) return {rows: [['newest backup', `none in ${store.location}`]], problems: ['no complete Firebase backup: run `impress firebase backup`']}
      const rpoMs = ms((ctx.env.config.drill?.rpo ?? '15m') as ms.StringValue)
      const problems: string[] = []
      const rows: [string, string][] = []
      // Each database on its own: the Realtime Database, and Firestore (client-side and managed backups alike).
      for (const [store_, label] of [['rtdb', 'Realtime Database'], ['firestore', 'Firestore']] as const) {
        const b = complete.find((x) => (store_ === 'firestore' ? x.kind.startsWith('firestore') : x.kind === store_))
        if (!b) continue
        const age = now.getTime() - Date.parse(b.startedAt)
        if (age > BACKUP_MAX_AGE_MS) problems.push(`newest ${label} backup is ${fmt(age)} old (weekly schedule)`)
        if (typeof rpoMs === 'number' && age > rpoMs) problems.push(`newest ${label} backup (${fmt(age)} old) is older than the RPO (${fmt(rpoMs)}) allows`)
        rows.push([`newest ${label} backup`, `${b.id} (${fmt(age)} ago, ${b.kind}, ${b.count} ${store_ === 'rtdb' ? 'values' : 'documents'})`])
      }
      return {rows: [...rows, ['backups', `${complete.length} complete in ${store.location}`]], problems}
    },
  }
}

function rolesSection(ctx: Context): StatusSection {
  return {
    name: 'roles',
    async gather() {
      const [{auth0Adapter, rolesFilePath}, {readRolesFile}, {runPlan}] = await Promise.all([import('../roles/deps.js'), import('../roles/file.js'), import('../roles/apply.js')])
      const file = readRolesFile(rolesFilePath(ctx))
      const r = await runPlan({file}, {tenant: await auth0Adapter(ctx)})
      const problems: string[] = []
      if (r.drift) problems.push(`${r.summary.changes} roles change(s) between ${r.file} and the tenant: run \`impress roles plan\``)
      if (r.violations.length > 0) problems.push(`${r.violations.length} roles rule violation(s)`)
      return {rows: [['drift', r.drift ? `${r.summary.changes} change(s) (${r.summary.removals} removal(s), ${r.summary.assignments} assignment(s))` : 'none']], problems}
    },
  }
}

export async function buildSections(ctx: Context): Promise<StatusSection[]> {
  const cfg = ctx.env.config
  return [
    ...(cfg.lambda ? [lambdaSection(ctx)] : []),
    ...(cfg.aurora ? [auroraSection(ctx)] : []),
    ...(cfg.firebase ? [firebaseSection(ctx)] : []),
    ...(cfg.auth0 ? [rolesSection(ctx)] : []),
    ...(cfg.compliance ? [complianceSection(ctx)] : []),
    drillSection(ctx),
  ]
}
