/** What the frontend capability needs from a hosting provider (GitHub: platform/github/git-data.ts). */

export interface RemoteFile {
  sha: string
  mode: string
  size: number
}

export interface CommitInfo {
  sha: string
  tree: string
  parents: string[]
  message: string
  author: {name: string; email: string; date: string}
  committer: {name: string; email: string; date: string}
}

export interface TreeChange {
  path: string
  mode: string
  /** null removes the path. */
  sha: string | null
}

export interface DeployTarget {
  /** owner/name@branch, for messages. */
  readonly describe: string
  /** The branch's head commit, or null when the branch does not exist yet. */
  head(): Promise<CommitInfo | null>
  /** Every file of a tree by path. */
  files(treeSha: string): Promise<Map<string, RemoteFile>>
  /** Upload one blob; returns git's id of it. */
  uploadBlob(content: Buffer): Promise<string>
  createTree(baseTree: string | undefined, changes: TreeChange[]): Promise<string>
  createCommit(message: string, tree: string, parents: string[]): Promise<CommitInfo>
  /**
   * Point the branch at `sha`, which must descend from `previous` (the head the commit was
   * built on): never a forced move. Throws DeployRaceError when the branch moved meanwhile.
   */
  moveBranch(sha: string, previous: string | null): Promise<void>
  /** The branch's commits, newest first, at most `limit`. */
  history(limit: number): Promise<CommitInfo[]>
}

export interface PagesSite {
  repo: string
  cname: string | null
  httpsEnforced: boolean
  /** The certificate GitHub holds for the custom domain: approved, pending, … */
  certificateState?: string
}

export interface PagesPort {
  /** The repository's Pages site, or null when Pages is not enabled. */
  site(): Promise<PagesSite | null>
}

/** Vercel (platform/vercel/deployments.ts): a project's production deployments made of uploaded files. */
export interface VercelFileRef {
  file: string
  /** SHA-1 of the content (Vercel's file id). */
  sha: string
  size: number
}

export interface VercelDeploymentInfo {
  id: string
  url: string
  createdAt: number
  target: string | null
  meta: Record<string, string>
  /** Username (or e-mail) of the Vercel account that created it. */
  creator: string
}

export interface VercelProjectInfo {
  id: string
  name: string
  /** The deployment the production domains serve. */
  productionId: string | null
}

export type VercelCreateResult = {ok: true; deployment: VercelDeploymentInfo} | {ok: false; missing: string[]}

export interface VercelPort {
  /** vercel:project (team …), for messages. */
  readonly describe: string
  project(): Promise<VercelProjectInfo>
  /** Production deployments, newest first, at most `limit`. */
  productionDeployments(projectId: string, limit: number): Promise<VercelDeploymentInfo[]>
  deployment(id: string): Promise<VercelDeploymentInfo>
  uploadFile(sha: string, content: Buffer): Promise<void>
  /** A production deployment of those files, or the SHA-1s Vercel does not have yet. */
  createDeployment(input: {name: string; projectId: string; files: VercelFileRef[]; meta: Record<string, string>}): Promise<VercelCreateResult>
  /** Point the production domains at a deployment (and resume auto-assignment after a rollback). */
  promote(projectId: string, deploymentId: string): Promise<void>
  /** Instant rollback to a previous production deployment. */
  rollback(projectId: string, deploymentId: string, description: string): Promise<void>
}
