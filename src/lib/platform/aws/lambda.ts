/**
 * The Lambda adapter: implements LambdaPort with @aws-sdk/client-lambda. Pagination
 * (Marker/NextMarker), the FunctionUpdatedV2 waiter (delays scaled to the sandbox), request
 * pacing (lambda-pacer.ts) and error translation live here, once.
 */
import type {LambdaClient} from '@aws-sdk/client-lambda'
import {OperationError, UsageError} from '../../errors.js'
import type {AliasInfo, FunctionVersionInfo, InvokeResult, LambdaPort} from '../../lambda/ports.js'
import {Pacer} from './lambda-pacer.js'

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

const toAlias = (a: {Name?: string; FunctionVersion?: string; RoutingConfig?: {AdditionalVersionWeights?: Record<string, number>}; RevisionId?: string}): AliasInfo => {
  const w = a.RoutingConfig?.AdditionalVersionWeights
  return {name: a.Name ?? '', functionVersion: a.FunctionVersion ?? '', ...(w && Object.keys(w).length > 0 ? {weights: w} : {}), revisionId: a.RevisionId ?? ''}
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

export class AwsLambdaAdapter implements LambdaPort {
  readonly pacer: Pacer
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
    const sdk = await import('@aws-sdk/client-lambda')
    return new AwsLambdaAdapter(await getClient(sdk.LambdaClient), options)
  }

  private sdk(): Promise<Sdk> {
    this.sdkPromise ??= import('@aws-sdk/client-lambda')
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
    return this.call(`UpdateFunctionCode ${fn}`, async (s) => toVersion(fn, await this.client.send(new s.UpdateFunctionCodeCommand({FunctionName: fn, ZipFile: zip}))))
  }

  waitUpdated(fn: string, signal?: AbortSignal): Promise<FunctionVersionInfo> {
    const scale = this.options.timeScale ?? 1
    return this.call(`waiting for ${fn} to finish updating`, async (s) => {
      const minDelay = Math.max(0.005, 1 * scale)
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

  updateAlias(fn: string, alias: string, options: {version: string; weights?: Record<string, number>; revisionId?: string}): Promise<AliasInfo> {
    return this.call(`UpdateAlias ${fn}:${alias}`, async (s) =>
      toAlias(
        await this.client.send(
          new s.UpdateAliasCommand({FunctionName: fn, Name: alias, FunctionVersion: options.version, RoutingConfig: {AdditionalVersionWeights: options.weights ?? {}}, RevisionId: options.revisionId}),
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

  listAliases(fn: string): Promise<AliasInfo[]> {
    return this.call(`ListAliases ${fn}`, async (s) => {
      const out: AliasInfo[] = []
      for await (const page of s.paginateListAliases({client: this.client}, {FunctionName: fn})) for (const a of page.Aliases ?? []) out.push(toAlias(a))
      return out
    })
  }

  deleteVersion(fn: string, version: string): Promise<void> {
    return this.call(`DeleteFunction ${fn}:${version}`, async (s) => {
      await this.client.send(new s.DeleteFunctionCommand({FunctionName: fn, Qualifier: version}))
    })
  }
}
