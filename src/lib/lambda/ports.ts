/**
 * The narrow interfaces the Lambda capabilities need. The AWS adapter
 * (src/lib/platform/aws/lambda.ts) implements them with @aws-sdk/client-lambda; tests may
 * drive them against the sandbox or inject fakes.
 */

export interface FunctionVersionInfo {
  function: string
  /** '$LATEST' or a published version number. */
  version: string
  /** Base64 SHA-256 of the deployment package, as Lambda reports it. */
  codeSha256: string
  codeSize: number
  description: string
  lastModified: string
  revisionId: string
  lastUpdateStatus?: string
}

export interface AliasInfo {
  name: string
  functionVersion: string
  /** Canary routing: extra version → weight (0..1). */
  weights?: Record<string, number>
  revisionId: string
  /** Free text; the drill marks its scratch aliases here (aliases cannot be tagged). */
  description?: string
}

export interface InvokeResult {
  ok: boolean
  executedVersion?: string
  /** The handler's result, or Lambda's error document. */
  payload: string
  /** Function error or client-side timeout, one line. */
  error?: string
}

export interface LambdaPort {
  getAlias(fn: string, alias: string): Promise<AliasInfo>
  /** GetFunctionConfiguration of a version, alias or $LATEST. */
  getVersion(fn: string, qualifier: string): Promise<FunctionVersionInfo>
  updateCode(fn: string, zip: Uint8Array): Promise<FunctionVersionInfo>
  /** Wait until LastUpdateStatus is Successful (throws on Failed or time-out). */
  waitUpdated(fn: string, signal?: AbortSignal): Promise<FunctionVersionInfo>
  publishVersion(fn: string, options: {codeSha256: string; revisionId?: string; description: string}): Promise<FunctionVersionInfo>
  /**
   * Publish the code just uploaded as soon as Lambda allows it: PublishVersion (with the
   * CodeSha256 precondition) is tried once the update should be done; while the update is still
   * in progress Lambda refuses it (ResourceConflictException), and then this waits like
   * `waitUpdated` and publishes again. Saves the status poll when the update is already done.
   */
  publishUpdated(fn: string, options: {codeSha256: string; description: string}, signal?: AbortSignal): Promise<FunctionVersionInfo>
  invoke(fn: string, qualifier: string, payload: unknown, timeoutMs: number): Promise<InvokeResult>
  /** `description` replaces the alias's description; without it the description is kept. */
  updateAlias(fn: string, alias: string, options: {version: string; weights?: Record<string, number>; revisionId?: string; description?: string}): Promise<AliasInfo>
  /** Published versions (not $LATEST), oldest first, every page. */
  listVersions(fn: string): Promise<FunctionVersionInfo[]>
  /** Every alias of the function, every page. */
  listAliases(fn: string): Promise<AliasInfo[]>
  deleteVersion(fn: string, version: string): Promise<void>
}

/** Errors of a version during a canary bake (CloudWatch in the cloud, smoke invokes in the sandbox). */
export interface CanaryProbe {
  /** Count errors of `version` since `since`; may invoke the version itself. */
  errors(fn: string, version: string, since: Date): Promise<{errors: number; samples: number}>
}
