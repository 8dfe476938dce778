/**
 * The one lazy context a command builds its services from: the loaded environment, the
 * terminal, the interrupt signal, and platform clients created on first use (an SDK is
 * imported only when a command needs it, so --help stays fast).
 */
import path from 'node:path'
import type {AccountSource, GithubKeysPort} from './compliance/ports.js'
import type {ServiceId} from './compliance/types.js'
import {resolveSecret} from './config/secret-ref.js'
import {RefusedError} from './errors.js'
import type {LoadedEnvironment} from './config/load.js'
import {SANDBOX_REGION} from './config/constants.js'
import {awsClientConfig, type AwsClientConfig} from './platform/aws/client-config.js'
import {callerArn} from './platform/aws/identity.js'
import {s3AnchorStore} from './platform/aws/s3-anchors.js'
import {secretsManagerStore} from './platform/aws/secrets.js'
import {AuditKeyring} from './audit/sign.js'
import type {AuditPorts} from './audit/record.js'
import {choosePort, findRunning, health, portMovedWarning, startDetached, type SandboxHealth} from './sandbox/client.js'
import type {Io} from './ui/output.js'
import type {IamAdapter} from './platform/aws/iam.js'
import type {GithubAdapter} from './platform/github/org.js'
import type {CloudflareAdapter} from './platform/cloudflare/members.js'
import type {GoogleAdapter} from './platform/google/directory.js'
import type {Auth0StaffPort} from './compliance/ports.js'

/** The demo tokens the sandbox's emulations accept (sandbox environments only). */
const SANDBOX_TOKENS = {github: 'ghp_sandboxowner', cloudflare: 'cf-sandbox-token', google: 'ya29.sandbox-directory-token'}

/** The adapters of the team's services (compliance, access), each present when configured; otherwise why not. */
export interface TeamAdapters {
  aws?: IamAdapter
  github?: GithubAdapter
  cloudflare?: CloudflareAdapter
  google?: GoogleAdapter
  auth0?: Auth0StaffPort
  notConfigured: Partial<Record<ServiceId, string>>
}

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


/** The compliance ports of an environment: one adapter per configured service. */
export interface ComplianceWiring {
  sources: Partial<Record<ServiceId, AccountSource>>
  notConfigured: Partial<Record<ServiceId, string>>
  github?: GithubKeysPort
  rosterPath: string
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
    const choice = choosePort(this.env.sandboxStateDir)
    const started = await startDetached({stateDir: this.env.sandboxStateDir, port: choice.port, version: this.version})
    const moved = portMovedWarning(choice, started)
    if (moved) this.io.warn(moved)
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

