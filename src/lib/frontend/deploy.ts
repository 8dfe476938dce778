/**
 * `impress frontend deploy`: publish a directory of built files as one commit on the deploy
 * branch. Each file's git blob id is computed locally and compared with the branch's current
 * tree: only files whose id differs are uploaded; the new tree is the current one plus those
 * changes (base_tree) minus the files that are gone; nothing changed = no commit. The branch
 * moves by fast-forward only, from the head the commit was built on (see ports.ts).
 */
import {execFile} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'
import pLimit from 'p-limit'
import {UsageError} from '../errors.js'
import {gitBlobSha} from './git-hash.js'
import {deployMessage} from './message.js'
import type {CommitInfo, DeployTarget, TreeChange} from './ports.js'

export interface LocalFile {
  path: string
  abs: string
  sha: string
  size: number
  mode: '100644' | '100755'
}

/** Every regular file under dir (symlinks followed; .git skipped), with its id (git's blob id by default; Vercel: plain SHA-1). */
export async function scanDir(dir: string, hash: (content: Buffer) => string = gitBlobSha): Promise<LocalFile[]> {
  let stat: fs.Stats
  try {
    stat = fs.statSync(dir)
  } catch {
    throw new UsageError(`The directory to deploy, ${dir}, does not exist.`, {hint: 'Build the frontend first, or pass --dir (frontend.dir in the configuration).'})
  }
  if (!stat.isDirectory()) throw new UsageError(`${dir} is not a directory.`, {hint: 'Pass --dir with the build output directory.'})
  const out: LocalFile[] = []
  const limit = pLimit(16)
  const walk = (rel: string): Promise<void>[] =>
    fs.readdirSync(path.join(dir, rel), {withFileTypes: true}).flatMap((d) => {
      if (d.name === '.git') return []
      const r = rel ? `${rel}/${d.name}` : d.name
      const abs = path.join(dir, r)
      const st = fs.statSync(abs)
      if (st.isDirectory()) return walk(r)
      if (!st.isFile()) return []
      return [
        limit(async () => {
          const content = await fs.promises.readFile(abs)
          out.push({path: r, abs, sha: hash(content), size: content.length, mode: st.mode & 0o111 ? '100755' : '100644'})
        }),
      ]
    })
  await Promise.all(walk(''))
  if (out.length === 0) throw new UsageError(`${dir} holds no files to deploy.`, {hint: 'Build the frontend first.'})
  return out.sort((a, b) => (a.path < b.path ? -1 : 1))
}

/** HEAD of the git repository holding dir, if any. */
export async function sourceCommit(dir: string): Promise<string | undefined> {
  try {
    const {stdout} = await promisify(execFile)('git', ['-C', dir, 'rev-parse', 'HEAD'], {timeout: 10_000})
    const sha = stdout.trim()
    return /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined
  } catch {
    return undefined
  }
}

export interface DeployPlan {
  target: string
  dir: string
  head: string | null
  files: number
  bytes: number
  upload: {path: string; size: number}[]
  remove: string[]
  unchanged: number
  uploadBytes: number
  noop: boolean
}

export interface DeployResult extends DeployPlan {
  dryRun: boolean
  /** The new version's id (GitHub: the commit; Vercel: the deployment). */
  version?: string
  /** Vercel: the deployment's own URL. */
  url?: string
  /** Vercel: the new deployment had to be promoted (production domains paused by an earlier rollback). */
  promoted?: boolean
  commit?: string
  message?: string
  /** Files (GitHub: blobs) uploaded. */
  uploaded: number
  /** GitHub: blobs uploaded (= uploaded). */
  blobsUploaded?: number
  durationMs: number
}

export interface DeployOptions {
  dir: string
  message?: string
  dryRun: boolean
  deployedBy: string
  /** Blob uploads in flight at once. */
  concurrency?: number
}

export async function planDeploy(local: LocalFile[], head: CommitInfo | null, target: DeployTarget, dir: string): Promise<DeployPlan & {changes: TreeChange[]}> {
  const remote = head ? await target.files(head.tree) : new Map()
  const here = new Set(local.map((f) => f.path))
  const changed = local.filter((f) => remote.get(f.path)?.sha !== f.sha || remote.get(f.path)?.mode !== f.mode)
  const remove = [...remote.keys()].filter((p) => !here.has(p)).sort()
  const changes: TreeChange[] = [...changed.map((f) => ({path: f.path, mode: f.mode, sha: f.sha})), ...remove.map((p) => ({path: p, mode: remote.get(p)!.mode, sha: null}))]
  return {
    target: target.describe,
    dir,
    head: head?.sha ?? null,
    files: local.length,
    bytes: local.reduce((n, f) => n + f.size, 0),
    upload: changed.map((f) => ({path: f.path, size: f.size})),
    remove,
    unchanged: local.length - changed.length,
    uploadBytes: changed.reduce((n, f) => n + f.size, 0),
    noop: changes.length === 0 && head !== null,
    changes,
  }
}

export async function runDeploy(options: DeployOptions, deps: {target: DeployTarget; onProgress?: (line: string) => void}): Promise<DeployResult> {
  const t0 = performance.now()
  const {target} = deps
  const [local, head, source] = await Promise.all([scanDir(options.dir), target.head(), sourceCommit(options.dir)])
  const {changes, ...plan} = await planDeploy(local, head, target, options.dir)
  const done = (extra: Partial<DeployResult>): DeployResult => ({...plan, dryRun: options.dryRun, uploaded: 0, durationMs: Math.round(performance.now() - t0), ...extra})
  if (plan.noop || options.dryRun) return done({blobsUploaded: 0})

  // Upload only blobs whose content the branch does not have (several files may share one).
  const byPath = new Map(local.map((f) => [f.path, f]))
  const needed = new Map<string, LocalFile>()
  for (const c of changes) if (c.sha && !needed.has(c.sha)) needed.set(c.sha, byPath.get(c.path)!)
  const limit = pLimit(options.concurrency ?? 8)
  let uploaded = 0
  await Promise.all(
    [...needed.values()].map((f) =>
      limit(async () => {
        const sha = await target.uploadBlob(await fs.promises.readFile(f.abs))
        // The id names the content: a different answer means the file changed while deploying.
        if (sha !== f.sha) throw new UsageError(`${f.path} changed while it was being deployed.`, {hint: 'Let the build finish, then deploy again.'})
        uploaded++
        if (uploaded % 100 === 0) deps.onProgress?.(`uploaded ${uploaded}/${needed.size} blobs`)
      }),
    ),
  )
  const tree = await target.createTree(head?.tree, changes)
  const short = source ? source.slice(0, 7) : path.basename(path.resolve(options.dir))
  const subject = options.message ?? `Deploy ${short}: ${plan.upload.length} file(s) changed, ${plan.remove.length} removed`
  const message = deployMessage(subject, {kind: 'deploy', deployedBy: options.deployedBy, sourceCommit: source})
  const commit = await target.createCommit(message, tree, head ? [head.sha] : [])
  await target.moveBranch(commit.sha, head?.sha ?? null)
  return done({version: commit.sha, commit: commit.sha, message, uploaded, blobsUploaded: uploaded})
}
