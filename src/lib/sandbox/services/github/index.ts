/**
 * GitHub REST API (the parts the compliance checks read), mounted under /github so Octokit's
 * `baseUrl` reaches it: organisation members (with `filter=2fa_disabled`, owners only),
 * outside collaborators, users' public SSH keys. Link-header pagination; secondary rate
 * limits as 403/429 with `retry-after`. See SPEC.md.
 */
import type {ServerResponse} from 'node:http'
import {sendJson} from '../../respond.js'
import type {SandboxRequest, ServiceContext, ServiceFactory} from '../../types.js'
import {githubCatalog} from './catalog.js'
import {demoGithub, type GithubState, type GithubUser} from './seed.js'
import {demoRepos} from './demo-site.js'
import type {ReposState} from './git.js'
import {handleRepos, isReposPath, REPOS_OPERATIONS, reposRoute} from './repos.js'
import {GIT_HTTP_OPERATIONS, gitHttpOperation, handleGitHttp} from './git-http.js'

export const GITHUB_PREFIX = '/github'
const DOCS = 'https://docs.github.com/rest'

export const githubService: ServiceFactory = (ctx: ServiceContext) => {
  const store = () => ctx.state.open<GithubState>('github', 'org', demoGithub)
  // Repositories' git data and Pages (repos.ts): a document of their own.
  const repos = () => ctx.state.open<ReposState>('github', 'repos', () => demoRepos(Date.now()))
  const routes: [string, RegExp][] = [
    ['orgs/list-members', /^\/orgs\/([^/]+)\/members$/],
    ['orgs/list-outside-collaborators', /^\/orgs\/([^/]+)\/outside_collaborators$/],
    ['users/list-public-keys-for-user', /^\/users\/([^/]+)\/keys$/],
    ['users/get-authenticated', /^\/user$/],
    // Offboarding (impress access revoke), additive to the read routes above.
    ['orgs/check-membership-for-user', /^\/orgs\/([^/]+)\/members\/([^/]+)$/],
    ['orgs/remove-member', /^\/orgs\/([^/]+)\/members\/([^/]+)$/],
    ['orgs/remove-outside-collaborator', /^\/orgs\/([^/]+)\/outside_collaborators\/([^/]+)$/],
  ]
  const METHOD: Record<string, string> = {'orgs/remove-member': 'DELETE', 'orgs/remove-outside-collaborator': 'DELETE'}
  const route = (req: SandboxRequest): [string, string[]] | undefined => {
    const p = req.path.slice(GITHUB_PREFIX.length)
    for (const [name, re] of routes) {
      const m = re.exec(p)
      if (m && req.method === (METHOD[name] ?? 'GET')) return [name, m.slice(1).map(decodeURIComponent)]
    }
    return undefined
  }
  const error = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) =>
    sendJson(res, status, {message, documentation_url: DOCS, status: String(status)}, headers)

  return {
    name: 'github',
    catalog: githubCatalog,
    handlerNames: () => [...routes.map(([name]) => name), ...REPOS_OPERATIONS, ...GIT_HTTP_OPERATIONS],
    matches: (req) => req.path === GITHUB_PREFIX || req.path.startsWith(`${GITHUB_PREFIX}/`),
    operation: (req) => route(req)?.[0] ?? reposRoute(req.path.slice(GITHUB_PREFIX.length), req.method)?.op ?? gitHttpOperation(req.path.slice(GITHUB_PREFIX.length)) ?? `${req.method} ${req.path.slice(GITHUB_PREFIX.length)}`,
    seed: () => {
      store()
      repos()
    },
    describe() {
      const s = store().data
      return {org: s.org, members: s.members.length, outsideCollaborators: s.outsideCollaborators.length, keys: Object.values(s.keys).flat().length}
    },
    handle(req, res) {
      const r = route(req)
      const s = store().data
      const auth = req.headers.authorization
      const token = typeof auth === 'string' ? auth.replace(/^(token|bearer)\s+/i, '') : undefined
      if (!r && isReposPath(req.path.slice(GITHUB_PREFIX.length))) {
        return handleRepos(req, res, req.path.slice(GITHUB_PREFIX.length), {
          store: repos,
          actor: () => (!token ? {status: 401, message: 'Requires authentication'} : s.tokens[token] ? {login: s.tokens[token], id: s.members.find((m) => m.login === s.tokens[token])?.id ?? 1} : {status: 401, message: 'Bad credentials'}),
          isMember: (login) => s.members.some((m) => m.login === login),
          baseUrl: ctx.baseUrl,
          now: () => new Date(),
        })
      }
      if (!r && gitHttpOperation(req.path.slice(GITHUB_PREFIX.length))) {
        return handleGitHttp(req, res, req.path.slice(GITHUB_PREFIX.length), {repos: () => repos().data, canRead: (t) => Boolean(t && s.members.some((m) => m.login === s.tokens[t]))})
      }
      if (!r) return error(res, 404, 'Not Found')
      if (!token) return error(res, 401, 'Requires authentication')
      const actor = s.tokens[token]
      if (!actor) return error(res, 401, 'Bad credentials')
      const [name, params] = r
      if (name === 'users/get-authenticated') return sendJson(res, 200, simpleUser(ctx, actor, s.members.find((m) => m.login === actor)?.id ?? 1))
      if (name === 'users/list-public-keys-for-user') {
        const login = params[0]
        const known = s.members.some((m) => m.login === login) || s.outsideCollaborators.some((m) => m.login === login) || login in s.keys
        if (!known) return error(res, 404, 'Not Found')
        return page(req, res, ctx, (s.keys[login] ?? []).map((k) => ({id: k.id, key: k.key})))
      }
      const org = params[0]
      if (org.toLowerCase() !== s.org.toLowerCase()) return error(res, 404, 'Not Found')
      const isMember = s.members.some((m) => m.login === actor)
      if (!isMember) return error(res, 403, 'You must be a member of this organization to list its members.')
      const isOwner = s.members.some((m) => m.login === actor && m.role === 'admin')
      if (name === 'orgs/check-membership-for-user') return s.members.some((m) => m.login.toLowerCase() === params[1].toLowerCase()) ? sendEmpty(res, 204) : error(res, 404, 'Not Found')
      if (name === 'orgs/remove-member' || name === 'orgs/remove-outside-collaborator') {
        if (!isOwner) return error(res, 403, 'You must be an owner of this organization to remove people from it.')
        const login = params[1].toLowerCase()
        if (name === 'orgs/remove-member') {
          // Removing a user who is not a member is a no-op on GitHub (204).
          s.members = s.members.filter((m) => m.login.toLowerCase() !== login)
        } else {
          if (s.members.some((m) => m.login.toLowerCase() === login)) return error(res, 422, 'You cannot specify an organization member to remove as an outside collaborator.')
          s.outsideCollaborators = s.outsideCollaborators.filter((m) => m.login.toLowerCase() !== login)
        }
        store().save()
        return sendEmpty(res, 204)
      }
      const filter = req.url.searchParams.get('filter') ?? 'all'
      if (filter !== 'all' && filter !== '2fa_disabled') return error(res, 422, `Validation Failed: filter must be one of all, 2fa_disabled`)
      if (filter === '2fa_disabled' && !isOwner) return error(res, 403, 'Only organization owners can filter members by two-factor authentication status.')
      if (name === 'orgs/list-members') {
        const role = req.url.searchParams.get('role') ?? 'all'
        let list: GithubUser[] = s.members
        if (role === 'admin' || role === 'member') list = list.filter((m) => m.role === role)
        if (filter === '2fa_disabled') list = list.filter((m) => !m.twoFactor)
        return page(req, res, ctx, list.map((m) => simpleUser(ctx, m.login, m.id)))
      }
      if (!isOwner) return error(res, 403, 'Must be an organization owner to list outside collaborators.')
      let list = s.outsideCollaborators
      if (filter === '2fa_disabled') list = list.filter((m) => !m.twoFactor)
      return page(req, res, ctx, list.map((m) => simpleUser(ctx, m.login, m.id)))
    },
    renderError(_req, res, e) {
      if (e.kind === 'throttle') {
        // GitHub's secondary rate limit: 403 or 429 with retry-after (seconds).
        error(res, e.status === 403 ? 403 : 429, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', {'retry-after': String(e.retryAfterSeconds ?? 60)})
        return
      }
      error(res, e.status, e.kind === 'server' ? 'Server Error' : e.message)
    },
  }
}