  /** The frontend's hosting adapter, chosen by frontend.host: GitHub Pages (deploy branch) or Vercel (production deployments). */
  async frontendHost(): Promise<import('./frontend/host.js').FrontendHost> {
    const wiring = await import('./frontend/wiring.js')
    const host = await import('./frontend/host.js')
    if (wiring.frontendSection(this).host === 'vercel') return host.vercelHost(await wiring.vercelPort(this))
    return host.githubPagesHost(await wiring.frontendTarget(this))
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

  /**
   * The team services' adapters (IAM, GitHub, Cloudflare, Google Directory, Auth0 staff) for
   * the compliance and access capabilities, pointed at the cloud or at the sandbox (where the
   * services are mounted under path prefixes and take the sandbox's demo tokens). SDKs are
   * imported only for the services asked for.
   */
  async teamAdapters(options: {only?: ServiceId[]} = {}): Promise<TeamAdapters> {
    const c = this.env.config.compliance
    const out: TeamAdapters = {notConfigured: {}}
    if (!c) return out
    const where = (k: string) => `environments.${this.env.name}.compliance.${k}`
    const sandboxUrl = this.env.sandbox ? (await this.sandbox()).url : undefined
    const timeScale = await this.timeScale()
    const wanted = (s: ServiceId) => !options.only || options.only.includes(s)
    const nc = out.notConfigured
    if (wanted('aws')) {
      if (c.aws && (this.env.config.aws || sandboxUrl)) {
        const {createIamAdapter} = await import('./platform/aws/iam.js')
        out.aws = await createIamAdapter(this, timeScale)
      } else nc.aws = c.aws ? 'no aws section in this environment' : 'compliance.aws is false'
    }
    if (wanted('github') && c.github) {
      const token = c.github.token ? resolveSecret(c.github.token, where('github.token')) : sandboxUrl ? SANDBOX_TOKENS.github : process.env.GITHUB_TOKEN
      if (token) {
        const {GithubAdapter} = await import('./platform/github/org.js')
        out.github = new GithubAdapter({token, org: c.github.org, baseUrl: sandboxUrl ? `${sandboxUrl}/github` : c.github.baseUrl, timeScale})
      } else nc.github = 'no token: set compliance.github.token or GITHUB_TOKEN'
    } else if (wanted('github')) nc.github = 'no compliance.github section'
    if (wanted('cloudflare') && c.cloudflare) {
      const token = c.cloudflare.token ? resolveSecret(c.cloudflare.token, where('cloudflare.token')) : sandboxUrl ? SANDBOX_TOKENS.cloudflare : process.env.CLOUDFLARE_API_TOKEN
      if (token) {
        const {CloudflareAdapter} = await import('./platform/cloudflare/members.js')
        out.cloudflare = new CloudflareAdapter({token, accountId: resolveSecret(c.cloudflare.accountId, where('cloudflare.accountId'), {secret: false}), baseURL: sandboxUrl ? `${sandboxUrl}/cloudflare/client/v4` : undefined})
      } else nc.cloudflare = 'no token: set compliance.cloudflare.token or CLOUDFLARE_API_TOKEN'
    } else if (wanted('cloudflare')) nc.cloudflare = 'no compliance.cloudflare section'
    if (wanted('google') && c.google) {
      const accessToken = c.google.accessToken ? resolveSecret(c.google.accessToken, where('google.accessToken')) : sandboxUrl ? SANDBOX_TOKENS.google : undefined
      const keyFile = c.google.credentials ? resolveSecret(c.google.credentials, where('google.credentials'), {secret: false}) : undefined
      if (accessToken || keyFile) {
        const {GoogleAdapter} = await import('./platform/google/directory.js')
        out.google = new GoogleAdapter({customer: c.google.customer, accessToken, keyFile, subject: c.google.subject, rootUrl: sandboxUrl ? `${sandboxUrl}/google/` : undefined})
      } else nc.google = 'no credentials: set compliance.google.credentials (and subject) or accessToken'
    } else if (wanted('google')) nc.google = 'no compliance.google section'
    if (wanted('auth0')) {
      const a = this.env.config.auth0
      if (a && c.auth0) {
        const [{fetchAuth0StaffPort}, {createAuth0Fetch}] = await Promise.all([import('./platform/auth0/staff.js'), import('./platform/auth0/fetch.js')])
        // The tenant's own URL (token audience included); in the sandbox the rate-limit aware
        // fetch routes https://<domain>/… to the emulation.
        out.auth0 = fetchAuth0StaffPort({
          baseUrl: `https://${a.domain}`,
          fetch: createAuth0Fetch({sandboxUrl}).fetch,
          clientId: resolveSecret(a.clientId, `environments.${this.env.name}.auth0.clientId`),
          clientSecret: resolveSecret(a.clientSecret, `environments.${this.env.name}.auth0.clientSecret`),
          connection: c.auth0.connection,
        })
      } else nc.auth0 = a ? 'no compliance.auth0 section' : 'no auth0 section in this environment'
    }
    return out
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

  private readonly complianceWirings = new Map<string, Promise<ComplianceWiring>>()

  /**
   * The compliance ports (built once per set of services): one adapter per configured service,
   * pointed at the cloud or at the sandbox (where the services are mounted under path prefixes
   * and take the sandbox's demo tokens). Adapters (and their SDKs) are imported lazily.
   */
  compliance(options: {only?: ServiceId[]} = {}): Promise<ComplianceWiring> {
    const key = options.only ? [...options.only].sort().join(',') : '*'
    let wiring = this.complianceWirings.get(key)
    if (!wiring) {
      wiring = this.buildCompliance(options)
      this.complianceWirings.set(key, wiring)
    }
    return wiring
  }

  /** The compliance ports: the team adapters (teamAdapters) as account sources, and where the roster is. */
  private async buildCompliance(options: {only?: ServiceId[]}): Promise<ComplianceWiring> {
    const {rosterPath} = await import('./compliance/sources.js')
    const file = rosterPath(this)
    const t = await this.teamAdapters(options)
    const sources: ComplianceWiring['sources'] = {}
    if (t.aws) sources.aws = t.aws
    if (t.github) sources.github = t.github
    if (t.cloudflare) sources.cloudflare = t.cloudflare
    if (t.google) sources.google = t.google
    if (t.auth0) {
      const {auth0StaffSource} = await import('./compliance/auth0-staff.js')
      sources.auth0 = auth0StaffSource(t.auth0)
    }
    return {sources, notConfigured: t.notConfigured, github: t.github, rosterPath: file}
  }

  dispose(): void {
    for (const c of this.clients.values()) (c as {destroy(): void}).destroy()
    this.clients.clear()
  }
}
