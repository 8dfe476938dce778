/**
 * `roles rotate`: (1) remove members whose grant has expired; (2) for each application marked
 * `rotate: true`, rotate its client secret in Auth0, store it in the Secrets Manager secret the
 * backend reads, and verify it by obtaining a token with client credentials (Auth0 may take up
 * to ~30 s to accept a new secret). Reports the secret's id and version, never its value.
 * A failure between rotation and storage is recorded as pending; a rerun rotates and stores again.
 */
import {randomUUID} from 'node:crypto'
import {OperationError} from '../errors.js'
import {applyPlan} from './apply.js'
import type {LoadedRolesFile} from './file.js'
import {computePlan, emptyPlan, type RolesPlan} from './plan.js'
import type {ClientSecretPort, RolesTenantPort, SecretStorePort, Tenant} from './ports.js'

export interface RotatedSecret {
  application: string
  client: string
  clientId: string
  secretId: string
  versionId: string
  verified: boolean
  verifyAttempts: number
  /** This run completed a rotation a previous run left unstored. */
  completedPending: boolean
}

export interface RotateResult {
  expired: {role: string; email: string; expires: string}[]
  rotated: RotatedSecret[]
  /** With --dry-run: what would be rotated. */
  wouldRotate: {application: string; client: string; secretId: string}[]
  dryRun: boolean
}

export interface PendingStore {
  list(): string[]
  mark(application: string, info: Record<string, unknown>): void
  clear(application: string): void
}

export interface RotateDeps {
  tenant: RolesTenantPort
  secrets: ClientSecretPort
  store: SecretStorePort
  pending: PendingStore
  /** Register a new secret with the redactor before anything can print it. */
  onSecret: (value: string) => void
  /** Audience for the verification token when the application names no API. */
  defaultAudience: string
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  progress?: (text: string) => void
}

export interface RotateOptions {
  file: LoadedRolesFile
  dryRun?: boolean
  /** Longest wait for Auth0 to accept a new secret (already scaled to the sandbox). */
  verifyWindowMs?: number
  verifyIntervalMs?: number
  /** Only these applications (default: every one marked rotate: true). */
  only?: string[]
  signal?: AbortSignal
  /** The tenant as already read (saves reading it again after a preview). */
  snapshot?: Tenant
}

export async function runRotate(options: RotateOptions, deps: RotateDeps): Promise<RotateResult> {
  const now = deps.now ?? Date.now
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const tenant = options.snapshot ?? (await deps.tenant.readTenant())
  const full = computePlan(options.file, tenant, now())
  const expiredPlan: RolesPlan = {...emptyPlan(), expiredGrants: full.expiredGrants}
  const expired = full.expiredGrants.map((g) => ({role: g.role, email: g.email, expires: g.expires}))
  const apps = options.file.data.applications.filter((a) => a.rotate && (!options.only || options.only.includes(a.name)))
  const wouldRotate = apps.map((a) => ({application: a.name, client: a.client!, secretId: a.secret!}))
  if (options.dryRun) return {expired, rotated: [], wouldRotate, dryRun: true}

  if (expired.length > 0) {
    deps.progress?.(`Removing ${expired.length} expired grant(s)…`)
    await applyPlan(expiredPlan, deps.tenant, undefined, options.signal)
  }
  const pending = new Set(deps.pending.list())
  const rotated: RotatedSecret[] = []
  for (const app of apps) {
    options.signal?.throwIfAborted()
    const client = tenant.clients.find((c) => c.name === app.client)
    if (!client) throw new OperationError(`Application ${app.name}: no Auth0 client named ${app.client}.`, {hint: 'Fix `client` in roles.yaml.'})
    const secretId = app.secret!
    const wasPending = pending.has(app.name)
    deps.progress?.(`${wasPending ? 'Completing the interrupted rotation' : 'Rotating the client secret'} of ${app.name} (${client.name})…`)
    const newSecret = await deps.secrets.rotateSecret(client.clientId)
    deps.onSecret(newSecret)
    deps.pending.mark(app.name, {client: client.name, clientId: client.clientId, secretId, rotatedAt: new Date(now()).toISOString()})
    let stored: {arn: string; versionId: string}
    try {
      const current = await deps.store.current(secretId).catch(() => undefined)
      stored = await deps.store.put(secretId, secretDocument(current, client.clientId, newSecret), randomUUID())
    } catch (error) {
      throw new OperationError(
        `Rotated the client secret of ${app.name} (Auth0 client ${client.name}) but could not store it in the Secrets Manager secret ${secretId}: ${(error as Error).message.split('\n')[0]}. Until this is completed the backend's stored secret no longer works.`,
        {
          code: 'E_ROTATE_NOT_STORED',
          hint: `Fix access to Secrets Manager (secretsmanager:PutSecretValue on ${secretId}), then run \`impress roles rotate\` again: it rotates the secret once more and stores it.`,
          cause: error,
          details: {application: app.name, client: client.name, secretId, pending: true},
        },
      )
    }
    deps.progress?.(`Stored as ${stored.arn} version ${stored.versionId}; verifying with client credentials…`)
    const audience = app.api ?? deps.defaultAudience
    const window = options.verifyWindowMs ?? 30_000
    const interval = Math.max(10, options.verifyIntervalMs ?? 1000)
    const started = now()
    let attempts = 0
    let verified = false
    for (;;) {
      attempts++
      verified = await deps.secrets.verify(client.clientId, newSecret, audience)
      if (verified || now() - started >= window) break
      options.signal?.throwIfAborted()
      await sleep(interval)
    }
    deps.pending.clear(app.name)
    if (!verified) {
      throw new OperationError(`The new client secret of ${app.name} is stored (${stored.arn} version ${stored.versionId}) but Auth0 did not accept it within ${Math.round(window / 1000)} s.`, {
        code: 'E_ROTATE_NOT_VERIFIED',
        hint: 'Wait a minute and check that the backend can obtain a token; run `impress roles rotate` again if it cannot.',
      })
    }
    rotated.push({application: app.name, client: client.name, clientId: client.clientId, secretId: stored.arn, versionId: stored.versionId, verified, verifyAttempts: attempts, completedPending: wasPending})
  }
  return {expired, rotated, wouldRotate, dryRun: false}
}

/** The stored document: the current JSON with clientId/clientSecret replaced, or a new one. */
export function secretDocument(current: string | undefined, clientId: string, clientSecret: string): string {
  let doc: Record<string, unknown> = {}
  if (current) {
    try {
      const parsed: unknown = JSON.parse(current)
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) doc = parsed as Record<string, unknown>
    } catch {
      doc = {}
    }
  }
  return JSON.stringify({...doc, clientId, clientSecret})
}
