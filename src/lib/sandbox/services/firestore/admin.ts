/**
 * Firestore's managed export and import (https://cloud.google.com/firestore/docs/reference/rest/v1/projects.databases/exportDocuments,
 * …/importDocuments, …/projects.databases.operations): long-running operations that complete
 * on the sandbox clock, writing to and reading from the sandbox's Cloud Storage buckets
 * (../gcs/store.ts). The export's files are the sandbox's own format (SPEC.md): real exports are
 * LevelDB-format files that impress never parses either.
 */
import {createHash, randomBytes} from 'node:crypto'
import fs from 'node:fs'
import type {ServerResponse} from 'node:http'
import type {SandboxRequest, ServiceContext} from '../../types.js'
import {crc32c, GcsStore, parseGsUri} from '../gcs/store.js'

export const EXPORT_FORMAT = 'impress-sandbox-firestore-export/1'
const TYPE = 'type.googleapis.com/google.firestore.admin.v1.'
const STATE_NUM: Record<string, number> = {INITIALIZING: 1, PROCESSING: 2, FINALIZING: 4, SUCCESSFUL: 5, FAILED: 6}

type Fields = Record<string, unknown>
interface Version {
  t: number
  created: number
  fields?: Fields
}
export interface AdminOperation {
  id: string
  kind: 'export' | 'import'
  project: string
  database: string
  /** Wall-clock ms the operation started, and its simulated duration (scaled by the sandbox clock). */
  startMs: number
  simulatedMs: number
  /** Export: the version of the database it writes (microseconds). */
  at: number
  collectionIds: string[]
  uri: string
  documents: number
  bytes: number
  done: boolean
  endMs?: number
  error?: {code: number; message: string}
}

export class AdminFault extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly rpcStatus?: string,
  ) {
    super(message)
  }
}

export interface AdminDeps {
  ctx: ServiceContext
  /** The document versions of a database (undefined when it does not exist). */
  docs(database: string): Record<string, Version[]> | undefined
  operations(): Record<string, AdminOperation>
  visible(versions: Version[] | undefined, at?: number): Version | undefined
  /** Microseconds, strictly increasing. */
  now(): number
  microsToIso(us: number): string
  save(): void
  /** Documents were written (sorted caches are stale). */
  touched(): void
}

/** A document's collection id: the segment before its id. */
const kindOf = (rel: string): string => {
  const segs = rel.split('/')
  return segs[segs.length - 2]
}

