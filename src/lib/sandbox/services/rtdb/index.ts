/**
 * Firebase Realtime Database REST API (https://firebase.google.com/docs/reference/rest/database):
 * GET/PUT/PATCH/POST/DELETE /<path>.json with ?ns=<database>, shallow, orderBy="$key" with
 * limitToFirst/limitToLast/startAt/endAt/equalTo, print=pretty|silent, access_token/auth,
 * multi-path PATCH, response-size (too_big) and write-size limits. See SPEC.md.
 */
import {randomBytes} from 'node:crypto'
import fs from 'node:fs'
import type {ServerResponse} from 'node:http'
import path from 'node:path'
import type {ErrorSpec, SandboxRequest, ServiceFactory} from '../../types.js'
import {rtdbCatalog} from './catalog.js'
import {DEFAULT_NAMESPACE, SCRATCH_NAMESPACE, seedImpressTree} from './seed.js'
import {readTreeFile, TreeSaver} from './persist.js'
import {AnswerTooBig, answerPage, drained, jsonPieces} from './answer.js'
import {countLeaves, lowerBound, getAt, isNode, jsonSize, normalize, setAt, sortedKeys, splitPath, TreeError, type RtdbNode, type RtdbValue} from './tree.js'

export interface RtdbSettings {
  /** Largest GET response in bytes before the database answers too_big (RTDB: 256 MB). */
  maxResponseBytes: number
  /** Largest write body in bytes (16 MB, the limit of a single write from the SDKs). */
  maxWriteBytes: number
}

interface DatabasesDoc {
  names: string[]
  settings: Record<string, RtdbSettings>
  tokens: string[]
}

export const RTDB_TOO_BIG = 'Data requested exceeds the maximum size that can be accessed with a single request.'
export const RTDB_WRITE_TOO_BIG = 'Data to write exceeds the maximum size that can be modified with a single request.'
export const SANDBOX_RTDB_TOKEN = 'owner'

const DEFAULTS: RtdbSettings = {maxResponseBytes: 256 * 1024 * 1024, maxWriteBytes: 16 * 1024 * 1024}
const QUERY_PARAMS = ['orderBy', 'limitToFirst', 'limitToLast', 'startAt', 'endAt', 'equalTo']

class RtdbFault extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

function envDefaults(): RtdbSettings {
  const num = (v: string | undefined, d: number) => (v && Number(v) > 0 ? Number(v) : d)
  return {
    maxResponseBytes: num(process.env.IMPRESS_SANDBOX_RTDB_MAX_RESPONSE_BYTES, DEFAULTS.maxResponseBytes),
    maxWriteBytes: num(process.env.IMPRESS_SANDBOX_RTDB_MAX_WRITE_BYTES, DEFAULTS.maxWriteBytes),
  }
}

function namespaceOf(req: SandboxRequest): string {
  const ns = req.url.searchParams.get('ns')
  if (ns) return ns
  const host = String(req.headers.host ?? '').split(':')[0]
  const m = /^([a-z0-9-]+)\.(firebaseio\.com|[a-z0-9-]+\.firebasedatabase\.app)$/.exec(host)
  return m ? m[1] : DEFAULT_NAMESPACE
}

function send(req: SandboxRequest, res: ServerResponse, status: number, value: unknown): void {
  const print = req.url.searchParams.get('print')
  if (print === 'silent' && status < 300) {
    res.writeHead(204)
    res.end()
    return
  }
  const body = print === 'pretty' ? JSON.stringify(value, null, 2) : JSON.stringify(value)
  res.writeHead(status, {'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache'})
  res.end(body)
}

/** Responses larger than this are serialised and sent piece by piece (chunked), as the database streams them. */
const STREAM_ABOVE_BYTES = 4 * 1024 * 1024

/**
 * Send a large value without building its whole text (a 1 GB answer is longer than V8's
 * longest string): ~1 MB writes with backpressure; stops when the client goes away (a client
 * that abandons a too-big answer costs what it read, not the whole serialisation).
 */
async function streamValue(res: ServerResponse, value: RtdbNode): Promise<void> {
  res.writeHead(200, {'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache'})
  let parts: string[] = []
  let size = 0
  const flush = async (): Promise<boolean> => {
    const ok = res.write(parts.join(''))
    parts = []
    size = 0
    return drained(res, ok)
  }
  for (const piece of jsonPieces(value)) {
    parts.push(piece)
    size += piece.length
    if (size >= 1024 * 1024 && !(await flush())) return
  }
  if (size > 0 && !(await flush())) return
  res.end()
}

