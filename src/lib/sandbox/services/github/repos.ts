/**
 * GitHub REST: repositories' git data (blobs, trees, commits, refs), branches, commits and
 * the GitHub Pages site, under /github/repos/{owner}/{repo}/…. Anything else under /repos/
 * is refused with 501. See SPEC.md for the references and what is modelled.
 */
import type {ServerResponse} from 'node:http'
import {sendJson} from '../../respond.js'
import type {SandboxRequest} from '../../types.js'
import type {Stored} from '../../state.js'
import {buildTree, flattenTree, history, isAncestor, putBlob, putCommit, TREE_MODES, walkTree, type FlatEntry, type GitObject, type GitPerson, type GitRepo, type ReposState, type TreeMode} from './git.js'

const DOCS = 'https://docs.github.com/rest'
type Route = {op: string; method: string; re: RegExp}
const ROUTES: Route[] = [
  {op: 'repos/get', method: 'GET', re: /^$/},
  {op: 'repos/list-branches', method: 'GET', re: /^\/branches$/},
  {op: 'repos/get-branch', method: 'GET', re: /^\/branches\/(.+)$/},
  {op: 'repos/list-commits', method: 'GET', re: /^\/commits$/},
  {op: 'repos/get-pages', method: 'GET', re: /^\/pages$/},
  {op: 'repos/update-information-about-pages-site', method: 'PUT', re: /^\/pages$/},
  {op: 'git/create-blob', method: 'POST', re: /^\/git\/blobs$/},
  {op: 'git/get-blob', method: 'GET', re: /^\/git\/blobs\/([0-9a-f]{40})$/},
  {op: 'git/create-tree', method: 'POST', re: /^\/git\/trees$/},
  {op: 'git/get-tree', method: 'GET', re: /^\/git\/trees\/(.+)$/},
  {op: 'git/create-commit', method: 'POST', re: /^\/git\/commits$/},
  {op: 'git/get-commit', method: 'GET', re: /^\/git\/commits\/([0-9a-f]{40})$/},
  {op: 'git/get-ref', method: 'GET', re: /^\/git\/ref\/(.+)$/},
  {op: 'git/create-ref', method: 'POST', re: /^\/git\/refs$/},
  {op: 'git/update-ref', method: 'PATCH', re: /^\/git\/refs\/(.+)$/},
]
/** The operations the repository routes answer (for the coverage check). */
export const REPOS_OPERATIONS: readonly string[] = ROUTES.map((r) => r.op)

const REPO_PATH = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/

export function isReposPath(path: string): boolean {
  return REPO_PATH.test(path)
}

export function reposRoute(path: string, method: string): {op: string; owner: string; repo: string; params: string[]} | undefined {
  const m = REPO_PATH.exec(path)
  if (!m) return undefined
  const rest = m[3] ?? ''
  for (const r of ROUTES) {
    const x = r.re.exec(rest)
    if (x && r.method === method) return {op: r.op, owner: decodeURIComponent(m[1]), repo: decodeURIComponent(m[2]), params: x.slice(1).map(decodeURIComponent)}
  }
  return undefined
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly doc = '',
  ) {
    super(message)
  }
}

export interface ReposDeps {
  store(): Stored<ReposState>
  /** The login a request's token acts as, undefined when there is none or it is unknown (→ 401). */
  actor(req: SandboxRequest): {login: string; id: number} | {status: 401; message: string}
  isMember(login: string): boolean
  baseUrl(): string
  /** The current time (commits without a date get it). */
  now(): Date
}

