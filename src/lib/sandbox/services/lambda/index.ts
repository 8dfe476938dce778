/**
 * AWS Lambda, REST-JSON protocol (https://docs.aws.amazon.com/lambda/latest/api/): functions
 * with published versions and aliases, code updates with LastUpdateStatus, Invoke running the
 * uploaded handler in a child process, a per-API request rate limit. See SPEC.md beside this file.
 */
import {createHash, randomUUID} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type {ServerResponse} from 'node:http'
import type {ErrorSpec, SandboxRequest, ServiceFactory} from '../../types.js'
import {SANDBOX_ACCOUNT} from '../sts.js'
import {refusalMessage} from '../../catalog.js'
import {lambdaCatalog} from './catalog.js'
import {runHandler, unpack} from './invoke.js'
import {writeInvocationLog} from '../logs/lambda-log.js'
import {writeZip} from './zip.js'

const REGION = 'eu-west-1'
/** Simulated duration of a code update (InProgress → Successful). */
export const UPDATE_DURATION_MS = 2000
/** Page size cap for ListVersionsByFunction / ListAliases (AWS: 50 by default, up to 10,000): small so pagination is exercised. */
export const PAGE_SIZE = 4
/** AWS: 15 requests/s per control-plane API; GetFunction 100/s; Invoke is limited by concurrency instead. */
export const CONTROL_RATE = 15
export const GET_FUNCTION_RATE = 100
export const DEMO_MODULES = ['etl', 'request', 'compute', 'message', 'pdf'] as const

interface Version {
  version: string
  codeSha256: string
  codeSize: number
  description: string
  lastModified: string
  revisionId: string
}
interface Alias {
  name: string
  functionVersion: string
  description: string
  weights?: Record<string, number>
  revisionId: string
  /** Invocations routed since the weights were last set (deterministic weighted routing). */
  routed?: number
}
interface Fn {
  name: string
  runtime: string
  handler: string
  timeout: number
  memorySize: number
  role: string
  description: string
  latest: Version & {updateStartedAt: number}
  versions: Version[]
  nextVersion: number
  aliases: Alias[]
  tags: Record<string, string>
  /** Customer managed KMS key of the environment variables (GetFunctionConfiguration KMSKeyArn); absent: the AWS managed key. */
  kmsKeyArn?: string
}
interface LambdaState {
  functions: Fn[]
}

/**
 * One invocation, as Lambda reports it to CloudWatch (namespace AWS/Lambda): the function, the
 * qualifier it was invoked with (the `Resource` dimension is `function:qualifier`), the version
 * that ran (`ExecutedVersion`, alias invocations only) and whether it was a function error
 * (`Errors`). Read by the CloudWatch emulation (../cloudwatch/lambda-metrics.ts).
 */
export interface InvocationRecord {
  fn: string
  /** The alias or version named in the request; absent for unqualified (or $LATEST) invocations. */
  qualifier?: string
  /** The alias name when `qualifier` is an alias. */
  alias?: string
  executedVersion: string
  /** Epoch ms when the invocation started (CloudWatch timestamps reflect the invocation time). */
  t: number
  error: boolean
  durationMs: number
}
export interface InvocationLog {
  records: InvocationRecord[]
}
/** Newest invocation records kept (older ones are dropped, like metrics past their retention). */
export const MAX_INVOCATION_RECORDS = 20_000
export const INVOCATIONS_DOC = 'invocations'

/**
 * Weighted alias routing, deterministic: the k-th invocation since the weights were set goes to
 * the extra version when ceil(k·w) > ceil((k−1)·w), so exactly ⌈k·w⌉ of k invocations run it
 * (the first one included). Lambda routes by probability; the proportion is the same.
 */
export function routesToExtra(k: number, weight: number): boolean {
  return Math.ceil(k * weight - 1e-9) > Math.ceil((k - 1) * weight - 1e-9)
}

class LambdaFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message)
  }
}

