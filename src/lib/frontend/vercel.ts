/**
 * The frontend on Vercel: a deploy is a production deployment made of files identified by
 * their SHA-1. Vercel keeps every file it was sent; creating the deployment answers
 * `missing_files` with the ones it lacks, and only those are uploaded. The deployment's meta
 * records who deployed which source commit and a content hash of the file set: a redeploy of
 * the same files as the current production deployment makes nothing. Versions are the
 * project's production deployments; a rollback is Vercel's instant rollback to one of them
 * (production domains move back; nothing is rebuilt, nothing is deleted).
 */
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import pLimit from 'p-limit'
import {OperationError, UsageError} from '../errors.js'
import {scanDir, sourceCommit, type DeployOptions, type DeployResult, type LocalFile} from './deploy.js'
import type {VercelDeploymentInfo, VercelPort, VercelProjectInfo} from './ports.js'
import {parseVercelMeta, vercelContentHash, vercelMeta} from './vercel-meta.js'
import {nearest, type RollbackPlan, type VersionRow, type VersionsResult} from './versions.js'

export interface VercelVersion extends VersionRow {
  url: string
  /** Content hash recorded by impress (absent for deployments made by other tools). */
  contentHash?: string
}

const sha1 = (content: Buffer) => createHash('sha1').update(content).digest('hex')

export async function runVercelDeploy(options: DeployOptions, deps: {port: VercelPort; onProgress?: (line: string) => void}): Promise<DeployResult> {
  const t0 = performance.now()
  const {port} = deps
  const [local, project, source] = await Promise.all([scanDir(options.dir, sha1), port.project(), sourceCommit(options.dir)])
  const hash = vercelContentHash(local.map((f) => ({file: f.path, sha: f.sha})))
  const current = project.productionId ? await port.deployment(project.productionId) : undefined
  const bytes = local.reduce((n, f) => n + f.size, 0)
  const noop = current !== undefined && parseVercelMeta(current.meta)?.contentHash === hash
  const base = {target: port.describe, dir: options.dir, head: project.productionId, files: local.length, bytes, remove: [] as string[], dryRun: options.dryRun}
  const done = (extra: Partial<DeployResult> & {upload: LocalFile[]}): DeployResult => {
    const {upload, ...rest} = extra
    return {...base, upload: upload.map((f) => ({path: f.path, size: f.size})), unchanged: local.length - upload.length, uploadBytes: upload.reduce((n, f) => n + f.size, 0), noop, uploaded: 0, durationMs: Math.round(performance.now() - t0), ...rest}
  }
  // Which files Vercel lacks is known only by asking with a deployment: a dry run lists none.
  if (noop || options.dryRun) return done({upload: []})

  const subject = options.message ?? `Deploy ${source ? source.slice(0, 7) : path.basename(path.resolve(options.dir))}: ${local.length} file(s)`
  const meta = vercelMeta({deployedBy: options.deployedBy, sourceCommit: source, contentHash: hash, files: local.length, bytes, subject})
  const request = {name: project.name, projectId: project.id, files: local.map((f) => ({file: f.path, sha: f.sha, size: f.size})), meta}
  let result = await port.createDeployment(request)
  let uploadedFiles: LocalFile[] = []
  let uploaded = 0
  if (!result.ok) {
    const bySha = new Map(local.map((f) => [f.sha, f]))
    const missing = result.missing.map((sha) => bySha.get(sha)).filter((f): f is LocalFile => f !== undefined)
    if (missing.length !== result.missing.length) throw new OperationError('Vercel asked for files this deploy did not list.', {hint: 'Run the deploy again; report it if it persists.'})
    const limit = pLimit(options.concurrency ?? 8)
    await Promise.all(
      missing.map((f) =>
        limit(async () => {
          const content = await fs.promises.readFile(f.abs)
          if (sha1(content) !== f.sha) throw new UsageError(`${f.path} changed while it was being deployed.`, {hint: 'Let the build finish, then deploy again.'})
          await port.uploadFile(f.sha, content)
          uploaded++
          if (uploaded % 100 === 0) deps.onProgress?.(`uploaded ${uploaded}/${missing.length} files`)
        }),
      ),
    )
    uploadedFiles = missing
    result = await port.createDeployment(request)
    if (!result.ok) throw new OperationError(`Vercel still lacks ${result.missing.length} file(s) after they were uploaded.`, {hint: 'Run the deploy again.'})
  }
  // After an instant rollback Vercel stops assigning the production domains to new deployments until one is promoted.
  const after = await port.project()
  let promoted = false
  if (after.productionId !== result.deployment.id) {
    await port.promote(project.id, result.deployment.id)
    promoted = true
  }
  return {...done({upload: uploadedFiles, version: result.deployment.id, url: result.deployment.url, uploaded}), message: subject, ...(promoted ? {promoted} : {})}
}

