/**
 * `impress status`: independent sections gathered concurrently. A section that fails shows its
 * error in its own row; the others still show. Each section lists the policy breaks it found
 * (`--check` exits 3 when there is any).
 */

export interface SectionResult {
  rows: [string, string][]
  /** Policy breaks (replica lag over the limit, backup too old, no drill in 90 days…). */
  problems: string[]
}

export interface StatusSection {
  name: string
  gather(signal: AbortSignal): Promise<SectionResult>
}

/** Why a section has no figures: only a network failure is "unreachable". */
export type SectionState = 'ok' | 'unreachable' | 'not-configured' | 'failed'

export interface SectionReport extends SectionResult {
  name: string
  ok: boolean
  state: SectionState
  error?: string
  durationMs: number
}

export interface StatusReport {
  environment: string
  generatedAt: string
  sections: SectionReport[]
  problems: string[]
  /** Sections that could not be gathered (unreachable, not configured, failed): the status is incomplete. */
  unavailable: {name: string; state: SectionState; error: string}[]
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'TimeoutError', 'NetworkingError'])

/** unreachable: the network failed (anywhere in the cause chain); not-configured: a configuration or input error (exit 2); else failed. */
export function classifySectionError(error: unknown): Exclude<SectionState, 'ok'> {
  for (let e = error as (Error & {code?: string; exitCode?: number; cause?: unknown}) | undefined, depth = 0; e && depth < 8; e = e.cause as typeof e, depth++) {
    if (NETWORK_CODES.has(e.code ?? '') || NETWORK_CODES.has(e.name) || /fetch failed|socket hang up|no answer within|does not answer/i.test(e.message ?? '')) return 'unreachable'
  }
  const top = error as {exitCode?: number; name?: string}
  if (top?.exitCode === 2 || top?.name === 'CredentialsProviderError') return 'not-configured'
  return 'failed'
}

const STATE_WORDS: Record<Exclude<SectionState, 'ok'>, string> = {unreachable: 'unreachable', 'not-configured': 'not configured', failed: 'failed'}

export async function runStatus(environment: string, sections: StatusSection[], signal: AbortSignal, timeoutMs = 30_000): Promise<StatusReport> {
  const reports = await Promise.all(
    sections.map(async (s): Promise<SectionReport> => {
      const t0 = Date.now()
      try {
        const r = await Promise.race([
          s.gather(signal),
          new Promise<never>((_, reject) => {
            const t = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000}s`)), timeoutMs)
            t.unref?.()
          }),
        ])
        return {name: s.name, ok: true, state: 'ok', rows: r.rows, problems: r.problems, durationMs: Date.now() - t0}
      } catch (error) {
        const message = (error as Error).message?.split('\n')[0] ?? String(error)
        const state = classifySectionError(error)
        return {name: s.name, ok: false, state, error: message, rows: [], problems: [], durationMs: Date.now() - t0}
      }
    }),
  )
  const unavailable = reports.filter((r) => !r.ok).map((r) => ({name: r.name, state: r.state, error: r.error ?? ''}))
  return {environment, generatedAt: new Date().toISOString(), sections: reports, problems: reports.flatMap((r) => r.problems), unavailable}
}

/** "lambda: unreachable (…)" */
export function describeUnavailable(u: StatusReport['unavailable'][number]): string {
  return `${u.name}: ${STATE_WORDS[u.state as Exclude<SectionState, 'ok'>]} (${u.error})`
}