export function handleRepos(req: SandboxRequest, res: ServerResponse, path: string, deps: ReposDeps): void {
  const fail = (e: HttpError) => sendJson(res, e.status, {message: e.message, documentation_url: e.doc ? `${DOCS}/${e.doc}` : DOCS, status: String(e.status)})
  const route = reposRoute(path, req.method)
  if (!route) {
    return void sendJson(res, 501, {message: `The sandbox does not model ${req.method} ${path} (see src/lib/sandbox/services/github/SPEC.md).`, documentation_url: DOCS, status: '501'})
  }
  const who = deps.actor(req)
  if ('status' in who) return fail(new HttpError(401, who.message))
  const state = deps.store()
  const repo = state.data.repos.find((r) => r.owner.toLowerCase() === route.owner.toLowerCase() && r.name.toLowerCase() === route.repo.toLowerCase())
  if (!repo || (repo.private && !deps.isMember(who.login))) return fail(new HttpError(404, 'Not Found', 'repos/repos#get-a-repository'))
  const api = `${deps.baseUrl()}/github/repos/${repo.owner}/${repo.name}`
  try {
    const out = dispatch(route.op, route.params, req, repo, {api, who, now: deps.now()})
    if (out.changed) state.save()
    if (out.status === 204) {
      res.writeHead(204)
      res.end()
      return
    }
    const link = out.body instanceof PagedBody ? out.body.link() : undefined
    sendJson(res, out.status, out.body, link ? {link} : {})
  } catch (error) {
    if (error instanceof HttpError) return fail(error)
    throw error
  }
}

interface Call {
  api: string
  who: {login: string; id: number}
  now: Date
}
type Out = {status: number; body?: unknown; changed?: boolean}

function body(req: SandboxRequest): Record<string, unknown> {
  try {
    const v = req.body.length === 0 ? {} : req.json()
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>
  } catch {
    // fall through
  }
  throw new HttpError(400, 'Problems parsing JSON')
}

function object<T extends GitObject['type']>(repo: GitRepo, sha: string, type: T): Extract<GitObject, {type: T}> | undefined {
  const o = repo.objects[sha]
  return o?.type === type ? (o as Extract<GitObject, {type: T}>) : undefined
}