const arnOf = (name: string, qualifier?: string) => `arn:aws:lambda:${REGION}:${SANDBOX_ACCOUNT}:function:${name}${qualifier ? `:${qualifier}` : ''}`
const lambdaTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000')
const sha256b64 = (b: Buffer) => createHash('sha256').update(b).digest('base64')
const hexOf = (b64: string) => Buffer.from(b64, 'base64').toString('hex')

/** The handler source of a demo module (build N), the same code the demo workspace starts from. */
export function demoHandlerSource(module: string, build: number): string {
  return [
    `// impress-${module}: demo handler (build ${build})`,
    `exports.handler = async (event) => {`,
    `  if (event && event.fail) throw new Error('failure requested by the event')`,
    `  return {ok: true, module: '${module}', build: ${build}}`,
    `}`,
    '',
  ].join('\n')
}

const ROUTE = /^\/(2015-03-31|2017-03-31)\/(functions|tags)(?:\/([^/]+))?(?:\/([^/]+))?(?:\/([^/]+))?\/?$/

interface Route {
  op: string
  fn?: string
  alias?: string
  resource?: string
}

function route(req: SandboxRequest): Route {
  const m = ROUTE.exec(req.path)
  if (!m) return {op: `${req.method} ${req.path}`}
  const [, , kind, a, b, c] = m
  const name = a ? decodeURIComponent(a) : undefined
  const method = req.method
  if (kind === 'tags') {
    const resource = name
    if (method === 'GET') return {op: 'ListTags', resource}
    if (method === 'POST') return {op: 'TagResource', resource}
    if (method === 'DELETE') return {op: 'UntagResource', resource}
    return {op: 'Unknown'}
  }
  if (!name) return {op: method === 'GET' ? 'ListFunctions' : method === 'POST' ? 'CreateFunction' : 'Unknown'}
  if (!b) return {op: method === 'GET' ? 'GetFunction' : method === 'DELETE' ? 'DeleteFunction' : 'Unknown', fn: name}
  if (b === 'configuration' && !c) return {op: method === 'GET' ? 'GetFunctionConfiguration' : method === 'PUT' ? 'UpdateFunctionConfiguration' : 'Unknown', fn: name}
  if (b === 'code' && !c && method === 'PUT') return {op: 'UpdateFunctionCode', fn: name}
  if (b === 'versions' && !c) return {op: method === 'GET' ? 'ListVersionsByFunction' : method === 'POST' ? 'PublishVersion' : 'Unknown', fn: name}
  if (b === 'invocations' && !c && method === 'POST') return {op: 'Invoke', fn: name}
  if (b === 'aliases') {
    if (!c) return {op: method === 'GET' ? 'ListAliases' : method === 'POST' ? 'CreateAlias' : 'Unknown', fn: name}
    const alias = decodeURIComponent(c)
    return {op: method === 'GET' ? 'GetAlias' : method === 'PUT' ? 'UpdateAlias' : method === 'DELETE' ? 'DeleteAlias' : 'Unknown', fn: name, alias}
  }
  return {op: 'Unknown'}
}

/** Token bucket per API, refilled continuously (real time: AWS limits are per wall-clock second). */
class RateLimiter {
  private readonly buckets = new Map<string, {tokens: number; at: number}>()
  take(op: string, rate: number, now = Date.now()): number | undefined {
    const b = this.buckets.get(op) ?? {tokens: rate, at: now}
    b.tokens = Math.min(rate, b.tokens + ((now - b.at) / 1000) * rate)
    b.at = now
    this.buckets.set(op, b)
    if (b.tokens >= 1) {
      b.tokens -= 1
      return undefined
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / rate))
  }
}

