/**
 * Build the Firebase backup ports from a command's context: the Realtime Database REST client
 * of the environment (or of --to-database), and the backup store (a local directory or an
 * s3:// prefix). Sandbox-only settings (the sandbox URL as endpoint, ?ns=, the injected
 * token) are decided here and nowhere else.
 */
import path from 'node:path'
import {resolveSecret} from '../../config/secret-ref.js'
import type {Context} from '../../context.js'
import {ConfigError, UsageError} from '../../errors.js'
import {LocalBackupStore} from '../../firebase/local-store.js'
import type {BackupStore} from '../../firebase/ports.js'
import {accessTokenProvider} from './credentials.js'
import {RtdbRest} from './rtdb-rest.js'

function firebaseConfig(ctx: Context) {
  const fb = ctx.env.config.firebase
  if (!fb) {
    throw new ConfigError(`Environment "${ctx.env.name}" has no firebase section.`, {
      hint: 'Add firebase: {projectId, databaseURL, credentials} to the environment in impress.config.yaml.',
    })
  }
  return fb
}

/**
 * A database URL or a bare name → its URL and namespace: the `ns` query parameter when the URL
 * has one (the emulator form http://HOST:PORT/?ns=NAME, firebase-tools' convention), else the
 * first label of the host. `origin` is where the REST requests go.
 */
export function parseDatabase(value: string): {databaseURL: string; namespace: string; origin: string; emulator: boolean} {
  if (/^https?:\/\//.test(value)) {
    const u = new URL(value)
    const ns = u.searchParams.get('ns')
    if (ns !== null) {
      if (!/^[a-z0-9][a-z0-9-]*$/.test(ns)) throw new UsageError(`"${ns}" in ${value} is not a database name.`, {hint: 'Use http://HOST:PORT/?ns=NAME with NAME in lower-case letters, digits and hyphens.'})
      return {databaseURL: `${u.origin}/?ns=${ns}`, namespace: ns, origin: u.origin, emulator: true}
    }
    return {databaseURL: u.origin, namespace: u.hostname.split('.')[0], origin: u.origin, emulator: false}
  }
  if (!/^[a-z0-9][a-z0-9-]*$/.test(value)) {
    throw new UsageError(`"${value}" is not a database URL or name.`, {hint: 'Pass https://NAME.firebaseio.com (or https://NAME.REGION.firebasedatabase.app) or just NAME.'})
  }
  return {databaseURL: `https://${value}.firebaseio.com`, namespace: value, origin: `https://${value}.firebaseio.com`, emulator: false}
}

export async function rtdbFor(ctx: Context, override?: string, options: {maxResponseBytes?: number} = {}): Promise<RtdbRest> {
  const fb = firebaseConfig(ctx)
  const configured = override ?? fb.databaseURL ?? `https://${fb.projectId}-default-rtdb.firebaseio.com`
  const db = parseDatabase(configured)
  const where = `environments.${ctx.env.name}.firebase.credentials`
  const credentialsFile = fb.credentials ? path.resolve(ctx.env.baseDir, resolveSecret(fb.credentials, where, {secret: false})) : undefined
  if (ctx.env.sandbox) {
    const sb = await ctx.sandbox()
    return new RtdbRest({
      baseUrl: sb.url,
      namespace: db.namespace,
      databaseURL: db.databaseURL,
      projectId: fb.projectId,
      token: accessTokenProvider({sandbox: true}),
      timeScale: sb.timeScale,
      maxResponseBytes: options.maxResponseBytes,
      signal: ctx.signal,
    })
  }
  return new RtdbRest({
    baseUrl: db.origin,
    ...(db.emulator ? {namespace: db.namespace} : {}),
    databaseURL: db.databaseURL,
    projectId: fb.projectId,
    token: accessTokenProvider({sandbox: false, credentialsFile}),
    maxResponseBytes: options.maxResponseBytes,
    signal: ctx.signal,
  })
}

/** The default backups directory of the environment: <firebase.backups>/<env>. */
export function defaultBackupRoot(ctx: Context): string {
  const fb = ctx.env.config.firebase
  const root = fb?.backups ?? './backups'
  if (root.startsWith('s3://')) return `${root.replace(/\/$/, '')}/${ctx.env.name}`
  return path.resolve(ctx.env.baseDir, root, ctx.env.name)
}