function dispatch(op: string, params: string[], req: SandboxRequest, repo: GitRepo, c: Call): Out {
  const {api} = c
  switch (op) {
    case 'repos/get': {
      return {status: 200, body: {id: 770001, name: repo.name, full_name: `${repo.owner}/${repo.name}`, private: repo.private, owner: {login: repo.owner, type: 'Organization'}, default_branch: repo.defaultBranch, url: api, html_url: `https://github.com/${repo.owner}/${repo.name}`, has_pages: Boolean(repo.pages)}}
    }
    case 'repos/list-branches': {
      const names = Object.keys(repo.refs).filter((r) => r.startsWith('refs/heads/')).map((r) => r.slice('refs/heads/'.length)).sort()
      return paged(req, names.map((name) => ({name, commit: {sha: repo.refs[`refs/heads/${name}`], url: `${api}/commits/${repo.refs[`refs/heads/${name}`]}`}, protected: false})))
    }
    case 'repos/get-branch': {
      const sha = repo.refs[`refs/heads/${params[0]}`]
      if (!sha) throw new HttpError(404, 'Branch not found', 'branches/branches#get-a-branch')
      return {status: 200, body: {name: params[0], commit: listedCommit(repo, sha, api), protected: false, _links: {self: `${api}/branches/${params[0]}`, html: `https://github.com/${repo.owner}/${repo.name}/tree/${params[0]}`}}}
    }
    case 'repos/list-commits': {
      const ref = req.url.searchParams.get('sha') ?? repo.defaultBranch
      const head = resolveCommitish(repo, ref)
      if (!head) throw new HttpError(404, `No commit found for SHA: ${ref}`, 'commits/commits#list-commits')
      return paged(req, history(repo, head).map((sha) => listedCommit(repo, sha, api)))
    }
    case 'repos/get-pages': {
      if (!repo.pages) throw new HttpError(404, 'Not Found', 'pages/pages#get-a-apiname-pages-site')
      return {status: 200, body: pagesSite(repo, api)}
    }
    case 'repos/update-information-about-pages-site': {
      if (!repo.pages) throw new HttpError(404, 'Not Found', 'pages/pages#update-information-about-a-apiname-pages-site')
      const b = body(req)
      const known = new Set(['cname', 'https_enforced', 'source', 'build_type', 'public'])
      const unknown = Object.keys(b).filter((k) => !known.has(k))
      if (unknown.length > 0) throw new HttpError(422, `Invalid request.\n\n${unknown.map((k) => `"${k}" is not a permitted key.`).join('\n')}`, 'pages/pages#update-information-about-a-apiname-pages-site')
      if (b.build_type !== undefined && b.build_type !== 'legacy') throw new HttpError(501, 'The sandbox models legacy (branch) Pages builds only.')
      if (b.cname !== undefined && b.cname !== null && typeof b.cname !== 'string') throw new HttpError(422, 'Invalid request.\n\nFor \'properties/cname\', it is not a string or null.')
      if (b.https_enforced !== undefined && typeof b.https_enforced !== 'boolean') throw new HttpError(422, 'Invalid request.\n\nFor \'properties/https_enforced\', it is not a boolean.')
      if (b.public !== undefined && typeof b.public !== 'boolean') throw new HttpError(422, 'Invalid request.\n\nFor \'properties/public\', it is not a boolean.')
      if (b.source !== undefined) {
        const s = b.source as {branch?: unknown; path?: unknown}
        if (typeof s !== 'object' || s === null || typeof s.branch !== 'string' || (s.path !== undefined && s.path !== '/' && s.path !== '/docs')) throw new HttpError(422, 'Invalid request.\n\nsource must be {branch, path: "/" | "/docs"}.')
        if (!repo.refs[`refs/heads/${s.branch}`]) throw new HttpError(422, `The branch ${s.branch} does not exist.`)
        repo.pages.source = {branch: s.branch, path: (s.path as '/' | '/docs' | undefined) ?? '/'}
      }
      if (b.cname !== undefined) repo.pages.cname = (b.cname as string | null) || null
      if (typeof b.https_enforced === 'boolean') repo.pages.httpsEnforced = b.https_enforced
      if (typeof b.public === 'boolean') repo.pages.public = b.public
      return {status: 204, changed: true}
    }
    case 'git/create-blob': {
      const b = body(req)
      if (typeof b.content !== 'string') throw new HttpError(422, 'Invalid request.\n\n"content" wasn\'t supplied.', 'git/blobs#create-a-blob')
      const encoding = b.encoding ?? 'utf-8'
      if (encoding !== 'utf-8' && encoding !== 'utf8' && encoding !== 'base64') throw new HttpError(422, `encoding must be "utf-8" or "base64"`, 'git/blobs#create-a-blob')
      const sha = putBlob(repo, Buffer.from(b.content, encoding === 'base64' ? 'base64' : 'utf8'))
      return {status: 201, body: {url: `${api}/git/blobs/${sha}`, sha}, changed: true}
    }
    case 'git/get-blob': {
      const blob = object(repo, params[0], 'blob')
      if (!blob) throw new HttpError(404, 'Not Found', 'git/blobs#get-a-blob')
      return {status: 200, body: {sha: params[0], node_id: nodeId('Blob', params[0]), size: blob.size, url: `${api}/git/blobs/${params[0]}`, content: `${blob.content.replace(/.{60}/g, '$&\n')}\n`, encoding: 'base64'}}
    }
    case 'git/create-tree':
      return createTree(repo, body(req), api)
    case 'git/get-tree': {
      const sha = resolveTreeish(repo, params[0])
      if (!sha) throw new HttpError(404, 'Not Found', 'git/trees#get-a-tree')
      const recursive = req.url.searchParams.has('recursive')
      const rows = recursive ? walkTree(repo, sha) : (object(repo, sha, 'tree')?.entries ?? []).map((entry) => ({path: entry.name, entry}))
      return {status: 200, body: treeBody(repo, sha, rows, api)}
    }
    case 'git/create-commit':
      return createCommit(repo, body(req), c)
    case 'git/get-commit': {
      if (!object(repo, params[0], 'commit')) throw new HttpError(404, 'Not Found', 'git/commits#get-a-commit-object')
      return {status: 200, body: gitCommit(repo, params[0], api)}
    }
    case 'git/get-ref': {
      const name = `refs/${params[0]}`
      const sha = repo.refs[name]
      if (!sha) throw new HttpError(404, 'Not Found', 'git/refs#get-a-reference')
      return {status: 200, body: refBody(name, sha, api)}
    }
    case 'git/create-ref': {
      const b = body(req)
      if (typeof b.ref !== 'string' || !/^refs\/[^/]+\/.+/.test(b.ref)) throw new HttpError(422, 'Reference name must start with \'refs/\' and have at least two slashes.', 'git/refs#create-a-reference')
      if (typeof b.sha !== 'string' || !object(repo, b.sha, 'commit')) throw new HttpError(422, 'Object does not exist', 'git/refs#create-a-reference')
      if (repo.refs[b.ref]) throw new HttpError(422, 'Reference already exists', 'git/refs#create-a-reference')
      repo.refs[b.ref] = b.sha
      return {status: 201, body: refBody(b.ref, b.sha, api), changed: true}
    }
    case 'git/update-ref': {
      const name = `refs/${params[0]}`
      const b = body(req)
      const current = repo.refs[name]
      if (!current) throw new HttpError(422, 'Reference does not exist', 'git/refs#update-a-reference')
      if (typeof b.sha !== 'string' || !object(repo, b.sha, 'commit')) throw new HttpError(422, 'Object does not exist', 'git/refs#update-a-reference')
      if (b.force !== undefined && typeof b.force !== 'boolean') throw new HttpError(422, 'Invalid request.\n\nFor \'properties/force\', it is not a boolean.', 'git/refs#update-a-reference')
      // force:false (the default): only a fast-forward moves the ref. A deploy built on an
      // older head (another deploy landed in between) is refused, never silently dropped.
      if (b.force !== true && !isAncestor(repo, current, b.sha)) throw new HttpError(422, 'Update is not a fast forward', 'git/refs#update-a-reference')
      repo.refs[name] = b.sha
      return {status: 200, body: refBody(name, b.sha, api), changed: true}
    }
  }
  throw new HttpError(501, `The sandbox does not model ${op}.`)
}

