/**
 * Build the compliance ports of an environment: one adapter per configured service, pointed
 * at the cloud or at the sandbox (where the services are mounted under path prefixes and
 * take the sandbox's demo tokens). Adapters (and their SDKs) are imported lazily.
 */
import path from 'node:path'
import {resolveSecret} from '../config/secret-ref.js'
import type {Context} from '../context.js'
import {ConfigError} from '../errors.js'
import type {AccountSource, GithubKeysPort} from './ports.js'
import type {ServiceId} from './types.js'

/** The demo tokens the sandbox's emulations accept (sandbox environments only). */
const SANDBOX_TOKENS = {github: 'ghp_sandboxowner', cloudflare: 'cf-sandbox-token', google: 'ya29.sandbox-directory-token'}

export interface ComplianceWiring {
  sources: Partial<Record<ServiceId, AccountSource>>
  notConfigured: Partial<Record<ServiceId, string>>
  github?: GithubKeysPort
  rosterPath: string
}

export function rosterPath(ctx: Context): string {
  const c = ctx.env.config.compliance
  if (!c) {
    throw new ConfigError(`Environment "${ctx.env.name}" has no compliance section.`, {hint: 'Add environments.<env>.compliance with at least `roster: ./team.yaml`.'})
  }
  return path.resolve(ctx.env.baseDir, c.roster)
}

export async function complianceWiring(ctx: Context, options: {only?: ServiceId[]} = {}): Promise<ComplianceWiring> {
  const c = ctx.env.config.compliance!
  const where = (k: string) => `environments.${ctx.env.name}.compliance.${k}`
  const sandboxUrl = ctx.env.sandbox ? (await ctx.sandbox()).url : undefined
  const timeScale = await ctx.timeScale()
  const wanted = (s: ServiceId) => !options.only || options.only.includes(s)
  const sources: ComplianceWiring['sources'] = {}
  const notConfigured: ComplianceWiring['notConfigured'] = {}
  let github: GithubKeysPort | undefined

  if (wanted('aws')) {
    if (c.aws && (ctx.env.config.aws || sandboxUrl)) {
      const {createIamAdapter} = await import('../platform/aws/iam.js')
      sources.aws = await createIamAdapter(ctx, timeScale)
    } else notConfigured.aws = c.aws ? 'no aws section in this environment' : 'compliance.aws is false'
  }
  if (wanted('github') && c.github) {
    const token = c.github.token ? resolveSecret(c.github.token, where('github.token')) : sandboxUrl ? SANDBOX_TOKENS.github : process.env.GITHUB_TOKEN
    if (token) {
      const {GithubAdapter} = await import('../platform/github/org.js')
      const adapter = new GithubAdapter({token, org: c.github.org, baseUrl: sandboxUrl ? `${sandboxUrl}/github` : c.github.baseUrl, timeScale})
      sources.github = adapter
      github = adapter
    } else notConfigured.github = 'no token: set compliance.github.token or GITHUB_TOKEN'
  } else if (wanted('github')) notConfigured.github = 'no compliance.github section'
  if (wanted('cloudflare') && c.cloudflare) {
    const token = c.cloudflare.token ? resolveSecret(c.cloudflare.token, where('cloudflare.token')) : sandboxUrl ? SANDBOX_TOKENS.cloudflare : process.env.CLOUDFLARE_API_TOKEN
    if (token) {
      const {CloudflareAdapter} = await import('../platform/cloudflare/members.js')
      sources.cloudflare = new CloudflareAdapter({token, accountId: resolveSecret(c.cloudflare.accountId, where('cloudflare.accountId'), {secret: false}), baseURL: sandboxUrl ? `${sandboxUrl}/cloudflare/client/v4` : undefined})
    } else notConfigured.cloudflare = 'no token: set compliance.cloudflare.token or CLOUDFLARE_API_TOKEN'
  } else if (wanted('cloudflare')) notConfigured.cloudflare = 'no compliance.cloudflare section'
  if (wanted('google') && c.google) {
    const accessToken = c.google.accessToken ? resolveSecret(c.google.accessToken, where('google.accessToken')) : sandboxUrl ? SANDBOX_TOKENS.google : undefined
    const keyFile = c.google.credentials ? resolveSecret(c.google.credentials, where('google.credentials'), {secret: false}) : undefined
    if (accessToken || keyFile) {
      const {GoogleAdapter} = await import('../platform/google/directory.js')
      sources.google = new GoogleAdapter({customer: c.google.customer, accessToken, keyFile, subject: c.google.subject, rootUrl: sandboxUrl ? `${sandboxUrl}/google/` : undefined})
    } else notConfigured.google = 'no credentials: set compliance.google.credentials (and subject) or accessToken'
  } else if (wanted('google')) notConfigured.google = 'no compliance.google section'
  if (wanted('auth0')) {
    const a = ctx.env.config.auth0
    if (a && c.auth0) {
      const [{auth0StaffSource}, {fetchAuth0StaffPort}, {createAuth0Fetch}] = await Promise.all([import('./auth0-staff.js'), import('../platform/auth0/staff.js'), import('../platform/auth0/fetch.js')])
      // The tenant's own URL (token audience included); in the sandbox the rate-limit aware
      // fetch routes https://<domain>/… to the emulation.
      const base = `https://${a.domain}`
      sources.auth0 = auth0StaffSource(
        fetchAuth0StaffPort({baseUrl: base, fetch: createAuth0Fetch({sandboxUrl}).fetch, clientId: resolveSecret(a.clientId, `environments.${ctx.env.name}.auth0.clientId`), clientSecret: resolveSecret(a.clientSecret, `environments.${ctx.env.name}.auth0.clientSecret`), connection: c.auth0.connection}),
      )
    } else notConfigured.auth0 = a ? 'no compliance.auth0 section' : 'no auth0 section in this environment'
  }
  return {sources, notConfigured, github, rosterPath: rosterPath(ctx)}
}
