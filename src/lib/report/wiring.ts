/**
 * The report's ports, built from a command's context through the existing capabilities
 * (the same calls `impress status`, `roles plan`, `aurora status`, `compliance check`,
 * `compliance keys`, `firebase backups/verify`, `versions`, `drill history`, `audit verify`
 * make). Every capability and its SDK is imported when its port is first called.
 */
import fs from 'node:fs'
import path from 'node:path'
import type {Context} from '../context.js'
import {evidencePorts} from './evidence.js'
import {NotConfigured, type ReportPorts} from './ports.js'
import type {ReportSettings} from './types.js'

export function reportSettings(ctx: Context, options: {sarifFile?: string} = {}): ReportSettings {
  const c = ctx.env.config
  return {
    environment: ctx.env.name,
    modules: Object.keys(c.lambda?.modules ?? {}),
    alias: c.lambda?.alias ?? 'live',
    maxReplicaLagMs: c.aurora?.maxReplicaLagMs ?? 1000,
    retentionDays: c.aurora?.retentionDays ?? 7,
    revokeWithinDays: c.access?.revokeWithinDays ?? 1,
    ...(options.sarifFile ? {sarifFile: options.sarifFile} : {}),
  }
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new NotConfigured(`no ${what} section in this environment`)
  return value
}

/** The roster, loaded once (the demo roster is written on first use in the built-in sandbox). */
function rosterLoader(ctx: Context) {
  let loaded: Promise<import('../compliance/roster.js').LoadedRoster> | undefined
  return () =>
    (loaded ??= (async () => {
      need(ctx.env.config.compliance, 'compliance')
      const [{rosterPath}, {loadRoster}, {ensureDemoRoster}] = await Promise.all([import('../compliance/sources.js'), import('../compliance/roster.js'), import('../compliance/demo-roster.js')])
      const file = rosterPath(ctx)
      if (ctx.env.source.kind === 'builtin') ensureDemoRoster(file)
      if (!fs.existsSync(file)) throw new NotConfigured(`the compliance roster ${file} is missing`)
      return loadRoster(file)
    })())
}

