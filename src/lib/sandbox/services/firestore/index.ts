/**
 * Cloud Firestore v1 REST (https://cloud.google.com/firestore/docs/reference/rest) as firebase-admin
 * sends it with preferRest (enums as integers): listCollectionIds, listDocuments, runQuery,
 * batchGet, commit, batchWrite, beginTransaction, rollback. Every document keeps its versions,
 * so reads honour readTime. See SPEC.md.
 */
import {randomBytes} from 'node:crypto'
import type {ServerResponse} from 'node:http'
import type {ErrorSpec, SandboxRequest, ServiceFactory} from '../../types.js'
import {refusalMessage} from '../../catalog.js'
import {firestoreCatalog} from './catalog.js'
import {AdminFault, firestoreAdmin, type AdminOperation} from './admin.js'

type Value = Record<string, unknown>
interface Version {
  /** Microseconds since the epoch. */
  t: number
  created: number
  fields?: Record<string, Value>
}
interface FirestoreState {
  clock: number
  databases: Record<string, {docs: Record<string, Version[]>}>
  /** Managed export/import operations (admin.ts). */
  operations?: Record<string, AdminOperation>
}

export const FIRESTORE_PROJECT = 'impress-sandbox'
const DATABASES = ['(default)', 'scratch']
const STATUS: Record<number, string> = {400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 404: 'NOT_FOUND', 409: 'ABORTED', 412: 'FAILED_PRECONDITION', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 501: 'UNIMPLEMENTED', 503: 'UNAVAILABLE'}

class FsFault extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The google.rpc status name when it is not the usual one for the HTTP status. */
    readonly rpcStatus?: string,
  ) {
    super(message)
  }
}

/**
 * How far back reads with readTime reach: Firestore keeps microsecond-precision versions for one
 * hour (PITR adds whole-minute versions for 7 days, not emulated). Wall-clock time, not scaled:
 * version timestamps are wall-clock times.
 */
export const VERSION_RETENTION_MS = 60 * 60 * 1000

export function microsToIso(us: number): string {
  const ms = Math.floor(us / 1000)
  return `${new Date(ms).toISOString().slice(0, 19)}.${String(us % 1_000_000).padStart(6, '0')}Z`
}

export function isoToMicros(iso: string): number {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(iso)
  if (!m) throw new FsFault(400, `Invalid timestamp "${iso}"`)
  return Date.parse(`${m[1]}Z`) * 1000 + Number((m[2] ?? '').padEnd(6, '0').slice(0, 6))
}

function seedDocs(): Record<string, Version[]> {
  const t = 1_763_856_000_000_000
  const docs: Record<string, Version[]> = {}
  const put = (path: string, fields: Record<string, Value>) => (docs[path] = [{t, created: t, fields}])
  const str = (s: string) => ({stringValue: s})
  const int = (n: number) => ({integerValue: String(n)})
  for (let i = 0; i < 40; i++) {
    put(`users/user${i}`, {name: str(`User ${i}`), email: str(`user${i}@impress.example`), admin: {booleanValue: i % 10 === 0}, joined: {timestampValue: microsToIso(t - i * 86_400_000_000)}})
    put(`users/user${i}/settings/ui`, {language: str(['en', 'de', 'fr'][i % 3]), zoom: {doubleValue: 1.25}})
  }
  for (let p = 0; p < 12; p++) {
    put(`projects/p${p}`, {title: str(`Project ${p}`), owner: {referenceValue: `projects/${FIRESTORE_PROJECT}/databases/(default)/documents/users/user${p}`}, tags: {arrayValue: {values: [str('impress'), str(`t${p % 4}`)]}}, location: {geoPointValue: {latitude: 52.52, longitude: 13.4 + p / 100}}})
    for (let d = 0; d < 15; d++) {
      put(`projects/p${p}/pages/page${d}`, {n: int(d), body: str(`page ${d} of project ${p}`), meta: {mapValue: {fields: {words: int(100 + d), draft: {booleanValue: d % 2 === 0}}}}, blob: {bytesValue: Buffer.from(`p${p}d${d}`).toString('base64')}, none: {nullValue: null}})
      if (d < 3) put(`projects/p${p}/pages/page${d}/comments/c0`, {text: str('Looks good'), by: str(`user${(p + d) % 40}`)})
    }
  }
  for (const lang of ['en', 'de', 'fr', 'es']) put(`translations/${lang}`, {count: int(200), updated: {timestampValue: microsToIso(t)}})
  return docs
}