function toVersion(d: VercelDeploymentInfo, current: string | null): VercelVersion {
  const r = parseVercelMeta(d.meta)
  return {
    id: d.id,
    url: d.url,
    kind: 'deploy',
    subject: r?.subject || d.meta.githubCommitMessage || '',
    deployedBy: r?.deployedBy ?? d.creator,
    author: d.creator,
    date: new Date(d.createdAt).toISOString(),
    ...(r?.sourceCommit ? {sourceCommit: r.sourceCommit} : d.meta.githubCommitSha ? {sourceCommit: d.meta.githubCommitSha} : {}),
    files: r?.files ?? 0,
    bytes: r?.bytes ?? 0,
    current: d.id === current,
    ...(r?.contentHash ? {contentHash: r.contentHash} : {}),
  }
}

async function versionsOf(port: VercelPort, limit: number): Promise<{project: VercelProjectInfo; result: VersionsResult<VercelVersion>}> {
  const project = await port.project()
  const deployments = await port.productionDeployments(project.id, limit)
  return {project, result: {target: port.describe, head: project.productionId, versions: deployments.map((d) => toVersion(d, project.productionId)), otherCommits: 0}}
}

export async function listVercelVersions(options: {limit: number}, deps: {port: VercelPort}): Promise<VersionsResult<VercelVersion>> {
  return (await versionsOf(deps.port, options.limit)).result
}

export async function planVercelRollback(options: {to?: string; limit: number}, deps: {port: VercelPort}): Promise<RollbackPlan<VercelVersion> & {projectId: string}> {
  const {project, result} = await versionsOf(deps.port, options.limit)
  const {versions, head} = result
  const describe = deps.port.describe
  if (!head || versions.length === 0) throw new UsageError(`${describe} has no production deployment to roll back to.`, {hint: 'Deploy first: `impress frontend deploy`.'})
  const current = versions.find((v) => v.current)
  let to: VercelVersion | undefined
  if (options.to) {
    const want = options.to.replace(/^https?:\/\//, '').replace(/\/+$/, '')
    const matches = versions.filter((v) => v.id === want || v.url === want || (want.length >= 8 && v.id.startsWith(want)))
    if (matches.length > 1) throw new UsageError(`--to ${options.to} is ambiguous: ${matches.map((v) => v.id).join(', ')}.`, {hint: 'Give the whole deployment id.'})
    to = matches[0]
    if (!to) {
      const near = nearest(want, versions)
      throw new UsageError(`${options.to} is not a production deployment of ${describe}. Nearest: ${near.map((v) => `${v.id} (${v.date.slice(0, 10)}, ${v.subject || v.url})`).join('; ')}.`, {
        hint: 'Pick one of the deployments listed by `impress frontend versions`.',
        details: {nearest: near.map((v) => ({id: v.id, date: v.date, subject: v.subject}))},
      })
    }
  } else {
    // The newest production deployment older than the one served, with different files.
    to = versions.find((v) => !v.current && (!current || Date.parse(v.date) < Date.parse(current.date)) && (!v.contentHash || v.contentHash !== current?.contentHash))
    if (!to) throw new UsageError(`${describe} has no earlier production deployment with different files.`, {hint: 'Nothing to roll back to.'})
  }
  return {target: describe, head, to, noop: to.id === head, projectId: project.id}
}

export async function applyVercelRollback(plan: RollbackPlan<VercelVersion> & {projectId: string}, options: {deployedBy: string}, deps: {port: VercelPort}): Promise<{version: string}> {
  await deps.port.rollback(plan.projectId, plan.to.id, `impress frontend rollback by ${options.deployedBy} (from ${plan.head})`)
  return {version: plan.to.id}
}
