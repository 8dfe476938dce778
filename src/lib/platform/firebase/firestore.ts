/**
 * Firestore through firebase-admin (preferRest: HTTP/1.1 REST, which also reaches the sandbox).
 * Pages collections by document id with a read time (a read-only transaction with readTime,
 * so every page sees the same point in time), writes with BulkWriter (rate-limited, retried),
 * and encodes values losslessly as tagged JSON: {"$ts": [seconds, nanos]}, {"$geo": [lat, lng]},
 * {"$ref": path}, {"$bytes": base64}, {"$num": "NaN"|"Infinity"|"-Infinity"}, and {"$map": {…}}
 * for a map whose keys start with "$". (Integers and doubles are both JS numbers in
 * firebase-admin: a double with an integral value comes back as an integer.)
 */
import type {Firestore} from 'firebase-admin/firestore'
import type {JsonValue} from '../../firebase/format.js'
import type {FirestorePort} from '../../firebase/ports.js'
import {OperationError, RefusedError} from '../../errors.js'
import {sleep} from '../../time/sleep.js'

const isFailedPrecondition = (error: unknown): boolean => {
  const e = error as {code?: number; status?: string; message?: string}
  return e.code === 9 || e.status === 'FAILED_PRECONDITION' || /FAILED_PRECONDITION|snapshot version is too old/.test(String(e.message))
}
/** gRPC codes worth another try: DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE. */
const TRANSIENT = new Set([4, 8, 10, 13, 14])
const RESET = /\b(ECONNRESET|EPIPE)\b|socket hang up/

/**
 * Worth another try: a transient gRPC code, or a connection reset by the server. Over REST the
 * client reuses keep-alive connections, and a server closes an idle one when its keep-alive
 * timeout ends (the sandbox after 5 s, like Node's default); a request sent on it as it closes
 * fails with "socket hang up" (ECONNRESET), no status at all. The backoff below waits up to 8 s,
 * so that race is met under load (a Firestore backup resumed under faults failed on it).
 */
export function isTransient(error: unknown): boolean {
  const e = error as {code?: unknown; errno?: unknown; message?: unknown; cause?: unknown}
  if (typeof e?.code === 'number') return TRANSIENT.has(e.code)
  return [e?.code, e?.errno, e?.message, (e?.cause as {code?: unknown} | undefined)?.code].some((v) => typeof v === 'string' && RESET.test(v))
}

/**
 * Reads only (idempotent). They are retried by the SDK already (a few times, a read-only transaction up to 5 attempts);
 * a backup of hours must also outlast an unlucky streak: up to 5 more rounds, 0.25 s doubling to 8 s.
 */
export async function retrying<T>(fn: () => Promise<T>, rounds = 5): Promise<T> {
  for (let round = 0; ; round++) {
    try {
      return await fn()
    } catch (error) {
      if (round >= rounds || !isTransient(error)) throw error
      await sleep(Math.min(8000, 250 * 2 ** round) * (0.5 + Math.random() / 2))
    }
  }
}

const firstLine = (error: unknown): string => String((error as Error).message ?? error).split('\n')[0]

export interface FirestoreTarget {
  projectId: string
  databaseId: string
  /** host:port of the sandbox (sets FIRESTORE_EMULATOR_HOST for this process) */
  emulatorHost?: string
  credentialsFile?: string
}

let appCounter = 0

export class FirestoreAdmin implements FirestorePort {
  private constructor(
    private readonly db: Firestore,
    private readonly sdk: typeof import('firebase-admin/firestore'),
    private readonly app: import('firebase-admin/app').App,
    readonly source: {projectId: string; databaseId: string},
  ) {}

  static async create(target: FirestoreTarget): Promise<FirestoreAdmin> {
    if (target.emulatorHost) process.env.FIRESTORE_EMULATOR_HOST = target.emulatorHost
    const appSdk = await import('firebase-admin/app')
    const sdk = await import('firebase-admin/firestore')
    const options: import('firebase-admin/app').AppOptions = {projectId: target.projectId}
    if (!target.emulatorHost) options.credential = target.credentialsFile ? appSdk.cert(target.credentialsFile) : appSdk.applicationDefault()
    const app = appSdk.initializeApp(options, `impress-firestore-${++appCounter}`)
    const db = target.databaseId === '(default)' ? sdk.getFirestore(app) : sdk.getFirestore(app, target.databaseId)
    db.settings({
      preferRest: true,
      // Against the sandbox the client sends the emulator's "Bearer owner" itself; this empty
      // auth client stops google-gax from looking for application default credentials
      // (which would probe the metadata server).
      ...(target.emulatorHost ? {authClient: {universeDomain: 'googleapis.com', getRequestHeaders: async () => ({})}} : {}),
    })
    return new FirestoreAdmin(db, sdk, app, {projectId: target.projectId, databaseId: target.databaseId})
  }

  /** Microsecond-precision read times are readable for one hour (PITR adds whole minutes only). */
  readonly maxReadAgeMs = 60 * 60 * 1000

  async readTime(): Promise<string> {
    return new Date(Date.now() - 1000).toISOString()
  }

  async listCollections(documentPath?: string): Promise<string[]> {
    const cols = await retrying(() => (documentPath ? this.db.doc(documentPath).listCollections() : this.db.listCollections()))
    return cols.map((c) => c.id)
  }