export function firestoreAdmin(deps: AdminDeps) {
  const gcs = new GcsStore(deps.ctx)
  const clock = deps.ctx.clock

  /** Simulated durations: a minute to start, then a millisecond per document (100k documents ≈ 3 minutes). */
  const duration = (documents: number) => 60_000 + documents

  const metadataOf = (op: AdminOperation, ints: boolean) => {
    const elapsed = Date.now() - op.startMs
    const total = Math.max(1, clock.real(op.simulatedMs))
    const fraction = op.done ? 1 : Math.min(0.99, elapsed / total)
    const state = op.error ? 'FAILED' : op.done ? 'SUCCESSFUL' : fraction < 0.05 ? 'INITIALIZING' : 'PROCESSING'
    return {
      '@type': `${TYPE}${op.kind === 'export' ? 'ExportDocumentsMetadata' : 'ImportDocumentsMetadata'}`,
      startTime: new Date(op.startMs).toISOString(),
      ...(op.endMs ? {endTime: new Date(op.endMs).toISOString()} : {}),
      operationState: ints ? STATE_NUM[state] : state,
      progressDocuments: {estimatedWork: String(op.documents), completedWork: String(Math.floor(op.documents * fraction))},
      progressBytes: {estimatedWork: String(op.bytes), completedWork: String(Math.floor(op.bytes * fraction))},
      ...(op.collectionIds.length > 0 ? {collectionIds: op.collectionIds} : {}),
      ...(op.kind === 'export' ? {outputUriPrefix: op.uri} : {inputUriPrefix: op.uri}),
    }
  }

  const operationJson = (op: AdminOperation, ints: boolean) => ({
    name: `projects/${op.project}/databases/${op.database}/operations/${op.id}`,
    metadata: metadataOf(op, ints),
    done: op.done,
    ...(op.error ? {error: op.error} : op.done ? {response: op.kind === 'export' ? {'@type': `${TYPE}ExportDocumentsResponse`, outputUriPrefix: op.uri} : {'@type': 'type.googleapis.com/google.protobuf.Empty'}} : {}),
  })

  /** Finish an operation whose time has come: write the export's files, or apply the import. */
  const advance = (op: AdminOperation) => {
    if (op.done || !clock.elapsed(op.startMs, op.simulatedMs)) return
    try {
      if (op.kind === 'export') writeExport(op)
      else applyImport(op)
    } catch (error) {
      op.error = {code: 9, message: (error as Error).message}
    }
    op.done = true
    op.endMs = Date.now()
    deps.save()
  }

  const selected = (op: {collectionIds: string[]}, kind: string) => op.collectionIds.length === 0 || op.collectionIds.includes(kind)

  /** One NDJSON output file per collection id, and the overall metadata file last. */
  const writeExport = (op: AdminOperation) => {
    const {bucket, prefix} = parseGsUri(op.uri)!
    if (!gcs.bucket(bucket)) throw new Error(`The bucket ${bucket} no longer exists.`)
    const docs = deps.docs(op.database) ?? {}
    const outputs = new Map<string, {fd: number; file: string; md5: ReturnType<typeof createHash>; crc: number; size: number; documents: number}>()
    try {
      for (const rel of Object.keys(docs).sort()) {
        const v = deps.visible(docs[rel], op.at)
        const kind = kindOf(rel)
        if (!v || !selected(op, kind)) continue
        let out = outputs.get(kind)
        if (!out) {
          const file = gcs.newFile()
          out = {fd: fs.openSync(file, 'w'), file, md5: createHash('md5'), crc: 0, size: 0, documents: 0}
          outputs.set(kind, out)
        }
        const line = Buffer.from(`${JSON.stringify({name: rel, fields: v.fields, createTime: deps.microsToIso(v.created), updateTime: deps.microsToIso(v.t)})}\n`)
        fs.writeSync(out.fd, line)
        out.md5.update(line)
        out.crc = crc32c(line, out.crc)
        out.size += line.length
        out.documents++
      }
    } finally {
      for (const o of outputs.values()) fs.closeSync(o.fd)
    }
    const counts: Record<string, number> = {}
    for (const [kind, o] of outputs) {
      gcs.commit(bucket, `${prefix}/all_namespaces/kind_${kind}/output-0`, o.file, {size: o.size, md5: o.md5.digest(), crc: o.crc, contentType: 'application/x-ndjson'})
      counts[kind] = o.documents
    }
    op.documents = Object.values(counts).reduce((a, b) => a + b, 0)
    op.bytes = [...outputs.values()].reduce((a, o) => a + o.size, 0)
    const base = prefix.split('/').pop()
    const meta = {format: EXPORT_FORMAT, project: op.project, database: op.database, snapshotTime: deps.microsToIso(op.at), collectionIds: Object.keys(counts).sort(), documents: counts}
    gcs.put(bucket, `${prefix}/${base}.overall_export_metadata`, Buffer.from(JSON.stringify(meta)), 'application/json')
  }

  const exportAt = (uri: string): {bucket: string; prefix: string; meta: {format: string; collectionIds: string[]; documents: Record<string, number>}} => {
    const where = parseGsUri(uri)
    if (!where || !where.prefix) throw new AdminFault(400, `inputUriPrefix "${uri}" is not gs://BUCKET/PATH`, 'INVALID_ARGUMENT')
    if (!gcs.bucket(where.bucket)) throw new AdminFault(404, `The bucket ${where.bucket} does not exist.`, 'NOT_FOUND')
    const prefix = where.prefix.replace(/\/+$/, '')
    const base = prefix.split('/').pop()
    const raw = gcs.read(where.bucket, `${prefix}/${base}.overall_export_metadata`)
    if (!raw) throw new AdminFault(404, `No export at ${uri}: ${prefix}/${base}.overall_export_metadata is missing.`, 'NOT_FOUND')
    const meta = JSON.parse(raw.toString('utf8')) as {format: string; collectionIds: string[]; documents: Record<string, number>}
    if (meta.format !== EXPORT_FORMAT) throw new AdminFault(400, `${uri} is not an export the sandbox wrote (${meta.format}).`, 'INVALID_ARGUMENT')
    return {bucket: where.bucket, prefix, meta}
  }

  /** Write every exported document of the selected collections (documents already there are replaced, others kept). */
  const applyImport = (op: AdminOperation) => {
    const {bucket, prefix, meta} = exportAt(op.uri)
    const docs = deps.docs(op.database)
    if (!docs) throw new Error(`The database ${op.database} no longer exists.`)
    for (const kind of meta.collectionIds.filter((k) => selected(op, k))) {
      const raw = gcs.read(bucket, `${prefix}/all_namespaces/kind_${kind}/output-0`)
      if (!raw) throw new Error(`The export is missing ${prefix}/all_namespaces/kind_${kind}/output-0.`)
      const t = deps.now()
      for (const line of raw.toString('utf8').split('\n')) {
        if (!line) continue
        const d = JSON.parse(line) as {name: string; fields: Fields}
        const cur = deps.visible(docs[d.name])
        ;(docs[d.name] ??= []).push({t, created: cur?.created ?? t, fields: d.fields})
      }
    }
    deps.touched()
  }

  const start = (project: string, database: string, kind: 'export' | 'import', body: Record<string, unknown>): AdminOperation => {
    const docs = deps.docs(database)
    if (!docs) throw new AdminFault(404, `The database ${database} does not exist for project ${project}`, 'NOT_FOUND')
    for (const k of Object.keys(body)) {
      if (!['collectionIds', 'outputUriPrefix', 'inputUriPrefix', 'namespaceIds'].includes(k)) throw new AdminFault(501, `The sandbox does not model ${k} of ${kind}Documents (firestore); it refuses the request rather than answer it wrongly.`, 'UNIMPLEMENTED')
    }
    const namespaces = body.namespaceIds as string[] | undefined
    if (namespaces && namespaces.some((n) => n !== '')) throw new AdminFault(501, 'The sandbox models the default namespace only (namespaceIds [""]).', 'UNIMPLEMENTED')
    const collectionIds = (body.collectionIds as string[] | undefined) ?? []
    const id = randomBytes(9).toString('base64url')
    const startMs = Date.now()
    if (kind === 'export') {
      const raw = String(body.outputUriPrefix ?? '')
      const where = parseGsUri(raw)
      if (!where) throw new AdminFault(400, `outputUriPrefix "${raw}" is not gs://BUCKET[/PATH]`, 'INVALID_ARGUMENT')
      if (!gcs.bucket(where.bucket)) throw new AdminFault(404, `The bucket ${where.bucket} does not exist.`, 'NOT_FOUND')
      // A bare bucket gets a folder named after the start time, as Firestore does.
      const prefix = where.prefix.replace(/\/+$/, '') || `${new Date(startMs).toISOString().replace(/\.\d+Z$/, '')}_${id.slice(0, 5)}`
      const at = deps.now()
      let documents = 0
      let bytes = 0
      for (const [rel, vs] of Object.entries(docs)) {
        const v = deps.visible(vs, at)
        if (!v || !selected({collectionIds}, kindOf(rel))) continue
        documents++
        bytes += rel.length + 64
      }
      return {id, kind, project, database, startMs, simulatedMs: duration(documents), at, collectionIds, uri: `gs://${where.bucket}/${prefix}`, documents, bytes, done: false}
    }
    const uri = String(body.inputUriPrefix ?? '')
    const {meta} = exportAt(uri)
    const documents = Object.entries(meta.documents).filter(([k]) => selected({collectionIds}, k)).reduce((a, [, n]) => a + n, 0)
    return {id, kind, project, database, startMs, simulatedMs: duration(documents), at: 0, collectionIds, uri: uri.replace(/\/+$/, ''), documents, bytes: documents * 64, done: false}
  }

  const send = (res: ServerResponse, v: unknown) => {
    const text = JSON.stringify(v)
    res.writeHead(200, {'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text)})
    res.end(text)
  }

  const PATH = /^\/v1\/projects\/([^/]+)\/databases\/([^/:]+)(?::(exportDocuments|importDocuments)|\/operations(?:\/([^/:]+))?)$/

  return {
    /** Is this an admin request (export, import, operations)? */
    matches: (req: SandboxRequest) => PATH.test(decodeURIComponent(req.path)),
    operation(req: SandboxRequest): string {
      const m = PATH.exec(decodeURIComponent(req.path))!
      if (m[3]) return m[3]
      if (req.method !== 'GET') return `operations ${req.method}`
      return m[4] ? 'operations.get' : 'operations.list'
    },
    handle(req: SandboxRequest, res: ServerResponse): void {
      const [, project, database, method, opId] = PATH.exec(decodeURIComponent(req.path))!
      const ints = /enum-encoding=int/.test(req.url.searchParams.get('$alt') ?? '')
      const ops = deps.operations()
      if (method) {
        const op = start(project, database, method === 'exportDocuments' ? 'export' : 'import', req.json<Record<string, unknown>>())
        ops[op.id] = op
        deps.save()
        return send(res, operationJson(op, ints))
      }
      if (opId) {
        const op = ops[opId]
        if (!op || op.project !== project || op.database !== database) throw new AdminFault(404, `Operation ${req.path.slice(4)} not found.`, 'NOT_FOUND')
        advance(op)
        return send(res, operationJson(op, ints))
      }
      // operations.list: newest first, small pages.
      const mine = Object.values(ops).filter((o) => o.project === project && o.database === database).sort((a, b) => b.startMs - a.startMs || (a.id < b.id ? -1 : 1))
      for (const o of mine) advance(o)
      const size = Math.min(Number(req.url.searchParams.get('pageSize') ?? 20) || 20, 20)
      const from = Number(req.url.searchParams.get('pageToken') ?? 0) || 0
      const page = mine.slice(from, from + size)
      return send(res, {operations: page.map((o) => operationJson(o, ints)), ...(from + size < mine.length ? {nextPageToken: String(from + size)} : {})})
    },
  }
}