/** A store at a location: a directory, or s3://bucket/prefix. */
export async function storeAt(ctx: Context, location: string): Promise<BackupStore> {
  if (location.startsWith('s3://')) {
    const {S3BackupStore} = await import('../aws/s3.js')
    return S3BackupStore.create(ctx, location)
  }
  return new LocalBackupStore(path.resolve(location))
}

/** A BACKUP argument: an id in the default store, a directory path, or s3://bucket/prefix/ID. */
export async function locateBackup(ctx: Context, ref: string, storeFlag?: string): Promise<{store: BackupStore; id: string}> {
  const trimmed = ref.replace(/\/+$/, '')
  if (trimmed.startsWith('s3://') || trimmed.includes('/') || trimmed.includes(path.sep)) {
    const idx = trimmed.lastIndexOf('/')
    const parent = trimmed.slice(0, idx)
    return {store: await storeAt(ctx, trimmed.startsWith('s3://') ? parent : path.resolve(parent)), id: trimmed.slice(idx + 1)}
  }
  return {store: await storeAt(ctx, storeFlag ?? defaultBackupRoot(ctx)), id: trimmed}
}

/** The environment's Firestore (or another project / database id), through firebase-admin. */
export async function firestoreFor(ctx: Context, override: {projectId?: string; databaseId?: string} = {}): Promise<import('./firestore.js').FirestoreAdmin> {
  const fb = firebaseConfig(ctx)
  const {FirestoreAdmin} = await import('./firestore.js')
  const projectId = override.projectId ?? fb.projectId
  const databaseId = override.databaseId ?? '(default)'
  if (ctx.env.sandbox) {
    const sb = await ctx.sandbox()
    return FirestoreAdmin.create({projectId, databaseId, emulatorHost: new URL(sb.url).host})
  }
  return FirestoreAdmin.create({projectId, databaseId, credentialsFile: credentialsFileOf(ctx)})
}

/** Where managed exports go: --export-to, else firebase.firestore.exportBucket, else (sandbox) its export bucket. */
export function exportBucketFor(ctx: Context, flag?: string): string {
  const configured = flag ?? ctx.env.config.firebase?.firestore?.exportBucket ?? (ctx.env.sandbox ? 'gs://impress-sandbox-firestore-exports' : undefined)
  if (!configured) {
    throw new ConfigError(`Environment "${ctx.env.name}" has no firebase.firestore.exportBucket for managed exports.`, {
      hint: 'Add firebase: {firestore: {exportBucket: gs://BUCKET}} to the environment, or pass --export-to gs://BUCKET.',
    })
  }
  return configured
}

/** The service-account file of the environment (firebase.credentials), resolved against the config's directory. */
function credentialsFileOf(ctx: Context): string | undefined {
  const fb = firebaseConfig(ctx)
  return fb.credentials ? path.resolve(ctx.env.baseDir, resolveSecret(fb.credentials, `environments.${ctx.env.name}.firebase.credentials`, {secret: false})) : undefined
}

/** The Cloud Storage client for managed exports (verify, prune). */
export async function objectsFor(ctx: Context): Promise<import('../../firebase/ports.js').ObjectStorePort> {
  const fb = firebaseConfig(ctx)
  const {GcsObjectStore} = await import('./managed-export.js')
  if (ctx.env.sandbox) return GcsObjectStore.create({projectId: fb.projectId, sandboxUrl: (await ctx.sandbox()).url})
  return GcsObjectStore.create({projectId: fb.projectId, credentialsFile: credentialsFileOf(ctx)})
}

/** Firestore's admin API (managed export/import) for a database, and the Cloud Storage client for its exports. */
export async function managedFor(ctx: Context, override: {projectId?: string; databaseId?: string} = {}): Promise<{admin: import('../../firebase/ports.js').ManagedExportPort; objects: import('../../firebase/ports.js').ObjectStorePort}> {
  const fb = firebaseConfig(ctx)
  const {FirestoreManagedExport} = await import('./managed-export.js')
  const projectId = override.projectId ?? fb.projectId
  const databaseId = override.databaseId ?? '(default)'
  const objects = await objectsFor(ctx)
  if (ctx.env.sandbox) return {admin: FirestoreManagedExport.create({projectId, databaseId, sandboxUrl: (await ctx.sandbox()).url}), objects}
  return {admin: FirestoreManagedExport.create({projectId, databaseId, credentialsFile: credentialsFileOf(ctx)}), objects}
}