  async page(collectionPath: string, afterId: string | undefined, limit: number, readTime?: string): Promise<{id: string; path: string; data: JsonValue}[]> {
    const {FieldPath, Timestamp} = this.sdk
    let q = this.db.collection(collectionPath).orderBy(FieldPath.documentId()).limit(limit)
    if (afterId !== undefined) q = q.startAfter(afterId)
    try {
      const snap = await retrying(() => (readTime ? this.db.runTransaction((tx) => tx.get(q), {readOnly: true, readTime: Timestamp.fromDate(new Date(readTime))}) : q.get()))
      return snap.docs.map((d) => ({id: d.id, path: d.ref.path, data: this.encode(d.data())}))
    } catch (error) {
      // FAILED_PRECONDITION on a read at a read time: Firestore no longer keeps that version.
      // (Over REST, google-gax maps the HTTP 400 to code 3 and keeps the status name.)
      if (readTime && isFailedPrecondition(error)) {
        throw new RefusedError(`Firestore cannot read ${collectionPath} at ${readTime} any more: ${firstLine(error)}`, {
          code: 'E_READ_TIME_EXPIRED',
          hint: 'Firestore keeps document versions for one hour; start a new backup (without --resume).',
        })
      }
      throw error
    }
  }

  async listDocumentPaths(collectionPath: string): Promise<string[]> {
    // listDocuments with showMissing: also the ids that only hold sub-collections.
    const refs = await retrying(() => this.db.collection(collectionPath).listDocuments())
    return refs.map((r) => r.path)
  }

  async count(collectionPath: string): Promise<number> {
    const snap = await retrying(() => this.db.collection(collectionPath).count().get())
    return snap.data().count
  }

  async write(docs: {path: string; data: JsonValue}[]): Promise<void> {
    await this.bulk('writes', docs, (w, d) => w.set(this.db.doc(d.path), this.decode(d.data) as Record<string, unknown>))
  }

  async remove(paths: string[]): Promise<void> {
    await this.bulk('deletes', paths, (w, p) => w.delete(this.db.doc(p)))
  }

  /** One BulkWriter for the batch: rate-limited, each failed operation retried up to 8 times. */
  private async bulk<T>(what: string, items: T[], op: (w: import('firebase-admin/firestore').BulkWriter, item: T) => Promise<unknown>): Promise<void> {
    const writer = this.db.bulkWriter()
    const failures: string[] = []
    writer.onWriteError((e) => {
      if (e.failedAttempts < 8) return true
      failures.push(`${e.documentRef.path}: ${e.message}`)
      return false
    })
    for (const item of items) void op(writer, item).catch(() => undefined)
    await writer.close()
    if (failures.length > 0) throw new OperationError(`Firestore ${what} failed: ${failures.slice(0, 3).join('; ')}${failures.length > 3 ? ` (and ${failures.length - 3} more)` : ''}`, {hint: 'Run the restore again with --resume.'})
  }

  async close(): Promise<void> {
    await this.db.terminate()
    const {deleteApp} = await import('firebase-admin/app')
    await deleteApp(this.app)
  }

  private encode(v: unknown): JsonValue {
    const {Timestamp, GeoPoint, DocumentReference} = this.sdk
    if (v === null || v === undefined) return null
    if (typeof v === 'number') return Number.isFinite(v) ? v : {$num: String(v)}
    if (typeof v === 'string' || typeof v === 'boolean') return v
    if (v instanceof Timestamp) return {$ts: [v.seconds, v.nanoseconds]}
    if (v instanceof GeoPoint) return {$geo: [v.latitude, v.longitude]}
    if (v instanceof DocumentReference) return {$ref: v.path}
    if (v instanceof Uint8Array) return {$bytes: Buffer.from(v).toString('base64')}
    if (Array.isArray(v)) return v.map((x) => this.encode(x))
    const out: Record<string, JsonValue> = {}
    let dollar = false
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k.startsWith('$')) dollar = true
      out[k] = this.encode(x)
    }
    return dollar ? {$map: out} : out
  }

  private decode(v: JsonValue): unknown {
    const {Timestamp, GeoPoint} = this.sdk
    if (v === null || typeof v !== 'object') return v
    if (Array.isArray(v)) return v.map((x) => this.decode(x))
    const keys = Object.keys(v)
    if (keys.length === 1) {
      const [k] = keys
      const x = v[k]
      if (k === '$ts' && Array.isArray(x)) return new Timestamp(x[0] as number, x[1] as number)
      if (k === '$geo' && Array.isArray(x)) return new GeoPoint(x[0] as number, x[1] as number)
      if (k === '$ref' && typeof x === 'string') return this.db.doc(x)
      if (k === '$bytes' && typeof x === 'string') return Buffer.from(x, 'base64')
      if (k === '$num' && typeof x === 'string') return Number(x)
      if (k === '$map' && x && typeof x === 'object' && !Array.isArray(x)) return Object.fromEntries(Object.entries(x).map(([a, b]) => [a, this.decode(b)]))
    }
    return Object.fromEntries(Object.entries(v).map(([a, b]) => [a, this.decode(b)]))
  }
}
