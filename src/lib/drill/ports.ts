/**
 * What a drill needs from the platform, as ports the drill owns. The adapters in
 * src/lib/drill/adapters/ implement them with the Aurora, Firebase and Lambda capabilities.
 */

export const DRILL_TAG = 'impress:drill'
export const DRILL_EXPIRES_TAG = 'impress:drill-expires'

/** A scratch resource a drill created; deleted only when its tags say it is a drill's. */
export interface ScratchResource {
  kind: 'aurora-cluster' | 'firebase-namespace' | 'firestore-database' | 'lambda-alias' | 'monitor-alias'
  id: string
  drillId?: string
  expiresAt?: string
}

export interface ScratchPort {
  /** Scratch resources of any drill that exist now (read from their tags). */
  listScratch(): Promise<ScratchResource[]>
  /** Delete one; MUST re-check its drill tag first and refuse anything untagged. */
  destroy(resource: ScratchResource): Promise<void>
}

export interface AuroraRestoreResult {
  cluster: string
  endpoint?: string
  readerEndpoint?: string
  /** The point in time the data was restored to. */
  restoredTo: string
  /** Configuration differences from the source (a difference fails verification). */
  differences: string[]
  instances: string[]
}

export interface AuroraDrillPort extends ScratchPort {
  /** The newest restorable time of the source (for RPO and the default restore time). */
  latestRestorableTime(): Promise<Date>
  restore(params: {drillId: string; target: string; toTime: Date; tags: Record<string, string>; signal: AbortSignal; onResource: (r: ScratchResource) => void}): Promise<AuroraRestoreResult>
}

export interface FirebaseBackupRef {
  id: string
  location: string
  /** Consistent-read time of the backup. */
  time: string
  /** The backup's kind (rtdb, firestore: client-side, firestore-managed: managed export). */
  kind?: string
}

export interface FirebaseRestoreResult {
  target: string
  documents: number
  /** Counts and SHA-256 of the restored data equal the manifest's. */
  matches: boolean
  mismatches: string[]
}

/** The Realtime Database (firebase) or Firestore (firestore) restore rehearsal: the same steps for both. */
export interface FirebaseDrillPort extends ScratchPort {
  /** The scratch database a drill restores into (a dedicated, otherwise empty database). */
  scratchTarget(drillId: string): string
  newestBackup(): Promise<FirebaseBackupRef | undefined>
  /** Take a fresh backup when none exists (the sandbox's first drill). */
  backupNow(signal: AbortSignal): Promise<FirebaseBackupRef>
  targetIsEmpty(target: string): Promise<boolean>
  restore(params: {backup: FirebaseBackupRef; target: string; drillId: string; signal: AbortSignal; onResource: (r: ScratchResource) => void}): Promise<FirebaseRestoreResult>
}

export interface LambdaRehearsal {
  module: string
  alias: string
  from: string
  to: string
  restored: boolean
}

export interface LambdaDrillPort extends ScratchPort {
  /** Create a scratch alias at the live version, roll it back one version, then forward again. */
  rehearse(params: {drillId: string; module: string; alias: string; signal: AbortSignal; onResource: (r: ScratchResource) => void}): Promise<LambdaRehearsal>
}

/** The incident rehearsal (`impress monitor test`) as the drill reports it. */
export interface IncidentRehearsal {
  module: string
  alarm: string
  timeToDetectMs?: number
  timeToNotifyMs?: number
  /** Time to notify the rehearsal must beat (monitoring.test.target). */
  targetMs: number
  notification: 'received' | 'not received' | 'not verifiable'
  ok: boolean
}

export interface IncidentDrillPort extends ScratchPort {
  /** The module whose scratch alias is made to fail. */
  module: string
  /** Runs `monitor test` (its scratch alias is deleted by the rehearsal itself, and recorded for --cleanup). Throws E_NOT_MONITORED when the module has no alarm. */
  rehearse(params: {signal: AbortSignal; onResource: (r: ScratchResource) => void; progress?: (m: string) => void}): Promise<IncidentRehearsal>
}

export interface CommandRunner {
  run(command: string, env: Record<string, string>, signal: AbortSignal): Promise<{exitCode: number; output: string}>
}

export interface DrillPorts {
  aurora?: AuroraDrillPort
  firebase?: FirebaseDrillPort
  /** Firestore: the newest client-side or managed backup restored into a scratch database. */
  firestore?: FirebaseDrillPort
  lambda?: LambdaDrillPort
  /** Monitoring: an incident rehearsal after the restores (absent: not configured or out of scope). */
  incident?: IncidentDrillPort
  commands: CommandRunner
  now(): Date
}