function parseJsonParam(req: SandboxRequest, name: string): unknown {
  const raw = req.url.searchParams.get(name)
  if (raw === null) return undefined
  try {
    return JSON.parse(raw)
  } catch {
    throw new RtdbFault(400, `${name} must be a valid JSON encoded value`)
  }
}

function parseLimit(req: SandboxRequest, name: string): number | undefined {
  const raw = req.url.searchParams.get(name)
  if (raw === null) return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n <= 0) throw new RtdbFault(400, `${name} must be a positive integer`)
  return n
}

/** Apply an orderBy="$key" query to a node: the keys of the selected children, in key order (none: null). */
function selectKeys(req: SandboxRequest, node: RtdbNode, path: string): {node: {[key: string]: RtdbValue}; keys: string[]} | null {
  const orderBy = parseJsonParam(req, 'orderBy')
  if (orderBy === undefined) throw new RtdbFault(400, 'orderBy must be defined when other query parameters are defined')
  if (typeof orderBy !== 'string') throw new RtdbFault(400, 'orderBy must be a valid JSON encoded path')
  if (orderBy !== '$key') throw new RtdbFault(400, `Index not defined, add ".indexOn": "${orderBy}", for path "${path || '/'}", to the rules`)
  const first = parseLimit(req, 'limitToFirst')
  const last = parseLimit(req, 'limitToLast')
  if (first !== undefined && last !== undefined) throw new RtdbFault(400, 'limitToFirst and limitToLast cannot both be set')
  const bound = (name: string): string | undefined => {
    const v = parseJsonParam(req, name)
    if (v === undefined) return undefined
    if (typeof v !== 'string') throw new RtdbFault(400, `${name} must be a string when orderBy is "$key"`)
    return v
  }
  const startAt = bound('startAt')
  const endAt = bound('endAt')
  const equalTo = bound('equalTo')
  if (!isNode(node)) return null
  // Index bounds into the cached sorted keys, sliced once (not a copy of the rest per page).
  const all = sortedKeys(node)
  let keys: string[]
  if (equalTo !== undefined) {
    keys = all.filter((k) => k === equalTo)
    if (startAt !== undefined) keys = keys.slice(lowerBound(keys, startAt))
    if (endAt !== undefined) keys = keys.slice(0, lowerBound(keys, endAt) + (keys.includes(endAt) ? 1 : 0))
    if (first !== undefined) keys = keys.slice(0, first)
    if (last !== undefined) keys = keys.slice(Math.max(0, keys.length - last))
  } else {
    let lo = startAt === undefined ? 0 : lowerBound(all, startAt)
    let hi = all.length
    if (endAt !== undefined) {
      const e = lowerBound(all, endAt)
      hi = Math.max(lo, e + (all[e] === endAt ? 1 : 0))
    }
    if (first !== undefined) hi = Math.min(hi, lo + first)
    if (last !== undefined) lo = Math.max(lo, hi - last)
    keys = all.slice(lo, hi)
  }
  return keys.length === 0 ? null : {node, keys}
}

/** The answer to an orderBy="$key" query as an object (print=pretty and print=silent answers). */
function query(req: SandboxRequest, node: RtdbNode, path: string): RtdbNode {
  const selected = selectKeys(req, node, path)
  if (!selected) return null
  const out: {[key: string]: RtdbValue} = {}
  for (const k of selected.keys) out[k] = selected.node[k]
  return out
}

