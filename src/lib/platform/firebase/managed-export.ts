/**
 * Firestore's managed export/import and the Cloud Storage bucket it writes to, through the real
 * clients over HTTP: `@google-cloud/firestore`'s v1 FirestoreAdminClient with google-gax's REST
 * fallback (`fallback: 'rest'`, HTTP/1.1 JSON, the transport firebase-admin's preferRest uses too;
 * against the sandbox `protocol: 'http'` and the emulator token), and `@google-cloud/storage`
 * (`apiEndpoint` set to the sandbox: no credentials are looked for). Operations are polled by name
 * (`getOperation`), so a backup that was killed can resume polling the same export.
 */
import {createRequire} from 'node:module'
import type {ExportObject, ManagedExportPort, ManagedOperation, ObjectStorePort} from '../../firebase/ports.js'
import {requireCjs} from '../../require-cjs.js'
import {retrying} from './firestore.js'

export interface ManagedTarget {
  projectId: string
  databaseId: string
  /** Base URL of the sandbox (http://HOST:PORT): both clients talk to it over plain HTTP. */
  sandboxUrl?: string
  credentialsFile?: string
}

type AdminCtor = (typeof import('@google-cloud/firestore'))['v1']['FirestoreAdminClient']
type AdminClient = InstanceType<AdminCtor>
type Operation = {name?: string | null; done?: boolean | null; error?: {code?: number | null; message?: string | null} | null; metadata?: {value?: Uint8Array | Buffer | null; type_url?: string | null} | null; response?: {value?: Uint8Array | Buffer | null} | null}

const OPERATION_STATES = ['OPERATION_STATE_UNSPECIFIED', 'INITIALIZING', 'PROCESSING', 'CANCELLING', 'FINALIZING', 'SUCCESSFUL', 'FAILED', 'CANCELLED']

export class FirestoreManagedExport implements ManagedExportPort {
  private constructor(
    private readonly client: AdminClient,
    private readonly decoders: {exportMeta: (b: Uint8Array) => Record<string, unknown>; importMeta: (b: Uint8Array) => Record<string, unknown>; exportResponse: (b: Uint8Array) => Record<string, unknown>},
    readonly source: {projectId: string; databaseId: string},
  ) {}

  static create(target: ManagedTarget): FirestoreManagedExport {
    const firestoreRequire = createRequire(requireCjs.resolve('@google-cloud/firestore'))
    // The REST fallback only: google-gax's gRPC half is never loaded.
    const gax = firestoreRequire('google-gax/build/src/fallback') as typeof import('google-gax')
    const {v1} = requireCjs('@google-cloud/firestore') as typeof import('@google-cloud/firestore')
    const opts: Record<string, unknown> = {fallback: 'rest', projectId: target.projectId}
    if (target.sandboxUrl) {
      const u = new URL(target.sandboxUrl)
      Object.assign(opts, {
        servicePath: u.hostname,
        port: Number(u.port),
        protocol: 'http',
        // The emulator token; no application default credentials are looked for.
        authClient: {universeDomain: 'googleapis.com', getRequestHeaders: async () => ({Authorization: 'Bearer owner'}), getClient: async () => undefined},
      })
    } else if (target.credentialsFile) {
      opts.keyFilename = target.credentialsFile
    }
    const client = new v1.FirestoreAdminClient(opts as ConstructorParameters<AdminCtor>[0], gax as ConstructorParameters<AdminCtor>[1])
    // The protos of the operations' metadata, to decode the Any fields the REST fallback hands back.
    const root = (client as unknown as {_protos: {lookupType(name: string): {decode(b: Uint8Array): unknown; toObject(m: unknown, o: object): Record<string, unknown>}}})._protos
    const decoder = (name: string) => {
      const t = root.lookupType(name)
      return (b: Uint8Array) => t.toObject(t.decode(b), {longs: String, enums: String, defaults: false})
    }
    return new FirestoreManagedExport(
      client,
      {
        exportMeta: decoder('google.firestore.admin.v1.ExportDocumentsMetadata'),
        importMeta: decoder('google.firestore.admin.v1.ImportDocumentsMetadata'),
        exportResponse: decoder('google.firestore.admin.v1.ExportDocumentsResponse'),
      },
      {projectId: target.projectId, databaseId: target.databaseId},
    )
  }