export const lambdaService: ServiceFactory = (ctx) => {
  const codeDir = () => ctx.state.serviceDir('lambda')
  const zipPath = (sha: string) => path.join(codeDir(), 'packages', `${hexOf(sha)}.zip`)
  const storeZip = (zip: Buffer): string => {
    const sha = sha256b64(zip)
    const file = zipPath(sha)
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), {recursive: true})
      fs.writeFileSync(`${file}.tmp`, zip)
      fs.renameSync(`${file}.tmp`, file)
    }
    return sha
  }

  const seed = (): LambdaState => {
    const start = Date.now() - 3 * 86_400_000
    return {
      functions: DEMO_MODULES.map((m) => {
        const versions: Version[] = [1, 2, 3].map((n) => {
          const zip = writeZip([{name: 'index.js', data: Buffer.from(demoHandlerSource(m, n))}])
          return {
            version: String(n),
            codeSha256: storeZip(zip),
            codeSize: zip.length,
            description: `deployed by demo@impress from git ${createHash('sha1').update(`${m}${n}`).digest('hex').slice(0, 7)}`,
            lastModified: lambdaTime(start + n * 86_400_000),
            revisionId: randomUUID(),
          }
        })
        const last = versions[2]
        return {
          name: `impress-${m}`,
          runtime: 'nodejs20.x',
          handler: 'index.handler',
          timeout: 10,
          memorySize: m === 'pdf' ? 1024 : 512,
          role: `arn:aws:iam::${SANDBOX_ACCOUNT}:role/impress-${m}-lambda`,
          description: `IMPRESS ${m} module`,
          latest: {...last, version: '$LATEST', revisionId: randomUUID(), updateStartedAt: 0},
          versions,
          nextVersion: 4,
          aliases: [{name: 'live', functionVersion: '3', description: 'production traffic', revisionId: randomUUID()}],
          tags: {app: 'impress', module: m},
          // The demo's deliberate encryption gap: message keeps its environment under the default AWS managed key.
          ...(m === 'message' ? {} : {kmsKeyArn: `arn:aws:kms:${REGION}:${SANDBOX_ACCOUNT}:key/${createHash('md5').update(`impress-lambda-${m}`).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5')}`}),
        }
      }),
    }
  }
  const db = () => ctx.state.open<LambdaState>('lambda', 'functions', seed)
  const invocations = () => ctx.state.open<InvocationLog>('lambda', INVOCATIONS_DOC, () => ({records: []}))
  const recordInvocation = (r: InvocationRecord) => {
    const log = invocations()
    log.data.records.push(r)
    if (log.data.records.length > MAX_INVOCATION_RECORDS) log.data.records.splice(0, log.data.records.length - MAX_INVOCATION_RECORDS)
    log.save()
  }
  const limiter = new RateLimiter()
  /** START / output / error / END / REPORT lines to /aws/lambda/<function> (CloudWatch Logs emulation). */
  const writeLog = (fn: Fn, version: string, requestId: string, startedAt: number, out: {functionError?: string; payload: string; logs: string; durationMs: number}) => {
    let error: {type: string; message: string} | undefined
    if (out.functionError) {
      try {
        const e = JSON.parse(out.payload) as {errorType?: string; errorMessage?: string}
        error = {type: String(e.errorType ?? 'Error'), message: String(e.errorMessage ?? '')}
      } catch {
        error = {type: 'Error', message: out.payload}
      }
    }
    writeInvocationLog(ctx.state, {fn: fn.name, version, requestId, startedAt, durationMs: out.durationMs, memoryMb: fn.memorySize, output: out.logs, error, timedOut: error?.type === 'Sandbox.Timedout', timeoutSeconds: fn.timeout})
  }

  const parseName = (raw: string): {name: string; qualifier?: string} => {
    // FunctionName may be a name, a partial or full ARN, optionally with :qualifier.
    const m = /^(?:arn:aws:lambda:[^:]+:\d{12}:function:|\d{12}:function:)?([A-Za-z0-9_-]+)(?::([A-Za-z0-9$_-]+))?$/.exec(raw)
    if (!m) throw new LambdaFault(400, 'InvalidParameterValueException', `1 validation error detected: Value '${raw}' at 'functionName' failed to satisfy constraint`)
    return {name: m[1], qualifier: m[2]}
  }
  const findFn = (raw: string | undefined): {fn: Fn; qualifier?: string} => {
    const {name, qualifier} = parseName(raw ?? '')
    const fn = db().data.functions.find((f) => f.name === name)
    if (!fn) throw new LambdaFault(404, 'ResourceNotFoundException', `Function not found: ${arnOf(name)}`)
    return {fn, qualifier}
  }
  const status = (fn: Fn): 'InProgress' | 'Successful' => (ctx.clock.elapsed(fn.latest.updateStartedAt, UPDATE_DURATION_MS) ? 'Successful' : 'InProgress')
  /** Resolve a qualifier ($LATEST, a version number or an alias) to the version record. */
  const resolve = (fn: Fn, qualifier: string | undefined): {v: Version; alias?: Alias} => {
    if (!qualifier || qualifier === '$LATEST') return {v: fn.latest}
    const alias = fn.aliases.find((a) => a.name === qualifier)
    const version = alias ? alias.functionVersion : qualifier
    const v = version === '$LATEST' ? fn.latest : fn.versions.find((x) => x.version === version)
    if (!v) throw new LambdaFault(404, 'ResourceNotFoundException', `Function not found: ${arnOf(fn.name, qualifier)}`)
    return {v, alias}
  }
  const configOf = (fn: Fn, v: Version, qualifier?: string) => ({
    FunctionName: fn.name,
    FunctionArn: arnOf(fn.name, qualifier ?? (v.version === '$LATEST' ? undefined : v.version)),
    Runtime: fn.runtime,
    Role: fn.role,
    Handler: fn.handler,
    CodeSize: v.codeSize,
    Description: v.version === '$LATEST' ? fn.description : v.description,
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: v.lastModified,
    CodeSha256: v.codeSha256,
    Version: v.version,
    TracingConfig: {Mode: 'PassThrough'},
    RevisionId: v.revisionId,
    State: 'Active',
    LastUpdateStatus: v.version === '$LATEST' ? status(fn) : 'Successful',
    ...(v.version === '$LATEST' && status(fn) === 'InProgress' ? {LastUpdateStatusReason: 'The function is being updated.', LastUpdateStatusReasonCode: undefined} : {}),
    PackageType: 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: {Size: 512},
    ...(fn.kmsKeyArn ? {KMSKeyArn: fn.kmsKeyArn} : {}),
  })
  const aliasOut = (fn: Fn, a: Alias) => ({
    AliasArn: arnOf(fn.name, a.name),
    Name: a.name,
    FunctionVersion: a.functionVersion,
    Description: a.description,
    ...(a.weights && Object.keys(a.weights).length > 0 ? {RoutingConfig: {AdditionalVersionWeights: a.weights}} : {}),
    RevisionId: a.revisionId,
  })
  const page = <T>(items: T[], req: SandboxRequest) => {
    const marker = req.url.searchParams.get('Marker')
    const maxRaw = req.url.searchParams.get('MaxItems')
    const max = Math.min(PAGE_SIZE, maxRaw ? Math.max(1, Number.parseInt(maxRaw, 10) || PAGE_SIZE) : PAGE_SIZE)
    let start = 0
    if (marker) {
      start = Number.parseInt(Buffer.from(marker, 'base64url').toString('utf8'), 10)
      if (!Number.isInteger(start) || start < 0) throw new LambdaFault(400, 'InvalidParameterValueException', 'Invalid Marker.')
    }
    const slice = items.slice(start, start + max)
    return {slice, next: start + max < items.length ? Buffer.from(String(start + max)).toString('base64url') : undefined}
  }
  const conflictIfUpdating = (fn: Fn) => {
    if (status(fn) === 'InProgress') throw new LambdaFault(409, 'ResourceConflictException', `The operation cannot be performed at this time. An update is in progress for resource: ${arnOf(fn.name)}`, {}, {Type: 'User'})
  }
  const validWeights = (fn: Fn, primary: string, rc: unknown): Record<string, number> | undefined => {
    const w = (rc as {AdditionalVersionWeights?: Record<string, number>} | undefined)?.AdditionalVersionWeights
    if (!w) return undefined
    const entries = Object.entries(w)
    if (entries.length > 1) throw new LambdaFault(400, 'InvalidParameterValueException', 'Number of items in AdditionalVersionWeights cannot be greater than 1')
    for (const [ver, weight] of entries) {
      if (typeof weight !== 'number' || weight < 0 || weight > 1) throw new LambdaFault(400, 'InvalidParameterValueException', 'Invalid weight: a value between 0.0 and 1.0 is expected.')
      if (ver === primary) throw new LambdaFault(400, 'InvalidParameterValueException', `Invalid function version ${ver}. Function version ${ver} is already included in routing configuration.`)
      if (!fn.versions.some((v) => v.version === ver)) throw new LambdaFault(404, 'ResourceNotFoundException', `Function not found: ${arnOf(fn.name, ver)}`)
    }
    return Object.fromEntries(entries)
  }

  type Handler = (req: SandboxRequest, r: Route, res: ServerResponse) => Promise<[number, unknown, Record<string, string>?]> | [number, unknown, Record<string, string>?]
  const handlers: Record<string, Handler> = {
    ListFunctions(req) {
      // https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html: $LATEST of each
      // function, or every published version too with FunctionVersion=ALL.
      const fv = req.url.searchParams.get('FunctionVersion')
      if (fv !== null && fv !== 'ALL') throw new LambdaFault(400, 'InvalidParameterValueException', `1 validation error detected: Value '${fv}' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]`)
      const all = db().data.functions.flatMap((fn) => (fv === 'ALL' ? [fn.latest, ...fn.versions] : [fn.latest]).map((v) => configOf(fn, v)))
      const {slice, next} = page(all, req)
      return [200, {Functions: slice, ...(next ? {NextMarker: next} : {})}]
    },
    GetFunction(req, r) {
      const {fn, qualifier} = findFn(r.fn)
      const q = req.url.searchParams.get('Qualifier') ?? qualifier
      const {v} = resolve(fn, q)
      return [200, {Configuration: configOf(fn, v, q && q !== '$LATEST' ? q : undefined), Code: {RepositoryType: 'S3', Location: `${ctx.baseUrl()}/_sandbox/lambda/code/${hexOf(v.codeSha256)}`}, Tags: fn.tags}]
    },
    GetFunctionConfiguration(req, r) {
      const {fn, qualifier} = findFn(r.fn)
      const q = req.url.searchParams.get('Qualifier') ?? qualifier
      const {v} = resolve(fn, q)
      return [200, configOf(fn, v, q && q !== '$LATEST' ? q : undefined)]
    },
    UpdateFunctionCode(req, r) {
      const {fn} = findFn(r.fn)
      const b = req.json<{ZipFile?: string; RevisionId?: string; Publish?: boolean; DryRun?: boolean}>()
      if (typeof b.ZipFile !== 'string') throw new LambdaFault(400, 'InvalidParameterValueException', 'Please provide a source for function code: ZipFile (S3 and image sources are not emulated).')
      if (b.Publish === true) throw new LambdaFault(501, 'NotImplemented', refusalMessage('lambda', 'Publish=true on UpdateFunctionCode (publish with PublishVersion)'))
      conflictIfUpdating(fn)
      if (b.RevisionId && b.RevisionId !== fn.latest.revisionId) throw new LambdaFault(412, 'PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id')
      const zip = Buffer.from(b.ZipFile, 'base64')
      if (zip.length > 50 * 1024 * 1024) throw new LambdaFault(413, 'RequestEntityTooLargeException', 'Request must be smaller than 52428800 bytes for the UpdateFunctionCode operation')
      const sha = sha256b64(zip)
      if (b.DryRun) return [200, {...configOf(fn, {...fn.latest, codeSha256: sha, codeSize: zip.length})}]
      storeZip(zip)
      fn.latest = {...fn.latest, codeSha256: sha, codeSize: zip.length, lastModified: lambdaTime(Date.now()), revisionId: randomUUID(), updateStartedAt: Date.now()}
      db().save()
      return [200, configOf(fn, fn.latest)]
    },
    PublishVersion(req, r) {
      const {fn} = findFn(r.fn)
      const b = req.json<{CodeSha256?: string; Description?: string; RevisionId?: string}>()
      conflictIfUpdating(fn)
      if (b.RevisionId && b.RevisionId !== fn.latest.revisionId) throw new LambdaFault(412, 'PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id')
      if (b.CodeSha256 && b.CodeSha256 !== fn.latest.codeSha256) throw new LambdaFault(400, 'InvalidParameterValueException', `CodeSHA256 (${b.CodeSha256}) is different from current CodeSHA256 in $LATEST (${fn.latest.codeSha256}). Please try again with the current CodeSHA256.`)
      // Nothing changed since the last published version: Lambda returns that version.
      const newest = fn.versions.at(-1)
      if (newest && newest.codeSha256 === fn.latest.codeSha256 && (b.Description === undefined || b.Description === newest.description)) return [201, configOf(fn, newest)]
      const v: Version = {version: String(fn.nextVersion++), codeSha256: fn.latest.codeSha256, codeSize: fn.latest.codeSize, description: b.Description ?? '', lastModified: lambdaTime(Date.now()), revisionId: randomUUID()}
      fn.versions.push(v)
      db().save()
      return [201, configOf(fn, v)]
    },
    ListVersionsByFunction(req, r) {
      const {fn} = findFn(r.fn)
      const {slice, next} = page([fn.latest, ...fn.versions], req)
      return [200, {Versions: slice.map((v) => configOf(fn, v)), ...(next ? {NextMarker: next} : {})}]
    },
    ListAliases(req, r) {
      const {fn} = findFn(r.fn)
      const fv = req.url.searchParams.get('FunctionVersion')
      const all = fn.aliases.filter((a) => !fv || a.functionVersion === fv)
      const {slice, next} = page(all, req)
      return [200, {Aliases: slice.map((a) => aliasOut(fn, a)), ...(next ? {NextMarker: next} : {})}]
    },
    GetAlias(_req, r) {
      const {fn} = findFn(r.fn)
      const a = fn.aliases.find((x) => x.name === r.alias)
      if (!a) throw new LambdaFault(404, 'ResourceNotFoundException', `Cannot find alias arn: ${arnOf(fn.name, r.alias)}`)
      return [200, aliasOut(fn, a)]
    },
    CreateAlias(req, r) {
      const {fn} = findFn(r.fn)
      const b = req.json<{Name?: string; FunctionVersion?: string; Description?: string; RoutingConfig?: unknown}>()
      if (!b.Name || !b.FunctionVersion) throw new LambdaFault(400, 'InvalidParameterValueException', 'Name and FunctionVersion are required.')
      if (fn.aliases.some((a) => a.name === b.Name)) throw new LambdaFault(409, 'ResourceConflictException', `Alias already exists: ${arnOf(fn.name, b.Name)}`)
      resolve(fn, b.FunctionVersion)
      const a: Alias = {name: b.Name, functionVersion: b.FunctionVersion, description: b.Description ?? '', weights: validWeights(fn, b.FunctionVersion, b.RoutingConfig), revisionId: randomUUID()}
      fn.aliases.push(a)
      db().save()
      return [201, aliasOut(fn, a)]
    },
    UpdateAlias(req, r) {
      const {fn} = findFn(r.fn)
      const a = fn.aliases.find((x) => x.name === r.alias)
      if (!a) throw new LambdaFault(404, 'ResourceNotFoundException', `Alias not found: ${arnOf(fn.name, r.alias)}`)
      const b = req.json<{FunctionVersion?: string; Description?: string; RoutingConfig?: unknown; RevisionId?: string}>()
      if (b.RevisionId && b.RevisionId !== a.revisionId) throw new LambdaFault(412, 'PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id')
      const primary = b.FunctionVersion ?? a.functionVersion
      if (primary !== '$LATEST' && !fn.versions.some((v) => v.version === primary)) throw new LambdaFault(404, 'ResourceNotFoundException', `Function not found: ${arnOf(fn.name, primary)}`)
      const weights = b.RoutingConfig === undefined ? a.weights : validWeights(fn, primary, b.RoutingConfig)
      if (weights && primary === '$LATEST') throw new LambdaFault(400, 'InvalidParameterValueException', '$LATEST is not supported for an alias pointing to more than 1 version')
      if (primary !== a.functionVersion || JSON.stringify(weights ?? {}) !== JSON.stringify(a.weights ?? {})) a.routed = undefined
      a.functionVersion = primary
      a.weights = weights && Object.keys(weights).length > 0 ? weights : undefined
      if (b.Description !== undefined) a.description = b.Description
      a.revisionId = randomUUID()
      db().save()
      return [200, aliasOut(fn, a)]
    },
    DeleteAlias(_req, r) {
      // https://docs.aws.amazon.com/lambda/latest/api/API_DeleteAlias.html: 204; unknown alias → 404.
      const {fn} = findFn(r.fn)
      if (!fn.aliases.some((a) => a.name === r.alias)) throw new LambdaFault(404, 'ResourceNotFoundException', `Alias not found: ${arnOf(fn.name, r.alias ?? '')}`)
      fn.aliases = fn.aliases.filter((a) => a.name !== r.alias)
      db().save()
      return [204, undefined]
    },
    DeleteFunction(req, r) {
      const {fn, qualifier} = findFn(r.fn)
      const q = req.url.searchParams.get('Qualifier') ?? qualifier
      const state = db().data
      if (!q) {
        state.functions = state.functions.filter((f) => f !== fn)
        db().save()
        return [204, undefined]
      }
      if (q === '$LATEST' || fn.aliases.some((a) => a.name === q)) throw new LambdaFault(400, 'InvalidParameterValueException', `Deletion of ${q} is not supported: delete a published version, or the whole function.`)
      if (!fn.versions.some((v) => v.version === q)) throw new LambdaFault(404, 'ResourceNotFoundException', `Function not found: ${arnOf(fn.name, q)}`)
      const using = fn.aliases.filter((a) => a.functionVersion === q || (a.weights && q in a.weights)).map((a) => a.name)
      if (using.length > 0) throw new LambdaFault(409, 'ResourceConflictException', `Unable to delete version because the following aliases reference it: [${using.join(', ')}]`, {}, {Type: 'User'})
      fn.versions = fn.versions.filter((v) => v.version !== q)
      db().save()
      return [204, undefined]
    },
    async Invoke(req, r) {
      const {fn, qualifier} = findFn(r.fn)
      const q = req.url.searchParams.get('Qualifier') ?? qualifier
      const resolved = resolve(fn, q)
      const alias = resolved.alias
      let v = resolved.v
      const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse')
      if (alias?.weights && type !== 'DryRun') {
        // Weighted alias: route this invocation by the RoutingConfig (at most one extra version).
        const [[ver, w]] = Object.entries(alias.weights)
        alias.routed = (alias.routed ?? 0) + 1
        if (routesToExtra(alias.routed, w)) v = fn.versions.find((x) => x.version === ver) ?? v
        db().save()
      }
      if (type === 'DryRun') return [204, undefined, {'x-amz-executed-version': v.version}]
      let event: unknown = null
      if (req.body.length > 0) {
        try {
          event = JSON.parse(req.text())
        } catch {
          throw new LambdaFault(400, 'InvalidRequestContentException', 'Could not parse request body into json: Unexpected character')
        }
      }
      const file = zipPath(v.codeSha256)
      const dir = unpack(path.join(codeDir(), 'unpacked'), hexOf(v.codeSha256), fs.readFileSync(file))
      const requestId = randomUUID()
      const startedAt = Date.now()
      const run = runHandler({
        dir,
        handler: fn.handler,
        event,
        timeoutMs: fn.timeout * 1000,
        env: {AWS_LAMBDA_FUNCTION_NAME: fn.name, AWS_LAMBDA_FUNCTION_VERSION: v.version, AWS_REQUEST_ID: requestId, AWS_REGION: REGION},
      })
      const qualified = q && q !== '$LATEST' ? q : undefined
      const recorded = run.then((out) => {
        recordInvocation({fn: fn.name, ...(qualified ? {qualifier: qualified} : {}), ...(alias ? {alias: alias.name} : {}), executedVersion: v.version, t: startedAt, error: Boolean(out.functionError), durationMs: out.durationMs})
        writeLog(fn, v.version, requestId, startedAt, out)
        return out
      })
      if (type === 'Event') {
        void recorded
        return [202, undefined, {'x-amzn-requestid': requestId}]
      }
      const out = await recorded
      const headers: Record<string, string> = {'x-amz-executed-version': v.version, 'x-amzn-requestid': requestId}
      if (out.functionError) headers['x-amz-function-error'] = out.functionError
      if (String(req.headers['x-amz-log-type'] ?? '') === 'Tail') {
        const tail = `START RequestId: ${requestId} Version: ${v.version}\n${out.logs}END RequestId: ${requestId}\nREPORT RequestId: ${requestId}\tDuration: ${out.durationMs} ms\n`
        headers['x-amz-log-result'] = Buffer.from(tail.slice(-4096)).toString('base64')
      }
      return [200, Buffer.from(out.payload), headers]
    },
    ListTags(_req, r) {
      const {fn} = findFn(r.resource)
      return [200, {Tags: fn.tags}]
    },
    TagResource(req, r) {
      const {fn} = findFn(r.resource)
      Object.assign(fn.tags, req.json<{Tags?: Record<string, string>}>().Tags ?? {})
      db().save()
      return [204, undefined]
    },
    UntagResource(req, r) {
      const {fn} = findFn(r.resource)
      for (const k of req.url.searchParams.getAll('tagKeys')) delete fn.tags[k]
      db().save()
      return [204, undefined]
    },
  }

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const buf = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body))
    res.writeHead(status, {'content-type': 'application/json', 'content-length': buf.length, 'x-amzn-requestid': randomUUID(), ...headers})
    res.end(buf)
  }
  const sendError = (res: ServerResponse, f: LambdaFault) => send(res, f.status, {Type: 'User', message: f.message, ...f.extra}, {'x-amzn-errortype': f.code, ...f.headers})
  const throttled = (retryAfter: number) =>
    new LambdaFault(429, 'TooManyRequestsException', 'Rate exceeded', {'retry-after': String(retryAfter)}, {Reason: 'CallerRateLimitExceeded', retryAfterSeconds: String(retryAfter)})

  return {
    name: 'lambda',
    catalog: lambdaCatalog,
    handlerNames: () => Object.keys(handlers),
    matches: (req) => req.awsService === 'lambda' || (req.awsService === undefined && ROUTE.test(req.path)),
    operation: (req) => route(req).op,
    async handle(req, res) {
      const r = route(req)
      const h = handlers[r.op]
      try {
        if (!h) throw new LambdaFault(404, 'UnknownOperationException', `Unknown operation ${req.method} ${req.path}`)
        if (r.op !== 'Invoke') {
          const wait = limiter.take(r.op, r.op === 'GetFunction' ? GET_FUNCTION_RATE : CONTROL_RATE)
          if (wait !== undefined) throw throttled(wait)
        }
        const [status, body, headers] = await h(req, r, res)
        send(res, status, body, headers)
      } catch (error) {
        if (error instanceof LambdaFault) sendError(res, error)
        else throw error
      }
    },
    renderError(_req, res, error: ErrorSpec) {
      if (error.kind === 'throttle') sendError(res, throttled(error.retryAfterSeconds ?? 1))
      else if (error.kind === 'server') sendError(res, new LambdaFault(error.status, error.status === 503 ? 'ServiceException' : 'ServiceException', error.message))
      else sendError(res, new LambdaFault(error.status, error.code ?? 'InvalidParameterValueException', error.message))
    },
    seed: () => void db(),
    describe: () => ({
      functions: db().data.functions.map((f) => ({
        name: f.name,
        versions: f.versions.map((v) => v.version),
        aliases: Object.fromEntries(f.aliases.map((a) => [a.name, a.weights ? {version: a.functionVersion, weights: a.weights} : a.functionVersion])),
        codeSha256: f.latest.codeSha256,
        versionCode: Object.fromEntries(f.versions.map((v) => [v.version, v.codeSha256])),
        lastUpdateStatus: status(f),
      })),
    }),
  }
}
