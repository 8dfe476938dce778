/**
 * The ports the Firebase backup capability needs, implemented by adapters in
 * src/lib/platform/firebase (Realtime Database REST) and src/lib/firebase/local-store.ts /
 * src/lib/platform/aws/s3.ts (where backups are kept).
 */
import type {Readable} from 'node:stream'
import type {JsonValue} from './format.js'

export type GetResult = {tooBig: true} | {tooBig: false; value: JsonValue}
/** An answer as the database sent it (JSON bytes), for reads that slice rather than parse. */
export type RawResult = {tooBig: true} | {tooBig: false; raw: Buffer}
export type GetOptions = {shallow?: boolean; orderByKey?: {startAt?: string; limitToFirst?: number}}

/** Reads and writes of one Realtime Database over REST. */
export interface RtdbPort {
  /** The database URL and namespace, for the manifest. */
  readonly source: {databaseURL: string; namespace?: string; projectId?: string}
  /** GET path; `tooBig` when the database (or the client's response cap) refuses the size. */
  get(path: string, options?: GetOptions): Promise<GetResult>
  /** The same read, answered as the JSON bytes the database sent (not parsed). */
  getRaw(path: string, options?: GetOptions): Promise<RawResult>
  /** Multi-path update at `path` (keys are relative paths). */
  patch(path: string, updates: Record<string, JsonValue>): Promise<void>
  /** Delete the node at path. */
  remove(path: string): Promise<void>
}

/** Where backups live: a local directory or an S3 prefix. */
export interface BackupStore {
  /** Human description, e.g. /home/x/backups/sandbox or s3://bucket/prefix. */
  readonly location: string
  /** Backup ids (directory names) present in the store. */
  list(): Promise<string[]>
  /** Files of one backup with their sizes. */
  files(id: string): Promise<{name: string; bytes: number}[]>
  read(id: string, name: string): Promise<Buffer | undefined>
  write(id: string, name: string, data: string | Buffer): Promise<void>
  /** Local directory where chunks are written before `putChunk` stores them. */
  stagingDir(id: string): Promise<string>
  /** Store a finished chunk written in the staging directory. */
  putChunk(id: string, name: string): Promise<void>
  /** Delete one file of a backup (stale chunks on resume). */
  removeFile?(id: string, name: string): Promise<void>
  openRead(id: string, name: string): Promise<Readable>
  remove(id: string): Promise<void>
}

export interface Progress {
  (event: {phase: string; message: string}): void
}

/** One Firestore database, as the backup needs it (values already encoded as tagged JSON). */
export interface FirestorePort {
  readonly source: {projectId: string; databaseId: string}
  /** A read time for a consistent backup (slightly in the past). */
  readTime(): Promise<string>
  /** Collection ids at the root (no path) or under a document path. */
  listCollections(documentPath?: string): Promise<string[]>
  /** Documents of a collection in id order after `afterId`, as of `readTime`. */
  page(collectionPath: string, afterId: string | undefined, limit: number, readTime?: string): Promise<{id: string; path: string; data: import('./format.js').JsonValue}[]>
  /** Write documents (BulkWriter: rate-limited, retried). */
  write(docs: {path: string; data: import('./format.js').JsonValue}[]): Promise<void>
  /** How old a read time may be and still be read (Firestore keeps microsecond versions one hour). */
  readonly maxReadAgeMs: number
  /** Paths of a collection's documents, now, including missing ones that only have sub-collections. */
  listDocumentPaths(collectionPath: string): Promise<string[]>
  /** Delete documents (BulkWriter: rate-limited, retried; sub-collections are not touched). */
  remove(paths: string[]): Promise<void>
  /** Documents directly in a collection (an aggregation count query: one request). */
  count(collectionPath: string): Promise<number>
  close(): Promise<void>
}

/** A Firestore managed export or import (a long-running operation), as the capability needs it. */
export interface ManagedOperation {
  /** projects/{p}/databases/{d}/operations/{id} */
  name: string
  done: boolean
  error?: {code: number; message: string}
  /** The operation's metadata (ExportDocumentsMetadata / ImportDocumentsMetadata) as plain JSON. */
  metadata: Record<string, unknown>
  /** Export: where the files are (the response's outputUriPrefix). */
  outputUriPrefix?: string
}

/** Firestore's admin API for one database: managed export and import, polled by operation name. */
export interface ManagedExportPort {
  readonly source: {projectId: string; databaseId: string}
  startExport(outputUriPrefix: string, collectionIds?: string[]): Promise<ManagedOperation>
  startImport(inputUriPrefix: string, collectionIds?: string[]): Promise<ManagedOperation>
  getOperation(name: string, kind: 'export' | 'import'): Promise<ManagedOperation>
  close(): Promise<void>
}

export interface ExportObject {
  name: string
  bytes: number
  /** base64 MD5 as Cloud Storage reports it. */
  md5: string
}

/** The Cloud Storage bucket an export is written to. */
export interface ObjectStorePort {
  bucketExists(bucket: string): Promise<boolean>
  /** Every object under the prefix (all pages). */
  list(bucket: string, prefix: string): Promise<ExportObject[]>
  remove(bucket: string, names: string[]): Promise<void>
}
