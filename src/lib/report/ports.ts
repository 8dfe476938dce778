/**
 * What the report's checks read: one port per existing capability, each returning that
 * capability's own result (no check is implemented twice). The wiring (wiring.ts) builds them
 * from a command's context; tests pass in-memory ones. The runner calls each port at most
 * once per report, concurrently.
 */
import type {AuditReport as AuditVerifyResult} from '../audit/record.js'
import type {AuroraStatus} from '../aurora/status.js'
import type {ComplianceReport} from '../compliance/check.js'
import type {KeysReport} from '../compliance/keys.js'
import type {DrillReport} from '../drill/run.js'
import type {EdgeCheckReport} from '../edge/check.js'
import type {BackupSummary} from '../firebase/list.js'
import type {VerifyResult as BackupVerifyResult} from '../firebase/verify.js'
import type {VersionsResult} from '../lambda/versions.js'
import type {NotifyTestRecord} from '../notify/last-test.js'
import type {PlanResult} from '../roles/apply.js'
import type {Tenant} from '../roles/ports.js'
import type {RolesFile} from '../roles/schema.js'

export interface RolesEvidence {
  plan: PlanResult
  tenant: Tenant
  file: RolesFile
}

export interface FirebaseEvidence {
  location: string
  /** Complete backups, newest first. */
  backups: BackupSummary[]
  /** Verification of the newest complete backup (absent when there is none). */
  newestVerified?: Omit<BackupVerifyResult, 'manifest'>
}

export interface DrillEvidence {
  /** Newest first. */
  history: DrillReport[]
  /** The report file of a drill (HTML). */
  reportFile(id: string): string
}

export interface ComplianceEvidence {
  report: ComplianceReport
  /** The SARIF file written beside the report, when there is one. */
  sarifFile?: string
}

export interface NotifyEvidence {
  /** Configured channels (names only, never URLs). */
  channels: ('webhook' | 'email')[]
  last?: NotifyTestRecord
}

export interface OwnersEvidence {
  owners: {area: string; owner: string; name?: string; deputy?: string}[]
  /** Roster members (to tell whether an owner is still on the team); absent without a roster. */
  members?: {email: string; name: string; status: 'active' | 'left'}[]
}

/** Leavers (from the roster) and the `access revoke` operations the audit log records. */
export interface RevocationEvidence {
  leavers: {email: string; name: string; left: string}[]
  /** One row per member an `access revoke` entry names, oldest first. */
  records: {member: string; time: string; status: string; actor: string}[]
  /** Days after the last day within which the revocation must happen (access.revokeWithinDays). */
  withinDays: number
}

export interface ReportPorts {
  roles(): Promise<RolesEvidence>
  aurora(): Promise<AuroraStatus>
  firebase(): Promise<FirebaseEvidence>
  lambda(): Promise<VersionsResult[]>
  drills(): Promise<DrillEvidence>
  compliance(): Promise<ComplianceEvidence>
  keys(): Promise<KeysReport>
  audit(): Promise<AuditVerifyResult>
  notify(): Promise<NotifyEvidence>
  owners(): Promise<OwnersEvidence>
  /** `monitor plan`/`status` and the last `monitor test` (evidence.ts). */
  monitoring(): Promise<import('./evidence.js').MonitoringEvidence>
  /** Encryption at rest as AWS reports it (evidence.ts). */
  encryption(): Promise<import('./evidence.js').EncryptionEvidence>
  /** `impress edge check` over the configured hostnames. */
  edge(): Promise<EdgeCheckReport>
  revocations(): Promise<RevocationEvidence>
}

export type PortName = keyof ReportPorts

/** A port the environment does not configure: its claims are unknown, saying so. */
export class NotConfigured extends Error {
  override name = 'NotConfigured'
}