function createTree(repo: GitRepo, b: Record<string, unknown>, api: string): Out {
  const doc = 'git/trees#create-a-tree'
  if (!Array.isArray(b.tree)) throw new HttpError(422, 'Invalid request.\n\n"tree" wasn\'t supplied.', doc)
  let files = new Map<string, FlatEntry>()
  if (b.base_tree !== undefined) {
    if (typeof b.base_tree !== 'string' || !object(repo, b.base_tree, 'tree')) throw new HttpError(422, 'base_tree is not a valid tree oid', doc)
    files = flattenTree(repo, b.base_tree)
  }
  for (const raw of b.tree as Record<string, unknown>[]) {
    const path = raw?.path
    if (typeof path !== 'string' || path === '' || path.startsWith('/') || path.endsWith('/') || path.split('/').some((s) => s === '' || s === '.' || s === '..' || s === '.git')) throw new HttpError(422, `tree.path ${JSON.stringify(path)} is invalid`, doc)
    if (!TREE_MODES.includes(raw.mode as TreeMode)) throw new HttpError(422, `tree.mode must be one of ${TREE_MODES.join(', ')}`, doc)
    const type = raw.type
    if (type !== 'blob' && type !== 'tree' && type !== 'commit') throw new HttpError(422, 'tree.type must be one of blob, tree, commit', doc)
    if (raw.sha !== undefined && raw.content !== undefined) throw new HttpError(422, 'Must supply either tree.sha or tree.content, not both', doc)
    if (raw.sha === null) {
      // Deletion of a file, or of a whole directory.
      for (const p of [...files.keys()]) if (p === path || p.startsWith(`${path}/`)) files.delete(p)
      continue
    }
    if (typeof raw.content === 'string') {
      if (type !== 'blob') throw new HttpError(422, 'tree.content is only for blobs', doc)
      files.set(path, {mode: raw.mode as TreeMode, type: 'blob', sha: putBlob(repo, Buffer.from(raw.content))})
      continue
    }
    if (typeof raw.sha !== 'string') throw new HttpError(422, 'Must supply either tree.sha or tree.content', doc)
    for (const p of [...files.keys()]) if (p.startsWith(`${path}/`)) files.delete(p)
    if (type === 'tree') {
      if (!object(repo, raw.sha, 'tree')) throw new HttpError(422, `tree.sha ${raw.sha} is not a valid tree`, doc)
      files.delete(path)
      for (const [p, e] of flattenTree(repo, raw.sha)) files.set(`${path}/${p}`, e)
    } else if (type === 'blob') {
      if (!object(repo, raw.sha, 'blob')) throw new HttpError(422, `tree.sha ${raw.sha} is not a valid blob`, doc)
      files.set(path, {mode: raw.mode as TreeMode, type: 'blob', sha: raw.sha})
    } else {
      files.set(path, {mode: '160000', type: 'commit', sha: raw.sha})
    }
  }
  // A file and a directory cannot share a path.
  for (const p of files.keys()) {
    for (let i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) if (files.has(p.slice(0, i))) throw new HttpError(422, `tree.path ${p.slice(0, i)} is both a file and a directory`, doc)
  }
  const sha = buildTree(repo, files)
  return {status: 201, body: treeBody(repo, sha, object(repo, sha, 'tree')!.entries.map((entry) => ({path: entry.name, entry})), api), changed: true}
}

