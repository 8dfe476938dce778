/**
 * GitHub adapter over @octokit/rest: organisation members and their two-factor state
 * (`filter=2fa_disabled`, which only an organisation owner may use: without it the state is
 * unknown, never assumed), outside collaborators, and users' public SSH keys. Link-header
 * pagination through octokit.paginate; rate limits retried as GitHub asks.
 */
import type {AccountSource, GithubKeysPort, PublicKey} from '../../compliance/ports.js'
import type {ServiceAccount} from '../../compliance/types.js'
import {withRateLimitRetry} from './retry.js'
import type {AccessWriter, Grant} from '../../access/ports.js'

export interface GithubOptions {
  token: string
  org: string
  /** API root, e.g. https://api.github.com or the sandbox's /github. */
  baseUrl?: string
  pageSize?: number
  timeScale?: number
  maxRetries?: number
}

type OctokitT = InstanceType<typeof import('@octokit/rest').Octokit>

const OWNER_PERMISSION = 'organisation owner rights (a token of an owner with the admin:org or read:org scope)'

export class GithubAdapter implements AccountSource, GithubKeysPort, AccessWriter {
  readonly service = 'github' as const
  private client?: Promise<OctokitT>

  constructor(private readonly options: GithubOptions) {}

  private octokit(): Promise<OctokitT> {
    this.client ??= (async () => {
      const {Octokit} = await import('@octokit/rest')
      const o = new Octokit({auth: this.options.token, baseUrl: this.options.baseUrl, userAgent: 'impress-ops', log: {debug() {}, info() {}, warn() {}, error() {}}})
      const policy = {maxRetries: this.options.maxRetries ?? 3, timeScale: this.options.timeScale ?? 1}
      o.hook.wrap('request', (request, opts) => withRateLimitRetry(policy, async () => request(opts)))
      return o
    })()
    return this.client
  }

  private get perPage(): number {
    return this.options.pageSize ?? 100
  }

  async snapshot() {
    const o = await this.octokit()
    const org = this.options.org
    const per_page = this.perPage
    const forbidden = (e: unknown) => (e as {status?: number}).status === 403
    const [members, disabled, outside] = await Promise.all([
      o.paginate(o.rest.orgs.listMembers, {org, per_page, filter: 'all'}),
      o.paginate(o.rest.orgs.listMembers, {org, per_page, filter: '2fa_disabled'}).then(
        (l) => new Set(l.map((u) => u.login)),
        (e) => {
          if (forbidden(e)) return null
          throw e
        },
      ),
      o.paginate(o.rest.orgs.listOutsideCollaborators, {org, per_page, filter: 'all'}).then(
        async (all) => {
          if (all.length === 0) return {list: all, disabled: new Set<string>() as Set<string> | null}
          const d = await o.paginate(o.rest.orgs.listOutsideCollaborators, {org, per_page, filter: '2fa_disabled'})
          return {list: all, disabled: new Set(d.map((u) => u.login)) as Set<string> | null}
        },
        (e) => {
          if (forbidden(e)) return null
          throw e
        },
      ),
    ])
    const mfa = (set: Set<string> | null, login: string): Pick<ServiceAccount, 'mfa' | 'mfaUnknownReason'> =>
      set ? {mfa: !set.has(login)} : {mfa: null, mfaUnknownReason: `filter=2fa_disabled needs ${OWNER_PERMISSION}`}
    const accounts: ServiceAccount[] = members.map((m) => ({id: m.login, active: true, ...mfa(disabled, m.login)}))
    const notes: string[] = []
    if (disabled === null) notes.push(`two-factor state unknown: the token lacks ${OWNER_PERMISSION}`)
    if (outside === null) notes.push(`outside collaborators not listed: the token lacks ${OWNER_PERMISSION}`)
    for (const c of outside?.list ?? []) accounts.push({id: c.login, active: true, notes: ['outside collaborator'], ...mfa(outside?.disabled ?? null, c.login)})
    return {service: this.service, accounts, notes}
  }

  async userKeys(login: string): Promise<PublicKey[] | null> {
    const o = await this.octokit()
    try {
      const keys = await o.paginate(o.rest.users.listPublicKeysForUser, {username: login, per_page: this.perPage})
      return keys.map((k) => ({id: k.id, key: k.key}))
    } catch (error) {
      if ((error as {status?: number}).status === 404) return null
      throw error
    }
  }

  /** Logins of the organisation's members (authorized-keys admits members only). */
  async orgMemberLogins(): Promise<Set<string>> {
    const o = await this.octokit()
    const list = await o.paginate(o.rest.orgs.listMembers, {org: this.options.org, per_page: this.perPage, filter: 'all'})
    return new Set(list.map((u) => u.login.toLowerCase()))
  }

  /** Organisation membership and outside collaboration of a login (one write removes each). */
  async grants(login: string): Promise<Grant[]> {
    const o = await this.octokit()
    const org = this.options.org
    const [member, outside] = await Promise.all([
      o.rest.orgs.checkMembershipForUser({org, username: login}).then(
        (r) => (r.status as number) === 204,
        (e: {status?: number}) => {
          if (e.status === 404) return false
          throw e
        },
      ),
      o.paginate(o.rest.orgs.listOutsideCollaborators, {org, per_page: this.perPage, filter: 'all'}).then((l) => l.some((u) => u.login.toLowerCase() === login.toLowerCase())),
    ])
    const out: Grant[] = []
    if (member) out.push({service: 'github', account: login, kind: 'org-member', id: login, action: `remove ${login} from the ${org} organisation`})
    if (outside) out.push({service: 'github', account: login, kind: 'outside-collaborator', id: login, action: `remove outside collaborator ${login} from ${org}'s repositories`})
    return out
  }

  async revoke(grant: Grant): Promise<void> {
    const o = await this.octokit()
    if (grant.kind === 'org-member') await o.rest.orgs.removeMember({org: this.options.org, username: grant.id})
    else if (grant.kind === 'outside-collaborator') await o.rest.orgs.removeOutsideCollaborator({org: this.options.org, username: grant.id})
    else throw new Error(`unknown GitHub grant kind ${grant.kind}`)
  }

  async admins(): Promise<string[]> {
    const o = await this.octokit()
    const list = await o.paginate(o.rest.orgs.listMembers, {org: this.options.org, per_page: this.perPage, role: 'admin'})
    return list.map((u) => u.login.toLowerCase())
  }

  async self(): Promise<string | undefined> {
    const o = await this.octokit()
    return (await o.rest.users.getAuthenticated()).data.login
  }
}
