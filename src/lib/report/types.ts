/**
 * The vocabulary of the security report: sections, claims (a sentence of the company's
 * security document backed by a check), their status and evidence. A claim whose check could
 * not run is `unknown`, never `holds`.
 */
import type {ReportPorts} from './ports.js'

export const SECTIONS = ['Authentication', 'Database', 'Hosting', 'Access administration', 'Incidents', 'Auditability', 'Company structure'] as const
export type Section = (typeof SECTIONS)[number]

export type ClaimStatus = 'holds' | 'fails' | 'unknown'

/** Where a reader can see for themselves: a command to rerun, or a file (drill report, SARIF). */
export interface Evidence {
  kind: 'command' | 'file'
  /** The command line, or the file's path. */
  ref: string
  label?: string
}

/** What a check concluded. */
export interface Verdict {
  status: ClaimStatus
  /** One line: why it holds, fails or is unknown, with the figures. */
  detail: string
  /** Supporting lines (accounts, modules, figures). */
  facts?: string[]
  /** Evidence beyond the claim's own rerun command (a drill report, a SARIF file). */
  evidence?: Evidence[]
}

/** Settings the sentences quote (from the environment's configuration). */
export interface ReportSettings {
  environment: string
  modules: string[]
  alias: string
  maxReplicaLagMs: number
  retentionDays: number
  /** access.revokeWithinDays: the sentence of access.revocation quotes it. */
  revokeWithinDays: number
  /** Evidence files written beside the report (SARIF), when it is written to a file. */
  sarifFile?: string
}

export interface ClaimDefinition {
  /** Stable id (section.topic): scripts and diffs between reports key on it. */
  id: string
  section: Section
  sentence(settings: ReportSettings): string
  /** The command that reruns the underlying check. */
  rerun: string
  /** `now`: the report's clock (ages are measured against it). */
  check(ports: ReportPorts, settings: ReportSettings, now: Date): Promise<Verdict>
}

export interface ClaimResult {
  id: string
  section: Section
  sentence: string
  status: ClaimStatus
  detail: string
  facts: string[]
  checkedAt: string
  durationMs: number
  evidence: Evidence[]
}

export interface ProbeTiming {
  /** The port (capability) the checks read: roles, aurora, compliance… */
  name: string
  ok: boolean
  durationMs: number
  error?: string
}

export interface SecurityReport {
  title: string
  environment: string
  generatedAt: string
  version: string
  summary: {claims: number; holds: number; fails: number; unknown: number; failing: string[]; unknownIds: string[]}
  sections: {name: Section; claims: ClaimResult[]}[]
  /** Each capability read once, concurrently; the report takes about as long as the slowest. */
  probes: ProbeTiming[]
  wallMs: number
}