export function reportPorts(ctx: Context, options: {sarifFile?: string} = {}): ReportPorts {
  const roster = rosterLoader(ctx)
  return {
    ...evidencePorts(ctx),
    async roles() {
      need(ctx.env.config.auth0, 'auth0')
      const [{auth0Adapter, rolesFilePath}, {readRolesFile}, {runPlan}] = await Promise.all([import('../roles/deps.js'), import('../roles/file.js'), import('../roles/apply.js')])
      const file = readRolesFile(rolesFilePath(ctx))
      const {tenant, ...plan} = await runPlan({file}, {tenant: await auth0Adapter(ctx)})
      return {plan, tenant, file: file.data}
    },
    async aurora() {
      need(ctx.env.config.aurora, 'aurora')
      const [{auroraSettings}, {createRdsPort}, {createCloudWatchPort}, {runStatus}] = await Promise.all([
        import('../aurora/settings.js'),
        import('../platform/aws/rds.js'),
        import('../platform/aws/cloudwatch.js'),
        import('../aurora/status.js'),
      ])
      const settings = auroraSettings(ctx.env)
      const [aurora, metrics] = await Promise.all([createRdsPort(ctx), createCloudWatchPort(ctx)])
      return runStatus({cluster: settings.cluster, policy: {retentionDays: settings.retentionDays, maxReplicaLagMs: settings.maxReplicaLagMs}}, {aurora, metrics})
    },
    async firebase() {
      need(ctx.env.config.firebase, 'firebase')
      const [{defaultBackupRoot, storeAt, objectsFor}, {listBackups}, {runVerify}] = await Promise.all([import('../platform/firebase/targets.js'), import('../firebase/list.js'), import('../firebase/verify.js')])
      const store = await storeAt(ctx, defaultBackupRoot(ctx))
      const backups = (await listBackups({store})).filter((b) => b.complete)
      if (!backups[0]) return {location: store.location, backups}
      // A managed export is verified in its bucket (the Cloud Storage client is built only then).
      const {manifest: _manifest, ...verified} = await runVerify({id: backups[0].id}, {store, objects: () => objectsFor(ctx)})
      return {location: store.location, backups, newestVerified: verified}
    },
    async lambda() {
      const section = need(ctx.env.config.lambda, 'lambda')
      const [{lambdaAdapter, moduleSpecs}, {listVersions}] = await Promise.all([import('../platform/aws/lambda-context.js'), import('../lambda/versions.js')])
      const lambda = await lambdaAdapter(ctx)
      return Promise.all(moduleSpecs(ctx, Object.keys(section.modules)).map((s) => listVersions({module: s.module, function: s.function}, {lambda})))
    },
    async drills() {
      const {readHistory, drillsDir} = await import('../drill/store.js')
      return {history: readHistory(ctx.env.dataDir), reportFile: (id) => path.join(drillsDir(ctx.env.dataDir), id, 'report.html')}
    },
    async compliance() {
      const [loaded, wiring, {runComplianceCheck}] = await Promise.all([roster(), ctx.compliance(), import('../compliance/check.js')])
      const report = await runComplianceCheck({loaded, failOn: 'high', allowUnreachable: true}, {sources: wiring.sources, notConfigured: wiring.notConfigured, signal: ctx.signal})
      if (options.sarifFile) {
        const [{toSarif}, {redactor}] = await Promise.all([import('../compliance/sarif.js'), import('../redact.js')])
        const sarif = toSarif({findings: report.findings, rosterFile: loaded.file, memberLines: loaded.memberLines, version: ctx.version, baseDir: path.dirname(options.sarifFile)})
        fs.writeFileSync(options.sarifFile, redactor.redactText(JSON.stringify(sarif, null, 2)) + '\n')
      }
      return {report, ...(options.sarifFile ? {sarifFile: options.sarifFile} : {})}
    },
    async keys() {
      const [loaded, wiring, {runKeysCheck}] = await Promise.all([roster(), ctx.compliance(), import('../compliance/keys.js')])
      if (!wiring.github) throw new NotConfigured(wiring.notConfigured.github ?? 'GitHub is not configured')
      return runKeysCheck({loaded, failOn: 'high'}, {github: wiring.github})
    },
    async audit() {
      const {auditReport} = await import('../audit/record.js')
      return auditReport(ctx.env.auditPath, ctx.auditPorts())
    },
    async notify() {
      const [{notifyTargets}, {readLastTest}] = await Promise.all([import('../notify/targets.js'), import('../notify/last-test.js')])
      const targets = await notifyTargets(ctx)
      const last = readLastTest(ctx.env.dataDir)
      return {channels: [...(targets.webhook ? ['webhook' as const] : []), ...(targets.email ? ['email' as const] : [])], ...(last ? {last} : {})}
    },
    async edge() {
      if (!ctx.env.config.edge) throw new NotConfigured('no edge section in this environment (hostnames to check)')
      const {runConfiguredEdgeCheck} = await import('../edge/wiring.js')
      return runConfiguredEdgeCheck(ctx)
    },
    async revocations() {
      const [loaded, {readAudit}, {accessSettings}] = await Promise.all([roster(), import('../audit/log.js'), import('../access/defaults.js')])
      const leavers = loaded.roster.members.filter((m) => m.status === 'left').map((m) => ({email: m.email, name: m.name, left: m.left ?? ''}))
      const records = readAudit(ctx.env.auditPath, {command: 'access revoke'}).flatMap((e) => {
        const results = (e.details?.results ?? []) as {member?: string; status?: string}[]
        return results.filter((r) => typeof r.member === 'string').map((r) => ({member: r.member!, time: e.time, status: String(r.status), actor: e.actor.user}))
      })
      return {leavers, records, withinDays: accessSettings(ctx.env.config.access).revokeWithinDays}
    },
    async owners() {
      const owners = ctx.env.config.owners ?? []
      const members = ctx.env.config.compliance ? (await roster()).roster.members.map((m) => ({email: m.email, name: m.name, status: m.status})) : undefined
      return {owners, ...(members ? {members} : {})}
    },
  }
}
