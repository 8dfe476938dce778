/**
 * `git clone` / `git fetch` of the sandbox's repositories over git's "dumb" HTTP protocol
 * (https://git-scm.com/docs/http-protocol: info/refs, HEAD, loose objects), at
 * /github/{owner}/{repo}.git. GitHub itself speaks the smart protocol; git falls back to the
 * dumb one by itself when info/refs is not a smart advertisement, and checks every object's
 * id as it fetches it, so a clone proves the sandbox's ids are git's. Read-only: pushes are
 * refused (403).
 */
import type {ServerResponse} from 'node:http'
import zlib from 'node:zlib'
import type {SandboxRequest} from '../../types.js'
import {objectBytes, type ReposState} from './git.js'

const GIT_PATH = /^\/([^/]+)\/([^/]+?)\.git(\/.*)$/

/** The operations of the dumb git HTTP protocol it answers. */
export const GIT_HTTP_OPERATIONS: readonly string[] = ['git-http/info-refs', 'git-http/head', 'git-http/object']

export function gitHttpOperation(path: string): string | undefined {
  const m = GIT_PATH.exec(path)
  if (!m) return undefined
  const rest = m[3]
  if (rest === '/info/refs') return 'git-http/info-refs'
  if (rest === '/HEAD') return 'git-http/head'
  if (/^\/objects\/[0-9a-f]{2}\/[0-9a-f]{38}$/.test(rest)) return 'git-http/object'
  return 'git-http/other'
}

export function handleGitHttp(req: SandboxRequest, res: ServerResponse, path: string, deps: {repos: () => ReposState; canRead: (token: string | undefined) => boolean}): void {
  const text = (status: number, body: string | Buffer, headers: Record<string, string> = {}) => {
    res.writeHead(status, {'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers})
    res.end(body)
  }
  const m = GIT_PATH.exec(path)!
  const repo = deps.repos().repos.find((r) => r.owner.toLowerCase() === m[1].toLowerCase() && r.name.toLowerCase() === m[2].toLowerCase())
  if (req.method !== 'GET' || req.url.searchParams.get('service') === 'git-receive-pack') return text(403, 'The sandbox serves git repositories read-only (dumb HTTP); push through the git data API.\n')
  // Basic auth, the token as the password (as GitHub accepts it).
  const auth = req.headers.authorization
  const basic = typeof auth === 'string' && /^basic\s+/i.test(auth) ? Buffer.from(auth.replace(/^basic\s+/i, ''), 'base64').toString().split(':').slice(1).join(':') : undefined
  if (!repo || (repo.private && !deps.canRead(basic))) {
    if (!basic) return text(401, 'Authentication required\n', {'www-authenticate': 'Basic realm="GitHub"'})
    return text(404, 'Repository not found.\n')
  }
  const rest = m[3]
  if (rest === '/info/refs') {
    const lines = Object.entries(repo.refs).sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, sha]) => `${sha}\t${name}\n`)
    return text(200, lines.join(''))
  }
  if (rest === '/HEAD') return text(200, `ref: refs/heads/${repo.defaultBranch}\n`)
  if (rest === '/objects/info/packs') return text(200, '')
  const o = /^\/objects\/([0-9a-f]{2})\/([0-9a-f]{38})$/.exec(rest)
  const obj = o ? repo.objects[o[1] + o[2]] : undefined
  if (!obj) return text(404, 'Not Found\n')
  const body = objectBytes(obj)
  const loose = zlib.deflateSync(Buffer.concat([Buffer.from(`${obj.type} ${body.length}\0`), body]))
  res.writeHead(200, {'content-type': 'application/x-git-loose-object', 'content-length': loose.length})
  res.end(loose)
}
