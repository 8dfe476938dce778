/**
 * Run every claim of the registry concurrently. Each port (capability) is called at most once
 * and shared by the claims that read it; a claim whose check throws, or whose port cannot
 * answer, is `unknown` with the reason, never `holds`.
 */
import {describeError} from '../compliance/check.js'
import {redactor} from '../redact.js'
import {NotConfigured, type PortName, type ReportPorts} from './ports.js'
import {SECTIONS, type ClaimDefinition, type ClaimResult, type ProbeTiming, type ReportSettings, type SecurityReport, type Verdict} from './types.js'

export interface RunReportOptions {
  settings: ReportSettings
  version: string
  claims: ClaimDefinition[]
  /** A claim with no verdict by then is unknown (default 60 s). */
  timeoutMs?: number
  now?: () => Date
  signal?: AbortSignal
}

/** Each port called once, its duration and outcome recorded. */
function sharedPorts(ports: ReportPorts, now: () => number): {ports: ReportPorts; timings: Map<PortName, ProbeTiming>} {
  const timings = new Map<PortName, ProbeTiming>()
  const cache = new Map<PortName, Promise<unknown>>()
  const shared = {} as Record<PortName, () => Promise<unknown>>
  for (const name of Object.keys(ports) as PortName[]) {
    shared[name] = () => {
      let p = cache.get(name)
      if (!p) {
        const t0 = now()
        p = (async () => (ports[name] as () => Promise<unknown>)())()
        p.then(
          () => timings.set(name, {name, ok: true, durationMs: Math.round(now() - t0)}),
          (error: unknown) => timings.set(name, {name, ok: false, durationMs: Math.round(now() - t0), error: reason(error)}),
        )
        cache.set(name, p)
      }
      return p
    }
  }
  return {ports: shared as unknown as ReportPorts, timings}
}

function reason(error: unknown): string {
  if (error instanceof NotConfigured) return `not configured: ${error.message}`
  return redactor.redactText(describeError(error))
}

export async function runReport(options: RunReportOptions, ports: ReportPorts): Promise<SecurityReport> {
  const clock = options.now ?? (() => new Date())
  const t0 = performance.now()
  const seen = new Set<string>()
  for (const c of options.claims) {
    if (seen.has(c.id)) throw new Error(`duplicate claim id ${c.id}`)
    seen.add(c.id)
  }
  const {ports: shared, timings} = sharedPorts(ports, () => performance.now())
  const timeoutMs = options.timeoutMs ?? 60_000
  const results = await Promise.all(
    options.claims.map(async (c): Promise<ClaimResult> => {
      const c0 = performance.now()
      let timer: NodeJS.Timeout | undefined
      let verdict: Verdict
      try {
        options.signal?.throwIfAborted()
        verdict = await Promise.race([
          c.check(shared, options.settings, clock()),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs)
            timer.unref?.()
          }),
        ])
      } catch (error) {
        if (options.signal?.aborted) throw error
        verdict = {status: 'unknown', detail: `could not be checked: ${reason(error)}`}
      } finally {
        clearTimeout(timer)
      }
      return {
        id: c.id,
        section: c.section,
        sentence: c.sentence(options.settings),
        status: verdict.status,
        detail: verdict.detail,
        facts: verdict.facts ?? [],
        checkedAt: clock().toISOString(),
        durationMs: Math.round(performance.now() - c0),
        evidence: [{kind: 'command', ref: c.rerun}, ...(verdict.evidence ?? [])],
      }
    }),
  )
  const count = (s: ClaimResult['status']) => results.filter((r) => r.status === s).length
  return redactor.redactValue({
    title: 'Security',
    environment: options.settings.environment,
    generatedAt: clock().toISOString(),
    version: options.version,
    summary: {
      claims: results.length,
      holds: count('holds'),
      fails: count('fails'),
      unknown: count('unknown'),
      failing: results.filter((r) => r.status === 'fails').map((r) => r.id),
      unknownIds: results.filter((r) => r.status === 'unknown').map((r) => r.id),
    },
    sections: SECTIONS.map((name) => ({name, claims: results.filter((r) => r.section === name)})).filter((s) => s.claims.length > 0),
    probes: [...timings.values()].sort((a, b) => b.durationMs - a.durationMs),
    wallMs: Math.round(performance.now() - t0),
  })
}
