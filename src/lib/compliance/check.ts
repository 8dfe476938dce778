/**
 * `impress compliance check`: read every configured service concurrently, compare with the
 * roster, and report findings, the member × service matrix and what could not be checked.
 */
import type {EdgeCheckReport} from '../edge/check.js'
import {edgeRule} from './edge.js'
import {breaches, evaluate, type MemberSummary, type Waiver} from './rules.js'
import {identities, type LoadedRoster} from './roster.js'
import type {AccountSource} from './ports.js'
import {SERVICES, type Finding, type ServiceId, type ServiceResult, type ServiceSnapshot, type Severity} from './types.js'

export interface CheckOptions {
  loaded: LoadedRoster
  failOn: Severity
  allowUnreachable: boolean
}

export interface CheckDeps {
  sources: Partial<Record<ServiceId, AccountSource>>
  /** Services not configured in this environment, with why: reported, never passed. */
  notConfigured: Partial<Record<ServiceId, string>>
  now?: () => Date
  signal?: AbortSignal
  /** The environment's `edge check` (rule edge-https-only), when it has an edge section. */
  edge?: () => Promise<EdgeCheckReport>
}

export interface ComplianceReport {
  generatedAt: string
  roster: string
  failOn: Severity
  services: ServiceResult[]
  findings: Finding[]
  waived: Waiver[]
  members: MemberSummary[]
  summary: {
    members: number
    compliantMembers: number
    findings: number
    failed: number
    unknown: number
    bySeverity: Record<Severity, number>
    atOrAboveFailOn: number
    unreachable: ServiceId[]
    /** Services that answered with an error (credentials, permissions): always exit 1. */
    refused: ServiceId[]
    notConfigured: ServiceId[]
  }
  /** Rule edge-https-only: hostnames checked, or why the edge check could not run (absent when no edge section). */
  edge?: {hosts: number; error?: string}
  /** 0 clean; 3 findings at or above --fail-on; 1 a service could not be reached (unless allowed) or refused the credentials. */
  exitCode: 0 | 1 | 3
}

export async function runComplianceCheck(options: CheckOptions, deps: CheckDeps): Promise<ComplianceReport> {
  const now = deps.now?.() ?? new Date()
  const {roster} = options.loaded
  const leavers = (service: ServiceId) => roster.members.filter((m) => m.status === 'left').flatMap((m) => [...identities(m.accounts[service]), m.email])
  const results = new Map<ServiceId, {result: ServiceResult; snapshot?: ServiceSnapshot}>()
  const edge = deps.edge ? edgeRule(deps.edge, describeError) : undefined
  await Promise.all(
    SERVICES.map(async (service) => {
      const source = deps.sources[service]
      if (!source) {
        results.set(service, {result: {service, status: 'not-configured', accounts: 0, durationMs: 0, notes: [deps.notConfigured[service] ?? 'not configured in this environment']}})
        return
      }
      const t0 = performance.now()
      try {
        const snapshot = await source.snapshot({leavers: leavers(service), signal: deps.signal})
        results.set(service, {
          snapshot,
          result: {service, status: 'ok', accounts: snapshot.accounts.length, generatedAt: snapshot.generatedAt, durationMs: Math.round(performance.now() - t0), notes: snapshot.notes ?? []},
        })
      } catch (error) {
        results.set(service, {result: {service, status: isUnreachable(error) ? 'unreachable' : 'error', accounts: 0, durationMs: Math.round(performance.now() - t0), error: describeError(error), notes: []}})
      }
    }),
  )
  const evaluation = evaluate({
    roster,
    today: now.toISOString().slice(0, 10),
    services: Object.fromEntries([...results].map(([s, r]) => [s, {status: r.result.status, snapshot: r.snapshot}])),
  })
  const edgeResult = await edge
  if (edgeResult) evaluation.findings.push(...edgeResult.findings)
  const services = SERVICES.map((s) => results.get(s)!.result)
  const unreachable = services.filter((s) => s.status === 'unreachable').map((s) => s.service)
  const failed = services.filter((s) => s.status === 'error').map((s) => s.service)
  const bySeverity = {low: 0, medium: 0, high: 0, critical: 0} as Record<Severity, number>
  for (const f of evaluation.findings) bySeverity[f.severity]++
  const over = breaches(evaluation.findings, options.failOn)
  const exitCode = failed.length > 0 || (unreachable.length > 0 && !options.allowUnreachable) ? 1 : over.length > 0 ? 3 : 0
  return {
    generatedAt: now.toISOString(),
    roster: options.loaded.file,
    failOn: options.failOn,
    services,
    findings: evaluation.findings,
    waived: evaluation.waived,
    members: evaluation.members,
    summary: {
      members: roster.members.length,
      compliantMembers: evaluation.members.filter((m) => m.compliant).length,
      findings: evaluation.findings.length,
      failed: evaluation.findings.filter((f) => f.outcome === 'fail').length,
      unknown: evaluation.findings.filter((f) => f.outcome === 'unknown').length,
      bySeverity,
      atOrAboveFailOn: over.length,
      unreachable,
      refused: failed,
      notConfigured: services.filter((s) => s.status === 'not-configured').map((s) => s.service),
    },
    ...(edgeResult ? {edge: {hosts: edgeResult.hosts, ...(edgeResult.error ? {error: edgeResult.error} : {})}} : {}),
    exitCode,
  }
}

type ErrorLike = {name?: string; message?: string; status?: number; code?: string | number; cause?: {code?: string}; $metadata?: {httpStatusCode?: number}; response?: {status?: number}}

function statusOf(e: ErrorLike): number | undefined {
  const s = e?.status ?? e?.$metadata?.httpStatusCode ?? e?.response?.status ?? (typeof e?.code === 'number' ? e.code : undefined)
  return typeof s === 'number' ? s : undefined
}

function isConnectionError(e: ErrorLike): boolean {
  const code = e?.cause?.code ?? e?.code
  return ['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET'].includes(String(code)) || /ECONNREFUSED|socket hang up|fetch failed|Connection error/i.test(e?.message ?? '')
}

/** No answer, or only server errors/throttling (after the SDK's retries): the service is unreachable. */
export function isUnreachable(error: unknown): boolean {
  const e = error as ErrorLike
  const status = statusOf(e)
  return isConnectionError(e) || status === undefined || status >= 500 || status === 429
}

/** One line: what failed, without stack or secrets (the output is redacted anyway). */
export function describeError(error: unknown): string {
  const e = error as ErrorLike
  const code = e?.cause?.code ?? e?.code
  if (isConnectionError(e)) return `cannot connect (${code ?? 'connection error'})`
  const msg = (e?.message ?? String(error)).split('\n')[0].slice(0, 200)
  const status = statusOf(e)
  return status ? `HTTP ${status}: ${msg}` : msg
}
