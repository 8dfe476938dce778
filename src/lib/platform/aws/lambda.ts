/**
 * The Lambda adapter: implements LambdaPort with @aws-sdk/client-lambda. Pagination
 * (Marker/NextMarker), the FunctionUpdatedV2 waiter (delays scaled to the sandbox), request
 * pacing (lambda-pacer.ts) and error translation live here, once.
 */
import {createHash} from 'node:crypto'
import {Readable} from 'node:stream'
import type {LambdaClient} from '@aws-sdk/client-lambda'
import {OperationError, UsageError} from '../../errors.js'
import type {AliasInfo, FunctionVersionInfo, InvokeResult, LambdaPort} from '../../lambda/ports.js'
import {Pacer} from './lambda-pacer.js'
import {awsSdk} from './sdk.js'

type Sdk = typeof import('@aws-sdk/client-lambda')

export interface LambdaAdapterOptions {
  /** Waiter delays are multiplied by this (sandbox time scale; 1 in the cloud). */
  timeScale?: number
  /** Control-plane request budget per API and second (config lambda.requestsPerSecond). */
  requestsPerSecond?: number
  /** Longest wait for a code update, in (unscaled) seconds. */
  maxUpdateWaitSeconds?: number
}

interface Cfg {
  FunctionName?: string
  Version?: string
  CodeSha256?: string
  CodeSize?: number
  Description?: string
  LastModified?: string
  RevisionId?: string
  LastUpdateStatus?: string
}

const toVersion = (fn: string, c: Cfg): FunctionVersionInfo => ({
  function: c.FunctionName ?? fn,
  version: c.Version ?? '$LATEST',
  codeSha256: c.CodeSha256 ?? '',
  codeSize: c.CodeSize ?? 0,
  description: c.Description ?? '',
  lastModified: c.LastModified ?? '',
  revisionId: c.RevisionId ?? '',
  ...(c.LastUpdateStatus ? {lastUpdateStatus: c.LastUpdateStatus} : {}),
})

const toAlias = (a: {Name?: string; FunctionVersion?: string; RoutingConfig?: {AdditionalVersionWeights?: Record<string, number>}; RevisionId?: string; Description?: string}): AliasInfo => {
  const w = a.RoutingConfig?.AdditionalVersionWeights
  return {name: a.Name ?? '', functionVersion: a.FunctionVersion ?? '', ...(w && Object.keys(w).length > 0 ? {weights: w} : {}), revisionId: a.RevisionId ?? '', ...(a.Description ? {description: a.Description} : {})}
}

/** Translate SDK errors into impress errors with a hint; unknown ones pass through as OperationError. */
export function translateLambdaError(error: unknown, what: string): Error {
  const e = error as {name?: string; message?: string; $metadata?: {httpStatusCode?: number}}
  const msg = `${what}: ${e?.message ?? String(error)}`
  switch (e?.name) {
    case 'ResourceNotFoundException':
      return new UsageError(msg, {hint: 'Check the function name in lambda.modules and the region of this environment.', cause: error})
    case 'ResourceConflictException':
    case 'PreconditionFailedException':
      return new OperationError(msg, {code: 'E_LAMBDA_CONFLICT', hint: 'Someone else changed the function meanwhile; look at `impress versions` and run the command again.', cause: error})
    case 'TooManyRequestsException':
      return new OperationError(msg, {code: 'E_THROTTLED', hint: 'Lower lambda.requestsPerSecond or --concurrency, then run the command again.', cause: error})
    case 'AccessDeniedException':
    case 'UnrecognizedClientException':
      return new OperationError(msg, {code: 'E_AWS_DENIED', hint: 'Check the AWS credentials and permissions of this environment.', cause: error})
    default:
      return new OperationError(msg, {code: 'E_LAMBDA', hint: 'Run again with --verbose for the cause; check the function in the AWS console.', cause: error})
  }
}

/** Seconds after an upload before the first status poll (unscaled). */
export const FIRST_POLL_SECONDS = 2

/**
 * `{"ZipFile":"<base64>"}` without building it in memory: its length, its SHA-256 (for SigV4)
 * and a stream of its bytes, base64-encoded in small slices (multiples of 3 bytes, so the
 * pieces join into one valid base64 text; small strings die young in the GC).
 */
export function zipFileBody(zip: Uint8Array): {length: number; sha256Hex: string; stream: () => Readable} {
  const head = Buffer.from('{"ZipFile":"')
  const tail = Buffer.from('"}')
  const src = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength)
  const slice = 3 * 16 * 1024
  function* pieces(): Generator<Buffer> {
    yield head
    for (let i = 0; i < src.length; i += slice) yield Buffer.from(src.subarray(i, i + slice).toString('base64'), 'latin1')
    yield tail
  }
  const hash = createHash('sha256')
  for (const p of pieces()) hash.update(p)
  return {length: head.length + Math.ceil(src.length / 3) * 4 + tail.length, sha256Hex: hash.digest('hex'), stream: () => Readable.from(pieces(), {objectMode: false})}
}

