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

export interface SectionReport extends SectionResult {
  name: string
  ok: boolean
  error?: string
  durationMs: number
}

export interface StatusReport {
  environment: string
  generatedAt: string
  sections: SectionReport[]
  problems: string[]
}

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
        return {name: s.name, ok: true, rows: r.rows, problems: r.problems, durationMs: Date.now() - t0}
      } catch (error) {
        const message = (error as Error).message?.split('\n')[0] ?? String(error)
        return {name: s.name, ok: false, error: message, rows: [], problems: [`${s.name}: unreachable (${message})`], durationMs: Date.now() - t0}
      }
    }),
  )
  return {environment, generatedAt: new Date().toISOString(), sections: reports, problems: reports.flatMap((r) => r.problems)}
}