function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, {'content-length': 0})
  res.end()
}

function simpleUser(ctx: ServiceContext, login: string, id: number) {
  const api = `${ctx.baseUrl()}${GITHUB_PREFIX}`
  return {
    login,
    id,
    node_id: Buffer.from(`04:User${id}`).toString('base64'),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url: `${api}/users/${login}`,
    html_url: `https://github.com/${login}`,
    type: 'User',
    site_admin: false,
  }
}

/** per_page (default 30, max 100) and page (1-based), with a Link header like GitHub's. */
function page<T>(req: SandboxRequest, res: ServerResponse, _ctx: ServiceContext, items: T[]): void {
  const perPage = Math.min(100, Math.max(1, Number(req.url.searchParams.get('per_page') ?? 30) || 30))
  const pageNo = Math.max(1, Number(req.url.searchParams.get('page') ?? 1) || 1)
  const last = Math.max(1, Math.ceil(items.length / perPage))
  const slice = items.slice((pageNo - 1) * perPage, pageNo * perPage)
  const link = (n: number, rel: string) => {
    const u = new URL(req.url.toString())
    u.searchParams.set('per_page', String(perPage))
    u.searchParams.set('page', String(n))
    return `<${u.toString()}>; rel="${rel}"`
  }
  const rels: string[] = []
  if (pageNo > 1) rels.push(link(pageNo - 1, 'prev'), link(1, 'first'))
  if (pageNo < last) rels.push(link(pageNo + 1, 'next'), link(last, 'last'))
  sendJson(res, 200, slice, rels.length > 0 ? {link: rels.join(', ')} : {})
}
