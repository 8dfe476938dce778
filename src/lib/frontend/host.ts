/**
 * The frontend hosting port the commands use: deploy, versions, rollback, whatever the host.
 * Two adapters: GitHub Pages (a deploy branch through the git data API: deploy.ts,
 * versions.ts) and Vercel (production deployments: vercel.ts). Built by the context
 * (`ctx.frontendHost()`), chosen by `frontend.host`.
 */
import {runDeploy, type DeployOptions, type DeployResult} from './deploy.js'
import type {DeployTarget, VercelPort} from './ports.js'
import {applyVercelRollback, listVercelVersions, planVercelRollback, runVercelDeploy, type VercelVersion} from './vercel.js'
import {applyFrontendRollback, listVersions, planFrontendRollback, type FrontendVersion, type RollbackPlan, type VersionRow, type VersionsResult} from './versions.js'

export type HostKind = 'github-pages' | 'vercel'

export interface FrontendHost {
  readonly kind: HostKind
  readonly describe: string
  deploy(options: DeployOptions, onProgress?: (line: string) => void): Promise<DeployResult>
  versions(options: {limit: number}): Promise<VersionsResult<VersionRow>>
  planRollback(options: {to?: string; limit: number}): Promise<RollbackPlan<VersionRow>>
  /** Apply a plan made by this host's planRollback; returns the id of what production now serves (GitHub: the new commit). */
  applyRollback(plan: RollbackPlan<VersionRow>, options: {deployedBy: string}): Promise<{version: string}>
}

export function githubPagesHost(target: DeployTarget): FrontendHost {
  return {
    kind: 'github-pages',
    describe: target.describe,
    deploy: (options, onProgress) => runDeploy(options, {target, onProgress}),
    versions: (options) => listVersions(options, {target}),
    planRollback: (options) => planFrontendRollback(options, {target}),
    applyRollback: async (plan, options) => ({version: (await applyFrontendRollback(plan as RollbackPlan<FrontendVersion>, options, {target})).sha}),
  }
}

export function vercelHost(port: VercelPort): FrontendHost {
  return {
    kind: 'vercel',
    describe: port.describe,
    deploy: (options, onProgress) => runVercelDeploy(options, {port, onProgress}),
    versions: (options) => listVercelVersions(options, {port}),
    planRollback: (options) => planVercelRollback(options, {port}),
    applyRollback: (plan, options) => applyVercelRollback(plan as RollbackPlan<VercelVersion> & {projectId: string}, options, {port}),
  }
}
