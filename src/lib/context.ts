/**
 * The one lazy context a command builds its services from: the loaded environment, the
 * terminal, the interrupt signal, and platform clients created on first use (an SDK is
 * imported only when a command needs it, so --help stays fast).
 */
import path from 'node:path'
import {RefusedError} from './errors.js'
import type {LoadedEnvironment} from './config/load.js'
import {SANDBOX_REGION} from './config/constants.js'
import {awsClientConfig, type AwsClientConfig} from './platform/aws/client-config.js'
import {callerArn} from './platform/aws/identity.js'
import {s3AnchorStore} from './platform/aws/s3-anchors.js'
import {secretsManagerStore} from './platform/aws/secrets.js'
import {AuditKeyring} from './audit/sign.js'
import type {AuditPorts} from './audit/record.js'
import {findRunning, health, startDetached, type SandboxHealth} from './sandbox/client.js'
import type {Io} from './ui/output.js'

export interface ContextOptions {
  env: LoadedEnvironment
  io: Io
  signal: AbortSignal
  version: string
  /** --profile: overrides the environment's aws.profile. */
  awsProfile?: string
  /** May the command start the sandbox when none is running (default true). */
  autoStartSandbox?: boolean
  /** Ask for the AWS caller identity (the audit entry's actor) as soon as AWS is first used, in the background. */
  prefetchAwsActor?: boolean
}

export class Context {
  readonly env: LoadedEnvironment
  readonly io: Io
  readonly signal: AbortSignal
  readonly version: string
  private sandboxPromise?: Promise<SandboxHealth>
  private awsConfigPromise?: Promise<AwsClientConfig>
  private actorPromise?: Promise<string | undefined>
  private readonly clients = new Map<unknown, unknown>()
  /** Set once an AWS client was built: the audit actor then includes the caller identity. */
  awsUsed = false

  constructor(private readonly options: ContextOptions) {
    this.env = options.env
    this.io = options.io
    this.signal = options.signal
    this.version = options.version
  }

  /** The sandbox this environment targets: a configured URL, or the per-user one (started on demand). */
  sandbox(): Promise<SandboxHealth> {
    this.sandboxPromise ??= this.resolveSandbox()
    return this.sandboxPromise
  }

  private async resolveSandbox(): Promise<SandboxHealth> {
    const configured = this.env.config.sandbox?.url
    if (configured) {
      const h = await health(configured)
      if (!h) {
        throw new RefusedError(`The sandbox configured at ${configured} does not answer.`, {
          code: 'E_SANDBOX_DOWN',
          hint: 'Start it (`impress sandbox start`) or fix sandbox.url in the configuration.',
        })
      }
      return h
    }
    const running = await findRunning(this.env.sandboxStateDir)
    if (running) return running
    if (this.options.autoStartSandbox === false) {
      throw new RefusedError('The sandbox platform is not running.', {code: 'E_SANDBOX_DOWN', hint: 'Start it with `impress sandbox start`.'})
    }
    const started = await startDetached({stateDir: this.env.sandboxStateDir, version: this.version})
    this.io.info(`Started the sandbox platform at ${started.url} (state: ${started.stateDir}); stop it with \`impress sandbox stop\`.`)
    return started
  }

  /**
   * Factor by which simulated durations are scaled: the sandbox's time scale, 1 in the cloud.
   * Waiters multiply their delays by it, so polling stays proportionate.
   */
  async timeScale(): Promise<number> {
    return this.env.sandbox ? (await this.sandbox()).timeScale : 1
  }

  /** Client configuration for AWS SDK v3 clients of this environment. */
  awsConfig(): Promise<AwsClientConfig> {
    this.awsConfigPromise ??= (async () => {
      this.awsUsed = true
      const aws = this.env.config.aws
      const endpoint = this.env.sandbox ? (await this.sandbox()).url : aws?.endpoint
      const config = await awsClientConfig({region: aws?.region ?? SANDBOX_REGION, profile: this.options.awsProfile ?? aws?.profile, endpoint, sandbox: this.env.sandbox})
      // callerArn never rejects; overlapping it with the command's own work saves a serial round trip at the end
      if (this.options.prefetchAwsActor) this.actorPromise ??= callerArn(config, {cacheDir: this.identityCacheDir})
      return config
    })()
    return this.awsConfigPromise
  }

  /** One client per constructor, built on first use. */
  async aws<C extends {destroy(): void}>(Ctor: new (config: AwsClientConfig) => C): Promise<C> {
    const existing = this.clients.get(Ctor) as C | undefined
    if (existing) return existing
    const client = new Ctor(await this.awsConfig())
    this.clients.set(Ctor, client)
    return client
  }

  /** The AWS caller identity, when this command used AWS. */
  /** Answers of STS GetCallerIdentity, per access key (see platform/aws/identity.ts). */
  private get identityCacheDir(): string {
    return path.join(this.env.dataDir, 'identity')
  }

  async awsActor(): Promise<string | undefined> {
    if (!this.awsUsed || !this.awsConfigPromise) return undefined
    try {
      this.actorPromise ??= callerArn(await this.awsConfigPromise, {cacheDir: this.identityCacheDir})
      return await this.actorPromise
    } catch {
      return undefined
    }
  }

  private auditPortsMemo?: AuditPorts

  /** The audit log's signing keyring (Secrets Manager) and anchor store (S3), as configured (see docs/audit.md). */
  auditPorts(): AuditPorts {
    if (!this.auditPortsMemo) {
      const settings = this.env.audit ?? {}
      this.auditPortsMemo = {
        settings,
        ...(settings.key ? {keyring: new AuditKeyring(settings.key, secretsManagerStore(this))} : {}),
        ...(settings.anchor ? {anchors: s3AnchorStore(this, settings.anchor.bucket)} : {}),
        warn: (m) => this.io.warn(m),
      }
    }
    return this.auditPortsMemo
  }

  dispose(): void {
    for (const c of this.clients.values()) (c as {destroy(): void}).destroy()
    this.clients.clear()
  }
}