  private get databaseName(): string {
    return `projects/${this.source.projectId}/databases/${this.source.databaseId}`
  }

  private toState(op: Operation, kind: 'export' | 'import'): ManagedOperation {
    let metadata: Record<string, unknown> = {}
    const raw = op.metadata?.value
    if (raw && raw.length > 0) metadata = kind === 'export' ? this.decoders.exportMeta(raw) : this.decoders.importMeta(raw)
    const state = metadata.operationState
    if (typeof state === 'number') metadata.operationState = OPERATION_STATES[state] ?? String(state)
    let outputUriPrefix: string | undefined
    if (op.done && !op.error && kind === 'export' && op.response?.value) outputUriPrefix = String(this.decoders.exportResponse(op.response.value).outputUriPrefix ?? '') || undefined
    return {
      name: String(op.name ?? ''),
      done: Boolean(op.done),
      ...(op.error && (op.error.code ?? 0) !== 0 ? {error: {code: op.error.code ?? 2, message: String(op.error.message ?? 'failed')}} : {}),
      metadata,
      ...(outputUriPrefix ? {outputUriPrefix} : {}),
    }
  }

  async startExport(outputUriPrefix: string, collectionIds?: string[]): Promise<ManagedOperation> {
    const [op] = await this.client.exportDocuments({name: this.databaseName, outputUriPrefix, ...(collectionIds?.length ? {collectionIds} : {})})
    return this.toState(op.latestResponse as Operation, 'export')
  }

  async startImport(inputUriPrefix: string, collectionIds?: string[]): Promise<ManagedOperation> {
    const [op] = await this.client.importDocuments({name: this.databaseName, inputUriPrefix, ...(collectionIds?.length ? {collectionIds} : {})})
    return this.toState(op.latestResponse as Operation, 'import')
  }

  async getOperation(name: string, kind: 'export' | 'import'): Promise<ManagedOperation> {
    // an idempotent poll: the same transient codes and connection resets as Firestore's reads
    const op = await retrying(() => this.client.getOperation({name} as Parameters<AdminClient['getOperation']>[0]))
    return this.toState((Array.isArray(op) ? op[0] : op) as Operation, kind)
  }

  async close(): Promise<void> {
    await this.client.close()
  }
}

export class GcsObjectStore implements ObjectStorePort {
  private constructor(private readonly storage: import('@google-cloud/storage').Storage) {}

  static create(target: {projectId: string; sandboxUrl?: string; credentialsFile?: string}): GcsObjectStore {
    const {Storage} = requireCjs('@google-cloud/storage') as typeof import('@google-cloud/storage')
    const storage = new Storage({
      projectId: target.projectId,
      ...(target.sandboxUrl ? {apiEndpoint: target.sandboxUrl} : target.credentialsFile ? {keyFilename: target.credentialsFile} : {}),
    })
    return new GcsObjectStore(storage)
  }

  async bucketExists(bucket: string): Promise<boolean> {
    const [exists] = await this.storage.bucket(bucket).exists()
    return exists
  }

  async list(bucket: string, prefix: string): Promise<ExportObject[]> {
    const [files] = await this.storage.bucket(bucket).getFiles({prefix, autoPaginate: true})
    return files.map((f) => ({name: f.name, bytes: Number(f.metadata.size ?? 0), md5: String(f.metadata.md5Hash ?? '')}))
  }

  async remove(bucket: string, names: string[]): Promise<void> {
    for (const name of names) await this.storage.bucket(bucket).file(name).delete({ignoreNotFound: true})
  }
}
