/**
 * A git object store for the sandbox's repositories: blobs, trees and commits kept under
 * git's own object ids (SHA-1 of the canonical encoding), so `git hash-object`, `git mktree`
 * and `git commit-tree` compute the same ids as the sandbox. Refs are names → commit ids.
 */
import {gitObjectSha} from '../../../frontend/git-hash.js'

export const TREE_MODES = ['100644', '100755', '040000', '160000', '120000'] as const
export type TreeMode = (typeof TREE_MODES)[number]

export interface GitPerson {
  name: string
  email: string
  /** ISO 8601, UTC (e.g. 2026-11-30T10:00:00Z). */
  date: string
}

export interface TreeEntry {
  name: string
  mode: TreeMode
  type: 'blob' | 'tree' | 'commit'
  sha: string
}

export type GitObject =
  | {type: 'blob'; content: string; size: number}
  | {type: 'tree'; entries: TreeEntry[]}
  | {type: 'commit'; tree: string; parents: string[]; author: GitPerson; committer: GitPerson; message: string}

export interface PagesSite {
  cname: string | null
  httpsEnforced: boolean
  source: {branch: string; path: '/' | '/docs'}
  public: boolean
}

export interface GitRepo {
  owner: string
  name: string
  private: boolean
  defaultBranch: string
  objects: Record<string, GitObject>
  /** Full ref names (refs/heads/main) → commit ids. */
  refs: Record<string, string>
  pages?: PagesSite
}

export interface ReposState {
  repos: GitRepo[]
}

export function putBlob(repo: GitRepo, content: Buffer): string {
  const sha = gitObjectSha('blob', content)
  repo.objects[sha] ??= {type: 'blob', content: content.toString('base64'), size: content.length}
  return sha
}

/** Git sorts tree entries by name, comparing a subtree's name as if it ended in "/". */
function sortKey(e: TreeEntry): string {
  return e.type === 'tree' ? `${e.name}/` : e.name
}

function sortEntries(entries: TreeEntry[]): TreeEntry[] {
  return [...entries].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0))
}

/** The canonical bytes of an object (what its id hashes, after the `type len\0` header). */
export function objectBytes(o: GitObject): Buffer {
  if (o.type === 'blob') return Buffer.from(o.content, 'base64')
  if (o.type === 'tree') return Buffer.concat(sortEntries(o.entries).map((e) => Buffer.concat([Buffer.from(`${e.mode === '040000' ? '40000' : e.mode} ${e.name}\0`), Buffer.from(e.sha, 'hex')])))
  return Buffer.from([`tree ${o.tree}`, ...o.parents.map((p) => `parent ${p}`), `author ${personLine(o.author)}`, `committer ${personLine(o.committer)}`, '', o.message].join('\n'))
}

export function putTree(repo: GitRepo, entries: TreeEntry[]): string {
  const tree: GitObject = {type: 'tree', entries: sortEntries(entries)}
  const sha = gitObjectSha('tree', objectBytes(tree))
  repo.objects[sha] ??= tree
  return sha
}

function personLine(p: GitPerson): string {
  return `${p.name} <${p.email}> ${Math.floor(Date.parse(p.date) / 1000)} +0000`
}

export function putCommit(repo: GitRepo, c: {tree: string; parents: string[]; author: GitPerson; committer: GitPerson; message: string}): string {
  const commit: GitObject = {type: 'commit', ...c}
  const sha = gitObjectSha('commit', objectBytes(commit))
  repo.objects[sha] ??= commit
  return sha
}

export interface FlatEntry {
  mode: TreeMode
  type: 'blob' | 'commit'
  sha: string
}

/** Every file of a tree, by full path (submodule entries included as type commit). */
export function flattenTree(repo: GitRepo, treeSha: string, prefix = '', out = new Map<string, FlatEntry>()): Map<string, FlatEntry> {
  const tree = repo.objects[treeSha]
  if (tree?.type !== 'tree') throw new Error(`not a tree: ${treeSha}`)
  for (const e of tree.entries) {
    const p = `${prefix}${e.name}`
    if (e.type === 'tree') flattenTree(repo, e.sha, `${p}/`, out)
    else out.set(p, {mode: e.mode, type: e.type, sha: e.sha})
  }
  return out
}

/** Build (and store) the nested trees of a flat path map; returns the root tree's id. */
export function buildTree(repo: GitRepo, files: Map<string, FlatEntry>): string {
  const here: TreeEntry[] = []
  const dirs = new Map<string, Map<string, FlatEntry>>()
  for (const [p, e] of files) {
    const slash = p.indexOf('/')
    if (slash < 0) {
      here.push({name: p, ...e})
      continue
    }
    const dir = p.slice(0, slash)
    let sub = dirs.get(dir)
    if (!sub) dirs.set(dir, (sub = new Map()))
    sub.set(p.slice(slash + 1), e)
  }
  for (const [dir, sub] of dirs) here.push({name: dir, mode: '040000', type: 'tree', sha: buildTree(repo, sub)})
  return putTree(repo, here)
}

/** Pre-order walk like `git ls-tree -r -t`: trees and blobs with their full paths. */
export function walkTree(repo: GitRepo, treeSha: string, prefix = ''): {path: string; entry: TreeEntry}[] {
  const tree = repo.objects[treeSha]
  if (tree?.type !== 'tree') return []
  const out: {path: string; entry: TreeEntry}[] = []
  for (const e of tree.entries) {
    const p = `${prefix}${e.name}`
    out.push({path: p, entry: e})
    if (e.type === 'tree') out.push(...walkTree(repo, e.sha, `${p}/`))
  }
  return out
}

/** Is `ancestor` reachable from `descendant` through parents (or the same commit)? */
export function isAncestor(repo: GitRepo, ancestor: string, descendant: string): boolean {
  const seen = new Set<string>()
  const stack = [descendant]
  while (stack.length > 0) {
    const sha = stack.pop()!
    if (sha === ancestor) return true
    if (seen.has(sha)) continue
    seen.add(sha)
    const o = repo.objects[sha]
    if (o?.type === 'commit') stack.push(...o.parents)
  }
  return false
}

/** Commits reachable from `head`, newest committer date first (GitHub's list-commits order). */
export function history(repo: GitRepo, head: string): string[] {
  const seen = new Set<string>()
  const stack = [head]
  while (stack.length > 0) {
    const sha = stack.pop()!
    if (seen.has(sha)) continue
    const o = repo.objects[sha]
    if (o?.type !== 'commit') continue
    seen.add(sha)
    stack.push(...o.parents)
  }
  const order = [...seen]
  const date = (sha: string) => Date.parse((repo.objects[sha] as {committer: GitPerson}).committer.date)
  const depth = new Map(order.map((s, i) => [s, i]))
  return order.sort((a, b) => date(b) - date(a) || depth.get(a)! - depth.get(b)!)
}
