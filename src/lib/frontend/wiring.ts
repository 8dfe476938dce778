/**
 * Build the frontend's hosting adapter for an environment: GitHub (git data + Pages) in the
 * cloud or in the sandbox (mounted under /github, with its demo owner token). Vercel is
 * accepted by the schema but not supported yet: exit 2, said plainly.
 */
import os from 'node:os'
import path from 'node:path'
import {resolveSecret} from '../config/secret-ref.js'
import type {Context} from '../context.js'
import {ConfigError, ExitCode, ImpressError} from '../errors.js'
import type {DeployTarget, PagesPort} from './ports.js'

const SANDBOX_GITHUB_TOKEN = 'ghp_sandboxowner'

export function frontendSection(ctx: Context) {
  const f = ctx.env.config.frontend
  if (!f) throw new ConfigError(`Environment "${ctx.env.name}" has no frontend section.`, {hint: 'Add environments.<env>.frontend with at least `repo: owner/name` (and `branch`, default gh-pages).'})
  if (f.host === 'vercel') {
    throw new ImpressError('E_UNSUPPORTED', ExitCode.Usage, 'frontend.host: vercel is not supported yet: impress deploys, lists and rolls back GitHub Pages sites only.', {hint: 'Use host: github-pages, or deploy with the Vercel CLI (`vercel deploy --prebuilt`, `vercel promote`) for now.'})
  }
  return f
}

export async function frontendTarget(ctx: Context): Promise<DeployTarget & PagesPort> {
  const f = frontendSection(ctx)
  const sandboxUrl = ctx.env.sandbox ? (await ctx.sandbox()).url : undefined
  const token = f.token ? resolveSecret(f.token, `environments.${ctx.env.name}.frontend.token`) : sandboxUrl ? SANDBOX_GITHUB_TOKEN : process.env.GITHUB_TOKEN
  if (!token) throw new ConfigError('No GitHub token for frontend deploys.', {hint: 'Set GITHUB_TOKEN or frontend.token (env:NAME) to a token with contents: write on the repository.'})
  const {GithubGitData} = await import('../platform/github/git-data.js')
  return new GithubGitData({token, repo: f.repo, branch: f.branch, baseUrl: sandboxUrl ? `${sandboxUrl}/github` : f.baseUrl, pageSize: sandboxUrl ? 5 : 100, timeScale: await ctx.timeScale()})
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