export const rtdbService: ServiceFactory = (ctx) => {
  const databases = () =>
    ctx.state.open<DatabasesDoc>('rtdb', 'databases', () => ({
      names: [DEFAULT_NAMESPACE, SCRATCH_NAMESPACE],
      settings: {[DEFAULT_NAMESPACE]: envDefaults(), [SCRATCH_NAMESPACE]: envDefaults()},
      tokens: [SANDBOX_RTDB_TOKEN],
    }))
  // The trees are persisted by the service itself (persist.ts), not as one JSON state document:
  // a database of a gigabyte cannot be one string, nor be rewritten after every write.
  const trees = new Map<string, {root: RtdbNode}>()
  const saver = new TreeSaver()
  const treeFile = (ns: string) => path.join(ctx.state.serviceDir('rtdb'), `tree-${encodeURIComponent(ns)}.ndjson`)
  const tree = (ns: string) => {
    let t = trees.get(ns)
    if (!t) {
      const file = treeFile(ns)
      // Before persist.ts, a tree was a state document (db-<ns>.json): still read, rewritten as lines.
      const legacy = path.join(path.dirname(file), `db-${ns}.json`)
      if (fs.existsSync(file)) {
        t = {root: readTreeFile(file)}
        trees.set(ns, t)
      } else {
        t = {root: fs.existsSync(legacy) ? (JSON.parse(fs.readFileSync(legacy, 'utf8')) as {root: RtdbNode}).root : ns === DEFAULT_NAMESPACE ? seedImpressTree() : null}
        trees.set(ns, t)
        save(ns)
      }
    }
    const doc = t
    return {
      get data() {
        return doc
      },
      save: () => save(ns),
    }
  }
  const save = (ns: string) =>
    saver.markDirty(ns, () => ({file: treeFile(ns), root: trees.get(ns)?.root ?? null}))

  const database = (ns: string) => {
    const dbs = databases().data
    if (!dbs.names.includes(ns)) throw new RtdbFault(404, 'Firebase error. Please ensure that you spelled the name of your Firebase correctly')
    return {settings: dbs.settings[ns] ?? DEFAULTS, doc: tree(ns)}
  }

  const authorize = (req: SandboxRequest) => {
    const header = req.headers.authorization
    const bearer = typeof header === 'string' && /^Bearer /i.test(header) ? header.slice(7).trim() : undefined
    const token = req.url.searchParams.get('access_token') ?? req.url.searchParams.get('auth') ?? bearer
    if (!token || !databases().data.tokens.includes(token)) throw new RtdbFault(401, 'Permission denied')
  }

  const readBody = (req: SandboxRequest, settings: RtdbSettings): unknown => {
    if (req.body.length > settings.maxWriteBytes) throw new RtdbFault(413, RTDB_WRITE_TOO_BIG)
    try {
      return JSON.parse(req.text())
    } catch {
      throw new RtdbFault(400, "Invalid data; couldn't parse JSON object, array, or value.")
    }
  }

  const handle = (req: SandboxRequest, res: ServerResponse): Promise<void> | void => {
    saver.touch()
    const ns = namespaceOf(req)
    const rawPath = decodeURIComponent(req.path.replace(/\.json$/, ''))
    if (rawPath === '/.settings/sandbox') {
      // Sandbox-only: read or change this database's limits (like /.settings/rules.json).
      authorize(req)
      const db = database(ns)
      if (req.method === 'GET') return send(req, res, 200, db.settings)
      const body = readBody(req, db.settings) as Partial<RtdbSettings>
      const next = {...db.settings, ...Object.fromEntries(Object.entries(body).filter(([k, v]) => k in DEFAULTS && typeof v === 'number' && v > 0))}
      databases().data.settings[ns] = next
      databases().save()
      return send(req, res, 200, next)
    }
    const segments = splitPath(rawPath)
    if (segments.some((s) => s.startsWith('.'))) throw new RtdbFault(400, `Invalid path "${rawPath}": paths cannot contain "." segments`)
    authorize(req)
    const db = database(ns)
    const path = `/${segments.join('/')}`
    switch (req.method) {
      case 'GET': {
        const params = req.url.searchParams
        const node = getAt(db.doc.data.root, segments)
        let value: RtdbNode
        if (params.get('shallow') === 'true') {
          if (QUERY_PARAMS.some((p) => params.has(p))) throw new RtdbFault(400, 'Mixing shallow with other query parameters is not supported')
          value = isNode(node) ? Object.fromEntries(Object.keys(node).map((k) => [k, isNode(node[k]) ? true : node[k]])) : node
        } else if (QUERY_PARAMS.some((p) => params.has(p))) {
          if (params.get('print') !== 'pretty' && params.get('print') !== 'silent') {
            // A page: serialised while counting its bytes, too_big decided by that count (answer.ts).
            const selected = selectKeys(req, node, path)
            if (!selected) return send(req, res, 200, null)
            return answerPage(res, selected.node, selected.keys, db.settings.maxResponseBytes).catch((error: unknown) => {
              throw error instanceof AnswerTooBig ? new RtdbFault(400, RTDB_TOO_BIG) : error
            })
          }
          value = query(req, node, path)
        } else {
          value = node
        }
        const size = jsonSize(value, db.settings.maxResponseBytes)
        if (size > db.settings.maxResponseBytes) throw new RtdbFault(400, RTDB_TOO_BIG)
        if (req.url.searchParams.get('print') !== 'pretty' && size > STREAM_ABOVE_BYTES) return streamValue(res, value)
        return send(req, res, 200, value)
      }
      case 'PUT': {
        const body = readBody(req, db.settings)
        db.doc.data.root = setAt(db.doc.data.root, segments, normalize(body, path))
        db.doc.save()
        return send(req, res, 200, body)
      }
      case 'POST': {
        const value = normalize(readBody(req, db.settings), path)
        const name = `-${Date.now().toString(36)}${randomBytes(6).toString('hex')}`
        db.doc.data.root = setAt(db.doc.data.root, [...segments, name], value)
        db.doc.save()
        return send(req, res, 200, {name})
      }
      case 'PATCH': {
        const body = readBody(req, db.settings)
        if (!isNode(body as RtdbNode) || Array.isArray(body)) throw new RtdbFault(400, "Invalid data; couldn't parse JSON object, array, or value.")
        const updates = Object.entries(body as Record<string, unknown>).map(([k, v]) => ({segs: splitPath(k), key: k, value: normalize(v, `${path}/${k}`)}))
        for (const u of updates) {
          if (u.segs.length === 0 || u.segs.some((s) => s.startsWith('.') || /[$#[\]]/.test(s))) throw new RtdbFault(400, `Invalid data; invalid path "${u.key}" in update`)
        }
        const sorted = updates.map((u) => u.segs.join('/')).sort()
        for (let i = 1; i < sorted.length; i++) {
          if (sorted[i].startsWith(`${sorted[i - 1]}/`)) throw new RtdbFault(400, `Invalid data; path "${sorted[i - 1]}" is an ancestor of "${sorted[i]}" in the same update`)
        }
        let root = db.doc.data.root
        for (const u of updates) root = setAt(root, [...segments, ...u.segs], u.value)
        db.doc.data.root = root
        db.doc.save()
        return send(req, res, 200, body)
      }
      case 'DELETE': {
        db.doc.data.root = setAt(db.doc.data.root, segments, null)
        db.doc.save()
        return send(req, res, 200, null)
      }
      default:
        throw new RtdbFault(405, `Method ${req.method} is not supported`)
    }
  }

  return {
    name: 'rtdb',
    catalog: rtdbCatalog,
    matches: (req) => !req.awsService && req.path.endsWith('.json') && !req.path.startsWith('/v1/'),
    operation: (req) => {
      const m = req.method
      if (req.path.startsWith('/.settings/')) return 'Settings'
      return m.charAt(0) + m.slice(1).toLowerCase()
    },
    async handle(req, res) {
      try {
        await handle(req, res)
      } catch (error) {
        if (error instanceof RtdbFault) return send(req, res, error.status, {error: error.message})
        if (error instanceof TreeError) return send(req, res, error.status, {error: error.message})
        throw error
      }
    },
    renderError(req: SandboxRequest, res: ServerResponse, error: ErrorSpec) {
      const headers: Record<string, string> = {'content-type': 'application/json; charset=utf-8'}
      if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds)
      const body = JSON.stringify({error: error.kind === 'throttle' ? 'Too many requests' : error.message})
      res.writeHead(error.status, headers)
      res.end(body)
    },
    seed() {
      // First start, or after a reset wiped the state directory: forget what is in memory.
      saver.cancel()
      trees.clear()
      databases()
      for (const ns of databases().data.names) tree(ns)
      // Written now, while the host starts (as the state store does), not in the middle of the first requests.
      saver.flush()
    },
    async stop() {
      saver.flush()
    },
    describe() {
      const dbs = databases().data
      return {databases: Object.fromEntries(dbs.names.map((ns) => [ns, {leaves: countLeaves(tree(ns).data.root), settings: dbs.settings[ns]}]))}
    },
  }
}
