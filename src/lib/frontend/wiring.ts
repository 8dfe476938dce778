/**
 * Build the frontend's hosting adapters for an environment: GitHub (git data + Pages) or
 * Vercel, in the cloud or in the sandbox (mounted under /github and /vercel, with their demo
 * tokens). The context (`ctx.frontendHost()`) picks one by frontend.host.
 */
import os from 'node:os'
import path from 'node:path'
import {resolveSecret} from '../config/secret-ref.js'
import type {Context} from '../context.js'
import {ConfigError} from '../errors.js'
import type {DeployTarget, PagesPort, VercelPort} from './ports.js'

const SANDBOX_GITHUB_TOKEN = 'ghp_sandboxowner'
const SANDBOX_VERCEL_TOKEN = 'vercel-sandbox-token'

export function frontendSection(ctx: Context) {
  const f = ctx.env.config.frontend
  if (!f) throw new ConfigError(`Environment "${ctx.env.name}" has no frontend section.`, {hint: 'Add environments.<env>.frontend with `repo: owner/name` (GitHub Pages) or `host: vercel` and `vercel: {project}`.'})
  return f
}

export async function frontendTarget(ctx: Context): Promise<DeployTarget & PagesPort> {
  const f = frontendSection(ctx)
  if (!f.repo) throw new ConfigError(`environments.${ctx.env.name}.frontend.repo is not set.`, {hint: 'Set frontend.repo: owner/name (the repository GitHub Pages serves).'})
  const sandboxUrl = ctx.env.sandbox ? (await ctx.sandbox()).url : undefined
  const token = f.token ? resolveSecret(f.token, `environments.${ctx.env.name}.frontend.token`) : sandboxUrl ? SANDBOX_GITHUB_TOKEN : process.env.GITHUB_TOKEN
  if (!token) throw new ConfigError('No GitHub token for frontend deploys.', {hint: 'Set GITHUB_TOKEN or frontend.token (env:NAME) to a token with contents: write on the repository.'})
  const {GithubGitData} = await import('../platform/github/git-data.js')
  return new GithubGitData({token, repo: f.repo, branch: f.branch, baseUrl: sandboxUrl ? `${sandboxUrl}/github` : f.baseUrl, pageSize: sandboxUrl ? 5 : 100, timeScale: await ctx.timeScale()})
}

export async function vercelPort(ctx: Context): Promise<VercelPort> {
  const f = frontendSection(ctx)
  if (!f.vercel) throw new ConfigError(`environments.${ctx.env.name}.frontend.vercel is not set.`, {hint: 'Set frontend.vercel.project (and teamId when the project belongs to a team).'})
  const sandboxUrl = ctx.env.sandbox ? (await ctx.sandbox()).url : undefined
  // A token read from VERCEL_TOKEN goes through resolveSecret too: registered with the redactor.
  const ref = f.token ?? (sandboxUrl ? undefined : process.env.VERCEL_TOKEN ? 'env:VERCEL_TOKEN' : undefined)
  const token = ref ? resolveSecret(ref, `environments.${ctx.env.name}.frontend.token`) : sandboxUrl ? SANDBOX_VERCEL_TOKEN : undefined
  if (!token) throw new ConfigError('No Vercel token for frontend deploys.', {hint: 'Set VERCEL_TOKEN or frontend.token (env:NAME) to a Vercel access token scoped to the team.'})
  const {VercelDeployments} = await import('../platform/vercel/deployments.js')
  return new VercelDeployments({token, project: f.vercel.project, teamId: f.vercel.teamId, baseUrl: sandboxUrl ? `${sandboxUrl}/vercel` : f.vercel.baseUrl, pageSize: sandboxUrl ? 2 : 100, timeScale: await ctx.timeScale()})
}

export function frontendDir(ctx: Context, flag?: string): string {
  return flag ? path.resolve(flag) : path.resolve(ctx.env.baseDir, frontendSection(ctx).dir)
}

/** Who deploys: the local account and machine (the GitHub identity is the commit's author). */
export function deployer(): string {
  let user = process.env.USER ?? 'unknown'
  try {
    user = os.userInfo().username
  } catch {
    // no passwd entry (containers)
  }
  return `${user}@${os.hostname()}`
}