export const firestoreService: ServiceFactory = (ctx) => {
  const state = () =>
    ctx.state.open<FirestoreState>('firestore', 'documents', () => ({
      clock: 0,
      databases: Object.fromEntries(DATABASES.map((d) => [d, {docs: d === '(default)' ? seedDocs() : {}}])),
    }))
  const now = (): number => {
    const s = state().data
    s.clock = Math.max(Date.now() * 1000, s.clock + 1)
    return s.clock
  }

  /** /v1/projects/{p}/databases/{d}/documents[/rest][:method] */
  const parse = (req: SandboxRequest) => {
    const m = /^\/v1\/projects\/([^/]+)\/databases\/([^/]+)\/documents(\/[^:]*)?(?::([A-Za-z]+))?$/.exec(decodeURIComponent(req.path))
    if (!m) throw new FsFault(404, `Unknown path ${req.path}`)
    const [, project, database, rest, method] = m
    const db = state().data.databases[database]
    if (!db) throw new FsFault(404, `The database ${database} does not exist for project ${project}`)
    return {project, database, rel: (rest ?? '').replace(/^\//, ''), method, db, prefix: `projects/${project}/databases/${database}/documents`}
  }

  const visible = (versions: Version[] | undefined, at?: number): Version | undefined => {
    if (!versions) return undefined
    for (let i = versions.length - 1; i >= 0; i--) {
      const v = versions[i]
      if (at === undefined || v.t <= at) return v.fields ? v : undefined
    }
    return undefined
  }
  const checkReadTime = (us: number): number => {
    if (us < (Date.now() - VERSION_RETENTION_MS) * 1000) throw new FsFault(400, 'The requested snapshot version is too old.', 'FAILED_PRECONDITION')
    return us
  }
  const readTimeOf = (body: Record<string, unknown>): number | undefined => {
    if (typeof body.readTime === 'string') return checkReadTime(isoToMicros(body.readTime))
    return undefined
  }
  const docJson = (prefix: string, rel: string, v: Version) => ({name: `${prefix}/${rel}`, fields: v.fields, createTime: microsToIso(v.created), updateTime: microsToIso(v.t)})
  const relOf = (prefix: string, name: unknown): string => {
    if (typeof name !== 'string' || !name.startsWith(`${prefix}/`)) throw new FsFault(400, `Document name "${String(name)}" is not in ${prefix}`)
    const rel = name.slice(prefix.length + 1)
    if (rel.split('/').length % 2 !== 0) throw new FsFault(400, `"${name}" is not a document name`)
    return rel
  }

  const apply = (db: FirestoreState['databases'][string], prefix: string, write: Record<string, unknown>, t: number) => {
    if (typeof write.delete === 'string') {
      const rel = relOf(prefix, write.delete)
      const cur = visible(db.docs[rel])
      precondition(write, cur)
      if (cur) (db.docs[rel] ??= []).push({t, created: cur.created})
      return
    }
    const update = write.update as {name?: string; fields?: Record<string, Value>} | undefined
    if (!update) throw new FsFault(400, 'A write needs "update" or "delete"')
    const rel = relOf(prefix, update.name)
    const cur = visible(db.docs[rel])
    precondition(write, cur)
    let fields: Record<string, Value> = {...(update.fields ?? {})}
    // An updateMask with no field paths (JSON omits the empty list) updates nothing: not a replace.
    const updateMask = write.updateMask as {fieldPaths?: string[]} | undefined
    const mask = updateMask ? (updateMask.fieldPaths ?? []) : undefined
    if (mask) {
      // Field paths are dotted (a.b.`c.d`): each one sets, or deletes, one nested map entry.
      fields = structuredClone(cur?.fields ?? {})
      for (const p of mask) setFieldPath(fields, splitFieldPath(p), getFieldPath(update.fields ?? {}, splitFieldPath(p)))
    }
    for (const tr of (write.updateTransforms as {fieldPath: string; setToServerValue?: number | string}[] | undefined) ?? []) {
      if (tr.setToServerValue === 1 || tr.setToServerValue === 'REQUEST_TIME') setFieldPath(fields, splitFieldPath(tr.fieldPath), {timestampValue: microsToIso(t)})
      else throw new FsFault(400, `The sandbox supports only the REQUEST_TIME transform (field ${tr.fieldPath})`)
    }
    ;(db.docs[rel] ??= []).push({t, created: cur?.created ?? t, fields})
  }
  const precondition = (write: Record<string, unknown>, cur: Version | undefined) => {
    const pre = write.currentDocument as {exists?: boolean; updateTime?: string} | undefined
    if (!pre) return
    if (pre.exists === true && !cur) throw new FsFault(404, 'No document to update')
    if (pre.exists === false && cur) throw new FsFault(409, 'Document already exists')
    if (pre.updateTime && (!cur || cur.t !== isoToMicros(pre.updateTime))) throw new FsFault(412, 'The document was modified')
  }

  const newTransaction = (): string => randomBytes(12).toString('base64')

  // Sorted document paths, rebuilt after writes, so prefix scans are a binary search.
  let generation = 0
  const sortedCache = new WeakMap<object, {generation: number; paths: string[]}>()
  const withPrefix = (docs: Record<string, Version[]>, prefix: string): string[] => {
    let hit = sortedCache.get(docs)
    if (!hit || hit.generation !== generation) {
      hit = {generation, paths: Object.keys(docs).sort()}
      sortedCache.set(docs, hit)
    }
    const paths = hit.paths
    let lo = 0
    let hi = paths.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (paths[mid] < prefix) lo = mid + 1
      else hi = mid
    }
    const out: string[] = []
    for (let i = lo; i < paths.length && paths[i].startsWith(prefix); i++) out.push(paths[i])
    return out
  }

  const admin = firestoreAdmin({
    ctx,
    docs: (database) => state().data.databases[database]?.docs,
    operations: () => (state().data.operations ??= {}),
    visible,
    now,
    microsToIso,
    save: () => state().save(),
    touched: () => generation++,
  })

  /** A query's documents: direct children of one collection under `rel`, visible at `at`. */
  const collectionDocs = (db: FirestoreState['databases'][string], rel: string, collectionId: string, at?: number): string[] => {
    const collPrefix = `${rel ? `${rel}/` : ''}${collectionId}/`
    return withPrefix(db.docs, collPrefix).filter((p) => !p.slice(collPrefix.length).includes('/') && visible(db.docs[p], at))
  }

  const handle = (req: SandboxRequest, res: ServerResponse): void => {
    const auth = req.headers.authorization
    if (auth !== 'Bearer owner') throw new FsFault(401, 'Missing or invalid authentication (the sandbox accepts the emulator token "owner").')
    if (admin.matches(req)) return admin.handle(req, res)
    const {rel, method, db, prefix} = parse(req)
    const body = req.method === 'GET' ? {} : req.json<Record<string, unknown>>()
    if (method === 'commit' || method === 'batchWrite') generation++
    const send = (v: unknown) => {
      const text = JSON.stringify(v)
      res.writeHead(200, {'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text)})
      res.end(text)
    }
    if (req.method === 'GET' && !method && rel.split('/').filter(Boolean).length % 2 === 0 && rel) {
      // documents.get: .../documents/{collection}/{id}[/…]
      const at = req.url.searchParams.get('readTime') ? checkReadTime(isoToMicros(req.url.searchParams.get('readTime')!)) : undefined
      const v = visible(db.docs[rel], at)
      if (!v) throw new FsFault(404, `Document "${prefix}/${rel}" not found.`)
      return send(docJson(prefix, rel, v))
    }
    if (req.method === 'GET' && !method) {
      // listDocuments: .../documents/{parent}/{collectionId}
      const segs = rel.split('/').filter(Boolean)
      if (segs.length % 2 !== 1) throw new FsFault(400, 'listDocuments needs a collection path')
      const collPrefix = `${segs.join('/')}/`
      const at = req.url.searchParams.get('readTime') ? checkReadTime(isoToMicros(req.url.searchParams.get('readTime')!)) : undefined
      const showMissing = req.url.searchParams.get('showMissing') === 'true'
      const ids = new Set<string>()
      for (const p of withPrefix(db.docs, collPrefix)) {
        const vs = db.docs[p]
        const tail = p.slice(collPrefix.length).split('/')
        if (tail.length === 1 ? visible(vs, at) : showMissing && visible(vs, at)) ids.add(tail[0])
      }
      const sorted = [...ids].sort()
      const size = Math.min(Number(req.url.searchParams.get('pageSize') ?? 300) || 300, 300)
      const token = req.url.searchParams.get('pageToken')
      const start = token ? sorted.findIndex((id) => id > Buffer.from(token, 'base64').toString('utf8')) : 0
      const page = start < 0 ? [] : sorted.slice(start, start + size)
      const documents = page.map((id) => {
        const v = visible(db.docs[`${collPrefix}${id}`], at)
        return v ? docJson(prefix, `${collPrefix}${id}`, v) : {name: `${prefix}/${collPrefix}${id}`}
      })
      const more = start >= 0 && start + size < sorted.length
      return send({documents, ...(more ? {nextPageToken: Buffer.from(page[page.length - 1]).toString('base64')} : {})})
    }
    switch (method) {
      case 'listCollectionIds': {
        const at = readTimeOf(body)
        const base = rel ? `${rel}/` : ''
        const ids = new Set<string>()
        for (const p of withPrefix(db.docs, base)) if (visible(db.docs[p], at)) ids.add(p.slice(base.length).split('/')[0])
        const sorted = [...ids].sort()
        const size = typeof body.pageSize === 'number' ? body.pageSize : sorted.length
        const after = typeof body.pageToken === 'string' && body.pageToken ? Buffer.from(body.pageToken, 'base64').toString('utf8') : undefined
        const rest = after === undefined ? sorted : sorted.filter((id) => id > after)
        const page = rest.slice(0, size)
        return send({collectionIds: page, ...(rest.length > page.length ? {nextPageToken: Buffer.from(page[page.length - 1]).toString('base64')} : {})})
      }
      case 'runQuery': {
        const q = body.structuredQuery as {from?: {collectionId: string; allDescendants?: boolean}[]; where?: unknown; orderBy?: {field: {fieldPath: string}; direction?: number | string}[]; startAt?: {values: Value[]; before?: boolean}; endAt?: {values: Value[]; before?: boolean}; limit?: number | {value: number}; offset?: number}
        if (!q?.from || q.from.length !== 1 || q.from[0].allDescendants) throw new FsFault(400, 'The sandbox runs queries over one collection (no collection groups)')
        if (q.where) throw new FsFault(400, 'The sandbox does not evaluate where filters')
        if ((q as {select?: unknown}).select !== undefined) throw new FsFault(501, refusalMessage('firestore', 'structuredQuery.select (projections)'), 'UNIMPLEMENTED')
        const order = q.orderBy ?? []
        if (order.some((o) => o.field.fieldPath !== '__name__')) throw new FsFault(400, 'The sandbox orders only by __name__')
        const desc = order[0] && (order[0].direction === 2 || order[0].direction === 'DESCENDING')
        const at = readTimeOf(body)
        const collPrefix = `${rel ? `${rel}/` : ''}${q.from[0].collectionId}/`
        let names = withPrefix(db.docs, collPrefix).filter((p) => !p.slice(collPrefix.length).includes('/') && visible(db.docs[p], at))
        if (desc) names.reverse()
        const cursor = (c: {values: Value[]; before?: boolean} | undefined) => (c ? relOf(prefix, c.values[0]?.referenceValue) : undefined)
        const start = cursor(q.startAt)
        if (start !== undefined) names = names.filter((n) => (desc ? (q.startAt!.before ? n <= start : n < start) : q.startAt!.before ? n >= start : n > start))
        const end = cursor(q.endAt)
        if (end !== undefined) names = names.filter((n) => (desc ? (q.endAt!.before ? n > end : n >= end) : q.endAt!.before ? n < end : n <= end))
        names = names.slice(q.offset ?? 0)
        const limit = typeof q.limit === 'number' ? q.limit : q.limit?.value
        if (limit !== undefined) names = names.slice(0, limit)
        const readTime = microsToIso(at ?? now())
        const out: unknown[] = names.map((n) => ({document: docJson(prefix, n, visible(db.docs[n], at)!), readTime}))
        if (out.length === 0) out.push({readTime})
        if (body.newTransaction) (out[0] as Record<string, unknown>).transaction = newTransaction()
        return send(out)
      }
      case 'batchGet': {
        const at = readTimeOf(body)
        const readTime = microsToIso(at ?? now())
        const out: unknown[] = ((body.documents as string[]) ?? []).map((name) => {
          const r = relOf(prefix, name)
          const v = visible(db.docs[r], at)
          return v ? {found: docJson(prefix, r, v), readTime} : {missing: name, readTime}
        })
        if (body.newTransaction) (out[0] as Record<string, unknown>) = {...(out[0] as object), transaction: newTransaction()}
        return send(out)
      }
      case 'runAggregationQuery': {
        // count() over one collection: the only aggregation modelled (sum/avg refused).
        const a = body.structuredAggregationQuery as {structuredQuery?: {from?: {collectionId: string; allDescendants?: boolean}[]; where?: unknown; orderBy?: unknown; limit?: unknown; offset?: unknown; startAt?: unknown; endAt?: unknown; select?: unknown}; aggregations?: {alias?: string; count?: {upTo?: string | number}; sum?: unknown; avg?: unknown}[]} | undefined
        const q = a?.structuredQuery
        if (!q?.from || q.from.length !== 1 || q.from[0].allDescendants) throw new FsFault(400, 'The sandbox counts one collection (no collection groups)')
        for (const k of ['where', 'orderBy', 'limit', 'offset', 'startAt', 'endAt', 'select'] as const) {
          if (q[k] !== undefined && !(k === 'orderBy' && Array.isArray(q.orderBy) && q.orderBy.length === 0)) throw new FsFault(501, refusalMessage('firestore', `structuredQuery.${k} in runAggregationQuery`), 'UNIMPLEMENTED')
        }
        const aggregations = a?.aggregations ?? []
        if (aggregations.length === 0 || aggregations.some((g) => !g.count)) throw new FsFault(501, refusalMessage('firestore', 'aggregations other than count()'), 'UNIMPLEMENTED')
        const at = readTimeOf(body)
        const n = collectionDocs(db, rel, q.from[0].collectionId, at).length
        const fields = Object.fromEntries(aggregations.map((g, i) => [g.alias ?? `field_${i + 1}`, {integerValue: String(g.count!.upTo !== undefined ? Math.min(n, Number(g.count!.upTo)) : n)}]))
        return send([{result: {aggregateFields: fields}, readTime: microsToIso(at ?? now())}])
      }
      case 'beginTransaction':
        return send({transaction: newTransaction()})
      case 'rollback':
        return send({})
      case 'commit': {
        const t = now()
        const writes = (body.writes as Record<string, unknown>[]) ?? []
        const snapshot = JSON.stringify(db.docs)
        try {
          for (const w of writes) apply(db, prefix, w, t)
        } catch (error) {
          state().data.databases[parse(req).database].docs = JSON.parse(snapshot) as Record<string, Version[]>
          throw error
        }
        state().save()
        return send({writeResults: writes.map(() => ({updateTime: microsToIso(t)})), commitTime: microsToIso(t)})
      }
      case 'batchWrite': {
        const writes = (body.writes as Record<string, unknown>[]) ?? []
        const results: unknown[] = []
        const status: unknown[] = []
        for (const w of writes) {
          const t = now()
          try {
            apply(db, prefix, w, t)
            results.push({updateTime: microsToIso(t)})
            status.push({code: 0})
          } catch (error) {
            const e = error as FsFault
            results.push({})
            status.push({code: e.status === 404 ? 5 : e.status === 409 ? 6 : e.status === 412 ? 9 : 3, message: e.message})
          }
        }
        state().save()
        return send({writeResults: results, status})
      }
      default:
        throw new FsFault(404, `Method ${method ?? req.method} is not supported by the sandbox`)
    }
  }

  const renderJsonError = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}, rpcStatus?: string) => {
    const text = JSON.stringify({error: {code: status, message, status: rpcStatus ?? STATUS[status] ?? 'UNKNOWN'}})
    res.writeHead(status, {'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers})
    res.end(text)
  }

  return {
    name: 'firestore',
    catalog: firestoreCatalog,
    matches: (req) => !req.awsService && req.path.startsWith('/v1/projects/'),
    operation: (req) => {
      if (admin.matches(req)) return admin.operation(req)
      const m = /:([A-Za-z]+)$/.exec(req.path)
      if (m) return m[1]
      const segments = decodeURIComponent(req.path).split('/documents')[1]?.split('/').filter(Boolean).length ?? 0
      if (req.method === 'GET') return segments > 0 && segments % 2 === 0 ? 'getDocument' : 'listDocuments'
      return {PATCH: 'documents.patch', DELETE: 'documents.delete', POST: 'documents.createDocument'}[req.method] ?? `${req.method} document`
    },
    handle(req, res) {
      try {
        handle(req, res)
      } catch (error) {
        if (error instanceof FsFault || error instanceof AdminFault) return renderJsonError(res, error.status, error.message, {}, error.rpcStatus)
        if (error instanceof SyntaxError) return renderJsonError(res, 400, 'Invalid JSON payload received.')
        throw error
      }
    },
    renderError(_req, res, error: ErrorSpec) {
      if (error.kind === 'throttle') return renderJsonError(res, 429, 'Quota exceeded (injected by the sandbox).', {'retry-after': String(error.retryAfterSeconds ?? 1)})
      return renderJsonError(res, error.status, error.message)
    },
    seed() {
      state()
    },
    describe() {
      const s = state().data
      const ops = Object.values(s.operations ?? {})
      return {
        databases: Object.fromEntries(Object.entries(s.databases).map(([d, db]) => [d, {documents: Object.values(db.docs).filter((vs) => visible(vs)).length}])),
        operations: {exports: ops.filter((o) => o.kind === 'export').length, imports: ops.filter((o) => o.kind === 'import').length, running: ops.filter((o) => !o.done).length},
      }
    },
  }
}

/** `a.b.\`c.d\`` → ['a', 'b', 'c.d'] (Firestore field path syntax; backticks quote a segment). */
export function splitFieldPath(path: string): string[] {
  const out: string[] = []
  let i = 0
  while (i < path.length) {
    if (path[i] === '`') {
      let seg = ''
      i++
      while (i < path.length && path[i] !== '`') {
        if (path[i] === '\\' && i + 1 < path.length) i++
        seg += path[i++]
      }
      out.push(seg)
      i++
    } else {
      const dot = path.indexOf('.', i)
      const end = dot < 0 ? path.length : dot
      out.push(path.slice(i, end))
      i = end
    }
    if (path[i] === '.') i++
  }
  return out
}

function getFieldPath(fields: Record<string, Value>, segs: string[]): Value | undefined {
  let cur: Record<string, Value> | undefined = fields
  for (const [i, seg] of segs.entries()) {
    const v: Value | undefined = cur?.[seg]
    if (v === undefined) return undefined
    if (i === segs.length - 1) return v
    cur = (v as {mapValue?: {fields?: Record<string, Value>}}).mapValue?.fields
  }
  return undefined
}

function setFieldPath(fields: Record<string, Value>, segs: string[], value: Value | undefined): void {
  let cur = fields
  for (const seg of segs.slice(0, -1)) {
    const next = cur[seg] as {mapValue?: {fields?: Record<string, Value>}} | undefined
    if (!next?.mapValue) {
      if (value === undefined) return
      cur[seg] = {mapValue: {fields: {}}} as Value
    }
    const map = (cur[seg] as {mapValue: {fields?: Record<string, Value>}}).mapValue
    map.fields ??= {}
    cur = map.fields
  }
  const last = segs.at(-1)!
  if (value === undefined) delete cur[last]
  else cur[last] = value
}