export class AwsLambdaAdapter implements LambdaPort {
  readonly pacer: Pacer
  private readonly lastUpdateAt = new Map<string, number>()
  private sdkPromise?: Promise<Sdk>

  constructor(
    private readonly client: LambdaClient,
    private readonly options: LambdaAdapterOptions = {},
  ) {
    this.pacer = new Pacer(options.requestsPerSecond ?? 10)
    // Pace every attempt (retries included), below the retry middleware.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        await this.pacer.take(String(context.commandName ?? '').replace(/Command$/, ''))
        return next(args)
      },
      {step: 'finalizeRequest', priority: 'low', name: 'impressLambdaPacing', override: true},
    )
  }

  /** Build an adapter on a client created by the context. */
  static async create(getClient: (ctor: Sdk['LambdaClient']) => Promise<LambdaClient>, options: LambdaAdapterOptions = {}): Promise<AwsLambdaAdapter> {
    const sdk = awsSdk('@aws-sdk/client-lambda')
    return new AwsLambdaAdapter(await getClient(sdk.LambdaClient), options)
  }

  private sdk(): Promise<Sdk> {
    // awsSdk (require), not import(): see sdk.ts (bundled, import() also loads an ESM module re-exporting the client's ≈ 900 names, ≈ 7 ms of CPU).
    this.sdkPromise ??= Promise.resolve(awsSdk('@aws-sdk/client-lambda'))
    return this.sdkPromise
  }

  private async call<T>(what: string, fn: (sdk: Sdk) => Promise<T>): Promise<T> {
    try {
      return await fn(await this.sdk())
    } catch (error) {
      throw translateLambdaError(error, what)
    }
  }

  getAlias(fn: string, alias: string): Promise<AliasInfo> {
    return this.call(`GetAlias ${fn}:${alias}`, async (s) => toAlias(await this.client.send(new s.GetAliasCommand({FunctionName: fn, Name: alias}))))
  }

  getVersion(fn: string, qualifier: string): Promise<FunctionVersionInfo> {
    return this.call(`GetFunctionConfiguration ${fn}:${qualifier}`, async (s) =>
      toVersion(fn, await this.client.send(new s.GetFunctionConfigurationCommand({FunctionName: fn, Qualifier: qualifier}))),
    )
  }

  updateCode(fn: string, zip: Uint8Array): Promise<FunctionVersionInfo> {
    return this.call(`UpdateFunctionCode ${fn}`, async (s) => {
      // The JSON body is {"ZipFile":"<base64>"}. The SDK would build it as strings (base64 and
      // JSON copies, 2.7x the package); instead it is streamed from the package, fresh for each
      // attempt, with its length and SHA-256 given up front so SigV4 signs the same bytes.
      const body = zipFileBody(zip)
      const command = new s.UpdateFunctionCodeCommand({FunctionName: fn, ZipFile: new Uint8Array(0)})
      command.middlewareStack.add(
        (next) => async (args) => {
          const req = args.request as {headers: Record<string, string>}
          req.headers['content-length'] = String(body.length)
          req.headers['x-amz-content-sha256'] = body.sha256Hex
          return next(args)
        },
        {step: 'build', priority: 'high', name: 'impressZipFileHeaders'},
      )
      command.middlewareStack.add(
        (next) => async (args) => {
          ;(args.request as {body?: unknown}).body = body.stream()
          return next(args)
        },
        {step: 'finalizeRequest', priority: 'low', name: 'impressZipFileBody'},
      )
      const out = toVersion(fn, await this.client.send(command))
      this.lastUpdateAt.set(fn, Date.now())
      return out
    })
  }

  waitUpdated(fn: string, signal?: AbortSignal): Promise<FunctionVersionInfo> {
    const scale = this.options.timeScale ?? 1
    return this.call(`waiting for ${fn} to finish updating`, async (s) => {
      const minDelay = Math.max(0.005, 1 * scale)
      // A zip update takes a few seconds: the first poll right after the upload only costs a request.
      const since = Date.now() - (this.lastUpdateAt.get(fn) ?? 0)
      const first = FIRST_POLL_SECONDS * scale * 1000 - since
      if (first > 0) await new Promise((r) => setTimeout(r, first))
      const out = await s.waitUntilFunctionUpdatedV2(
        {client: this.client, minDelay, maxDelay: Math.max(minDelay, 5 * scale), maxWaitTime: Math.max(1, (this.options.maxUpdateWaitSeconds ?? 300) * scale), ...(signal ? {abortSignal: signal} : {})},
        {FunctionName: fn},
      )
      const r = out.reason as {Configuration?: Cfg} | undefined
      return toVersion(fn, r?.Configuration ?? {})
    })
  }

  publishVersion(fn: string, options: {codeSha256: string; revisionId?: string; description: string}): Promise<FunctionVersionInfo> {
    return this.call(`PublishVersion ${fn}`, async (s) =>
      toVersion(fn, await this.client.send(new s.PublishVersionCommand({FunctionName: fn, CodeSha256: options.codeSha256, RevisionId: options.revisionId, Description: options.description.slice(0, 256)}))),
    )
  }

  async publishUpdated(fn: string, options: {codeSha256: string; description: string}, signal?: AbortSignal): Promise<FunctionVersionInfo> {
    const scale = this.options.timeScale ?? 1
    const since = Date.now() - (this.lastUpdateAt.get(fn) ?? 0)
    const first = FIRST_POLL_SECONDS * scale * 1000 - since
    if (first > 0) await new Promise((r) => setTimeout(r, first))
    try {
      return await this.publishVersion(fn, options)
    } catch (error) {
      const cause = (error as {cause?: {name?: string; message?: string}}).cause
      // "The operation cannot be performed at this time. An update is in progress for resource: …"
      if (cause?.name !== 'ResourceConflictException' || !/in progress/i.test(cause.message ?? '')) throw error
    }
    const ready = await this.waitUpdated(fn, signal)
    return this.publishVersion(fn, {...options, revisionId: ready.revisionId || undefined})
  }

  async invoke(fn: string, qualifier: string, payload: unknown, timeoutMs: number): Promise<InvokeResult> {
    const s = await this.sdk()
    const abort = new AbortController()
    const timer = setTimeout(() => abort.abort(), timeoutMs)
    try {
      const out = await this.client.send(new s.InvokeCommand({FunctionName: fn, Qualifier: qualifier, Payload: Buffer.from(JSON.stringify(payload ?? {}))}), {abortSignal: abort.signal})
      const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : ''
      if (out.FunctionError) {
        let detail = text
        try {
          const doc = JSON.parse(text) as {errorType?: string; errorMessage?: string}
          detail = `${doc.errorType ?? 'Error'}: ${doc.errorMessage ?? ''}`
        } catch {
          // keep the raw text
        }
        return {ok: false, executedVersion: out.ExecutedVersion, payload: text, error: `function error (${out.FunctionError}) ${detail}`.slice(0, 300)}
      }
      return {ok: true, executedVersion: out.ExecutedVersion, payload: text}
    } catch (error) {
      if (abort.signal.aborted) return {ok: false, payload: '', error: `no answer within ${timeoutMs} ms (timeout)`}
      throw translateLambdaError(error, `Invoke ${fn}:${qualifier}`)
    } finally {
      clearTimeout(timer)
    }
  }

  updateAlias(fn: string, alias: string, options: {version: string; weights?: Record<string, number>; revisionId?: string; description?: string}): Promise<AliasInfo> {
    return this.call(`UpdateAlias ${fn}:${alias}`, async (s) =>
      toAlias(
        await this.client.send(
          new s.UpdateAliasCommand({FunctionName: fn, Name: alias, FunctionVersion: options.version, RoutingConfig: {AdditionalVersionWeights: options.weights ?? {}}, RevisionId: options.revisionId, ...(options.description === undefined ? {} : {Description: options.description})}),
        ),
      ),
    )
  }

  listVersions(fn: string): Promise<FunctionVersionInfo[]> {
    return this.call(`ListVersionsByFunction ${fn}`, async (s) => {
      const out: FunctionVersionInfo[] = []
      for await (const page of s.paginateListVersionsByFunction({client: this.client}, {FunctionName: fn})) {
        for (const v of page.Versions ?? []) if (v.Version !== '$LATEST') out.push(toVersion(fn, v))
      }
      return out.sort((a, b) => Number(a.version) - Number(b.version))
    })
  }

  createAlias(fn: string, alias: string, version: string, description: string): Promise<AliasInfo> {
    return this.call(`CreateAlias ${fn}:${alias}`, async (s) =>
      toAlias(await this.client.send(new s.CreateAliasCommand({FunctionName: fn, Name: alias, FunctionVersion: version, Description: description}))),
    )
  }

  deleteAlias(fn: string, alias: string): Promise<void> {
    return this.call(`DeleteAlias ${fn}:${alias}`, async (s) => {
      await this.client.send(new s.DeleteAliasCommand({FunctionName: fn, Name: alias}))
    })
  }

  listAliases(fn: string): Promise<AliasInfo[]> {
    return this.call(`ListAliases ${fn}`, async (s) => {
      const out: AliasInfo[] = []
      for await (const page of s.paginateListAliases({client: this.client}, {FunctionName: fn})) for (const a of page.Aliases ?? []) out.push(toAlias(a))
      return out
    })
  }

  deleteVersion(fn: string, version: string): Promise<void> {
    return this.call(`DeleteFunction ${fn}:${version}`, async (s) => {
      try {
        await this.client.send(new s.DeleteFunctionCommand({FunctionName: fn, Qualifier: version}))
      } catch (error) {
        // already gone: a retry after a lost answer (the first attempt deleted it) reaches the goal; the reliability campaign found it
        if ((error as {name?: string}).name !== 'ResourceNotFoundException') throw error
      }
    })
  }
}