function person(v: unknown, fallback: GitPerson, what: string): GitPerson {
  if (v === undefined) return fallback
  const p = v as Partial<GitPerson>
  if (typeof p !== 'object' || p === null || typeof p.name !== 'string' || typeof p.email !== 'string') throw new HttpError(422, `Invalid request.\n\n${what} must have name and email.`, 'git/commits#create-a-commit')
  if (p.date !== undefined && (typeof p.date !== 'string' || Number.isNaN(Date.parse(p.date)))) throw new HttpError(422, `Invalid request.\n\n${what}.date is not an ISO 8601 timestamp.`, 'git/commits#create-a-commit')
  return {name: p.name, email: p.email, date: isoSeconds(new Date(p.date ?? fallback.date))}
}

function createCommit(repo: GitRepo, b: Record<string, unknown>, c: Call): Out {
  const doc = 'git/commits#create-a-commit'
  if (typeof b.message !== 'string') throw new HttpError(422, 'Invalid request.\n\n"message" wasn\'t supplied.', doc)
  if (typeof b.tree !== 'string' || !object(repo, b.tree, 'tree')) throw new HttpError(422, 'Tree SHA does not exist', doc)
  const parents = b.parents ?? []
  if (!Array.isArray(parents) || parents.some((p) => typeof p !== 'string' || !object(repo, p, 'commit'))) throw new HttpError(422, 'Parent SHA does not exist or is not a commit object', doc)
  if (b.signature !== undefined) throw new HttpError(501, 'The sandbox does not model signed commits.')
  const me: GitPerson = {name: c.who.login, email: `${c.who.id}+${c.who.login}@users.noreply.github.com`, date: isoSeconds(c.now)}
  const author = person(b.author, me, 'author')
  const committer = person(b.committer, b.author === undefined ? me : author, 'committer')
  const sha = putCommit(repo, {tree: b.tree, parents: parents as string[], author, committer, message: b.message})
  return {status: 201, body: gitCommit(repo, sha, c.api), changed: true}
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function nodeId(kind: string, sha: string): string {
  return Buffer.from(`${kind}:${sha}`).toString('base64')
}

function resolveCommitish(repo: GitRepo, ref: string): string | undefined {
  if (object(repo, ref, 'commit')) return ref
  return repo.refs[`refs/heads/${ref}`] ?? repo.refs[`refs/tags/${ref}`]
}

/** A tree id, a commit id (its tree) or a branch name, as GitHub's get-a-tree accepts. */
function resolveTreeish(repo: GitRepo, ref: string): string | undefined {
  if (object(repo, ref, 'tree')) return ref
  const commit = resolveCommitish(repo, ref)
  return commit ? object(repo, commit, 'commit')?.tree : undefined
}

function treeBody(repo: GitRepo, sha: string, rows: {path: string; entry: {mode: string; type: string; sha: string}}[], api: string) {
  return {
    sha,
    url: `${api}/git/trees/${sha}`,
    tree: rows.map(({path, entry}) => ({
      path,
      mode: entry.mode,
      type: entry.type,
      sha: entry.sha,
      ...(entry.type === 'blob' ? {size: object(repo, entry.sha, 'blob')?.size ?? 0, url: `${api}/git/blobs/${entry.sha}`} : entry.type === 'tree' ? {url: `${api}/git/trees/${entry.sha}`} : {}),
    })),
    truncated: false,
  }
}

function gitCommit(repo: GitRepo, sha: string, api: string) {
  const c = object(repo, sha, 'commit')!
  return {
    sha,
    node_id: nodeId('Commit', sha),
    url: `${api}/git/commits/${sha}`,
    html_url: `https://github.com/${repo.owner}/${repo.name}/commit/${sha}`,
    author: c.author,
    committer: c.committer,
    message: c.message,
    tree: {sha: c.tree, url: `${api}/git/trees/${c.tree}`},
    parents: c.parents.map((p) => ({sha: p, url: `${api}/git/commits/${p}`, html_url: `https://github.com/${repo.owner}/${repo.name}/commit/${p}`})),
    verification: {verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null},
  }
}

function listedCommit(repo: GitRepo, sha: string, api: string) {
  const c = object(repo, sha, 'commit')!
  return {
    sha,
    node_id: nodeId('Commit', sha),
    commit: {author: c.author, committer: c.committer, message: c.message, tree: {sha: c.tree, url: `${api}/git/trees/${c.tree}`}, url: `${api}/git/commits/${sha}`, comment_count: 0, verification: {verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null}},
    url: `${api}/commits/${sha}`,
    html_url: `https://github.com/${repo.owner}/${repo.name}/commit/${sha}`,
    comments_url: `${api}/commits/${sha}/comments`,
    author: null,
    committer: null,
    parents: c.parents.map((p) => ({sha: p, url: `${api}/commits/${p}`, html_url: `https://github.com/${repo.owner}/${repo.name}/commit/${p}`})),
  }
}

function refBody(ref: string, sha: string, api: string) {
  return {ref, node_id: nodeId('Ref', ref), url: `${api}/git/${ref}`, object: {type: 'commit', sha, url: `${api}/git/commits/${sha}`}}
}

function pagesSite(repo: GitRepo, api: string) {
  const p = repo.pages!
  const host = p.cname ?? `${repo.owner}.github.io`
  return {
    url: `${api}/pages`,
    status: 'built',
    cname: p.cname,
    custom_404: false,
    html_url: `https://${host}/`,
    build_type: 'legacy',
    source: p.source,
    public: p.public,
    protected_domain_state: null,
    pending_domain_unverified_at: null,
    https_certificate: p.cname ? {state: 'approved', description: 'The certificate has been approved.', domains: [p.cname], expires_at: '2027-03-01'} : undefined,
    https_enforced: p.httpsEnforced,
  }
}

/** per_page (default 30, max 100) and page, with GitHub's Link header. */
function paged(req: SandboxRequest, items: unknown[]): Out {
  const perPage = Math.min(100, Math.max(1, Number(req.url.searchParams.get('per_page') ?? 30) || 30))
  const pageNo = Math.max(1, Number(req.url.searchParams.get('page') ?? 1) || 1)
  const last = Math.max(1, Math.ceil(items.length / perPage))
  return {status: 200, body: new PagedBody(items.slice((pageNo - 1) * perPage, pageNo * perPage), req, perPage, pageNo, last)}
}

/** A page of results; its Link header is written by the sender. */
export class PagedBody {
  constructor(
    readonly items: unknown[],
    readonly req: SandboxRequest,
    readonly perPage: number,
    readonly page: number,
    readonly last: number,
  ) {}

  toJSON(): unknown[] {
    return this.items
  }

  link(): string | undefined {
    const link = (n: number, rel: string) => {
      const u = new URL(this.req.url.toString())
      u.searchParams.set('per_page', String(this.perPage))
      u.searchParams.set('page', String(n))
      return `<${u.toString()}>; rel="${rel}"`
    }
    const rels: string[] = []
    if (this.page > 1) rels.push(link(this.page - 1, 'prev'), link(1, 'first'))
    if (this.page < this.last) rels.push(link(this.page + 1, 'next'), link(this.last, 'last'))
    return rels.length > 0 ? rels.join(', ') : undefined
  }
}
