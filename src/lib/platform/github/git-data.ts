/**
 * GitHub adapter for frontend deploys over @octokit/rest: the git data API (blobs, trees with
 * base_tree, commits, refs), the branch history (list commits, Link pagination) and the Pages
 * site. The ref moves only by fast-forward (`force: false`): GitHub answers 422 "Update is
 * not a fast forward" when the branch moved since the commit was built, which becomes a
 * DeployRaceError (exit 4), so two racing deploys cannot lose one.
 */
import {DeployRaceError} from '../../frontend/errors.js'
import type {CommitInfo, DeployTarget, PagesPort, PagesSite, RemoteFile, TreeChange} from '../../frontend/ports.js'
import {OperationError} from '../../errors.js'
import {withRateLimitRetry} from './retry.js'

export interface GitDataOptions {
  token: string
  /** owner/name */
  repo: string
  branch: string
  baseUrl?: string
  pageSize?: number
  timeScale?: number
}

type OctokitT = InstanceType<typeof import('@octokit/rest').Octokit>
type Status = {status?: number; message?: string}

export class GithubGitData implements DeployTarget, PagesPort {
  private client?: Promise<OctokitT>
  private readonly owner: string
  private readonly repo: string

  constructor(private readonly options: GitDataOptions) {
    ;[this.owner, this.repo] = options.repo.split('/')
  }

  get describe(): string {
    return `${this.options.repo}@${this.options.branch}`
  }

  private octokit(): Promise<OctokitT> {
    this.client ??= (async () => {
      const {Octokit} = await import('@octokit/rest')
      const o = new Octokit({auth: this.options.token, baseUrl: this.options.baseUrl, userAgent: 'impress-ops', log: {debug() {}, info() {}, warn() {}, error() {}}})
      const policy = {maxRetries: 3, timeScale: this.options.timeScale ?? 1}
      o.hook.wrap('request', (request, opts) => withRateLimitRetry(policy, async () => request(opts)))
      return o
    })()
    return this.client
  }

  private get r() {
    return {owner: this.owner, repo: this.repo}
  }

  async head(): Promise<CommitInfo | null> {
    const o = await this.octokit()
    try {
      const ref = await o.rest.git.getRef({...this.r, ref: `heads/${this.options.branch}`})
      return await this.commit(ref.data.object.sha)
    } catch (error) {
      if ((error as Status).status === 404) {
        // The branch is missing, or the repository is (or the token cannot see it).
        await o.rest.repos.get(this.r).catch((e: Status) => {
          if (e.status === 404) throw new OperationError(`The repository ${this.options.repo} does not exist or the token cannot see it.`, {code: 'E_NO_REPO', hint: 'Check frontend.repo and that the token has access to it (contents: write).', cause: e})
          throw e
        })
        return null
      }
      throw error
    }
  }

  private async commit(sha: string): Promise<CommitInfo> {
    const o = await this.octokit()
    const c = (await o.rest.git.getCommit({...this.r, commit_sha: sha})).data
    return {sha: c.sha, tree: c.tree.sha, parents: c.parents.map((p) => p.sha), message: c.message, author: c.author, committer: c.committer}
  }

  async files(treeSha: string): Promise<Map<string, RemoteFile>> {
    const o = await this.octokit()
    const t = (await o.rest.git.getTree({...this.r, tree_sha: treeSha, recursive: 'true'})).data
    if (t.truncated) throw new OperationError(`The tree of ${this.describe} is too large for one recursive listing (GitHub truncated it).`, {code: 'E_TREE_TRUNCATED', hint: 'Deploy fewer files (GitHub lists at most 100,000 entries / 7 MB per tree).'})
    const out = new Map<string, RemoteFile>()
    for (const e of t.tree) if (e.type === 'blob' && e.path && e.sha) out.set(e.path, {sha: e.sha, mode: e.mode ?? '100644', size: e.size ?? 0})
    return out
  }

  async uploadBlob(content: Buffer): Promise<string> {
    const o = await this.octokit()
    return (await o.rest.git.createBlob({...this.r, content: content.toString('base64'), encoding: 'base64'})).data.sha
  }

  async createTree(baseTree: string | undefined, changes: TreeChange[]): Promise<string> {
    const o = await this.octokit()
    const tree = changes.map((c) => ({path: c.path, mode: c.mode as '100644', type: 'blob' as const, sha: c.sha}))
    return (await o.rest.git.createTree({...this.r, tree, ...(baseTree ? {base_tree: baseTree} : {})})).data.sha
  }

  async createCommit(message: string, tree: string, parents: string[]): Promise<CommitInfo> {
    const o = await this.octokit()
    const c = (await o.rest.git.createCommit({...this.r, message, tree, parents})).data
    return {sha: c.sha, tree: c.tree.sha, parents: c.parents.map((p) => p.sha), message: c.message, author: c.author, committer: c.committer}
  }

  async moveBranch(sha: string, previous: string | null): Promise<void> {
    const o = await this.octokit()
    const ref = `heads/${this.options.branch}`
    try {
      if (previous === null) await o.rest.git.createRef({...this.r, ref: `refs/${ref}`, sha})
      else await o.rest.git.updateRef({...this.r, ref, sha, force: false})
    } catch (error) {
      const e = error as Status
      // 422: not a fast forward (update), or the branch appeared meanwhile (create).
      if (e.status === 422 && /fast forward|already exists/i.test(e.message ?? '')) throw new DeployRaceError(this.options.branch, previous, {cause: error})
      throw error
    }
  }

  async history(limit: number): Promise<CommitInfo[]> {
    const o = await this.octokit()
    const out: CommitInfo[] = []
    const per_page = this.options.pageSize ?? 100
    try {
      for await (const page of o.paginate.iterator(o.rest.repos.listCommits, {...this.r, sha: this.options.branch, per_page})) {
        for (const c of page.data) {
          out.push({sha: c.sha, tree: c.commit.tree.sha, parents: c.parents.map((p) => p.sha), message: c.commit.message, author: c.commit.author as CommitInfo['author'], committer: c.commit.committer as CommitInfo['committer']})
          if (out.length >= limit) return out
        }
      }
    } catch (error) {
      if ((error as Status).status === 404) return out
      throw error
    }
    return out
  }

  async site(): Promise<PagesSite | null> {
    const o = await this.octokit()
    try {
      const p = (await o.rest.repos.getPages(this.r)).data
      return {repo: this.options.repo, cname: p.cname, httpsEnforced: Boolean(p.https_enforced), certificateState: p.https_certificate?.state}
    } catch (error) {
      if ((error as Status).status === 404) return null
      throw error
    }
  }
}
