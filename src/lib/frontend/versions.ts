/**
 * `impress frontend versions` and `impress frontend rollback`: the deploy branch's history
 * read as versions (commits carrying the Impress-Deploy trailer), and a rollback that adds a
 * new commit restoring an earlier version's tree on top of the current head. The branch only
 * moves forward: every version stays in its history, and a rollback can itself be undone.
 */
import {UsageError} from '../errors.js'
import {deployMessage, parseDeployMessage} from './message.js'
import type {CommitInfo, DeployTarget} from './ports.js'

/** What every host's versions have in common (the table of `frontend versions`, the rollback plan). */
export interface VersionRow {
  /** GitHub: the commit; Vercel: the deployment id. */
  id: string
  kind: 'deploy' | 'rollback'
  subject: string
  deployedBy: string
  /** The host's identity that made it (commit author, Vercel creator). */
  author: string
  date: string
  sourceCommit?: string
  restores?: string
  files: number
  bytes: number
  current: boolean
}

/** A deploy commit of the GitHub Pages branch (id = sha; author = the GitHub identity that made the commit). */
export interface FrontendVersion extends VersionRow {
  sha: string
  tree: string
}

export interface VersionsResult<V extends VersionRow = FrontendVersion> {
  target: string
  head: string | null
  versions: V[]
  /** Commits on the branch not made by impress (pushed by hand, …). */
  otherCommits: number
}

export async function listVersions(options: {limit: number}, deps: {target: DeployTarget}): Promise<VersionsResult> {
  const commits = await deps.target.history(options.limit)
  const head = commits[0]?.sha ?? null
  const sizes = new Map<string, Promise<{files: number; bytes: number}>>()
  const size = (tree: string) => {
    let p = sizes.get(tree)
    if (!p) {
      p = deps.target.files(tree).then((m) => ({files: m.size, bytes: [...m.values()].reduce((n, f) => n + f.size, 0)}))
      sizes.set(tree, p)
    }
    return p
  }
  const versions: FrontendVersion[] = []
  let other = 0
  for (const c of commits) {
    const r = parseDeployMessage(c.message)
    if (!r) {
      other++
      continue
    }
    versions.push({id: c.sha, sha: c.sha, kind: r.kind, subject: r.subject, deployedBy: r.deployedBy, author: `${c.author.name} <${c.author.email}>`, date: c.committer.date, ...(r.sourceCommit ? {sourceCommit: r.sourceCommit} : {}), ...(r.restores ? {restores: r.restores} : {}), tree: c.tree, files: 0, bytes: 0, current: c.sha === head})
  }
  await Promise.all(versions.map(async (v) => Object.assign(v, await size(v.tree))))
  return {target: deps.target.describe, head, versions, otherCommits: other}
}

export interface RollbackPlan<V extends VersionRow = FrontendVersion> {
  target: string
  head: string
  to: V
  /** The head already serves that version's files. */
  noop: boolean
}

/** Versions closest to a mistyped or foreign id: longest common prefix first, then newest. */
export function nearest<V extends VersionRow>(id: string, versions: V[], n = 5): V[] {
  const common = (other: string) => {
    let i = 0
    while (i < id.length && i < other.length && id[i].toLowerCase() === other[i].toLowerCase()) i++
    return i
  }
  return [...versions].sort((a, b) => common(b.id) - common(a.id) || Date.parse(b.date) - Date.parse(a.date)).slice(0, n)
}

export async function planFrontendRollback(options: {to?: string; limit: number}, deps: {target: DeployTarget}): Promise<RollbackPlan> {
  const {versions, head} = await listVersions({limit: options.limit}, deps)
  if (!head || versions.length === 0) throw new UsageError(`${deps.target.describe} has no deployed version to roll back to.`, {hint: 'Deploy first: `impress frontend deploy`.'})
  const headTree = versions.find((v) => v.current)?.tree
  let to: FrontendVersion | undefined
  if (options.to) {
    const id = options.to.toLowerCase()
    if (!/^[0-9a-f]{4,40}$/.test(id)) throw new UsageError(`--to ${options.to} is not a commit id.`, {hint: 'Pass a commit id (at least 4 hex digits) from `impress frontend versions`.'})
    const matches = versions.filter((v) => v.sha.startsWith(id))
    if (matches.length > 1) throw new UsageError(`--to ${options.to} is ambiguous: ${matches.map((v) => v.sha.slice(0, 10)).join(', ')}.`, {hint: 'Give more digits of the commit id.'})
    to = matches[0]
    if (!to) {
      const near = nearest(id, versions)
      throw new UsageError(`${options.to} is not a deployed version of ${deps.target.describe}. Nearest: ${near.map((v) => `${v.sha.slice(0, 10)} (${v.date.slice(0, 10)}, ${v.subject})`).join('; ')}.`, {
        hint: 'Pick one of the versions listed by `impress frontend versions`.',
        details: {nearest: near.map((v) => ({sha: v.sha, date: v.date, subject: v.subject}))},
      })
    }
  } else {
    // The newest version whose files differ from what is served now.
    to = versions.find((v) => !v.current && v.tree !== headTree)
    if (!to) throw new UsageError(`${deps.target.describe} has no earlier version with different files.`, {hint: 'Nothing to roll back to.'})
  }
  return {target: deps.target.describe, head, to, noop: to.tree === headTree}
}

export async function applyFrontendRollback(plan: RollbackPlan, options: {deployedBy: string}, deps: {target: DeployTarget}): Promise<CommitInfo> {
  const subject = `Roll back to ${plan.to.sha.slice(0, 7)} (${plan.to.subject})`
  const message = deployMessage(subject, {kind: 'rollback', deployedBy: options.deployedBy, sourceCommit: plan.to.sourceCommit, restores: plan.to.sha})
  const commit = await deps.target.createCommit(message, plan.to.tree, [plan.head])
  await deps.target.moveBranch(commit.sha, plan.head)
  return commit
}
