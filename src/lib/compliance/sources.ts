/**
 * The compliance ports of an environment: the team adapters the context builds
 * (Context.teamAdapters), as account sources.
 */
import path from 'node:path'
import type {Context} from '../context.js'
import {ConfigError} from '../errors.js'
import type {AccountSource, GithubKeysPort} from './ports.js'
import type {ServiceId} from './types.js'

export interface ComplianceWiring {
  sources: Partial<Record<ServiceId, AccountSource>>
  notConfigured: Partial<Record<ServiceId, string>>
  github?: GithubKeysPort
  rosterPath: string
}

export function rosterPath(ctx: Context): string {
  const c = ctx.env.config.compliance
  if (!c) {
    throw new ConfigError(`Environment "${ctx.env.name}" has no compliance section.`, {hint: 'Add environments.<env>.compliance with at least `roster: ./team.yaml`.'})
  }
  return path.resolve(ctx.env.baseDir, c.roster)
}

export async function complianceWiring(ctx: Context, options: {only?: ServiceId[]} = {}): Promise<ComplianceWiring> {
  const file = rosterPath(ctx)
  const t = await ctx.teamAdapters(options)
  const sources: ComplianceWiring['sources'] = {aws: t.aws, github: t.github, cloudflare: t.cloudflare, google: t.google}
  if (t.auth0) {
    const {auth0StaffSource} = await import('./auth0-staff.js')
    sources.auth0 = auth0StaffSource(t.auth0)
  }
  for (const k of Object.keys(sources) as ServiceId[]) if (!sources[k]) delete sources[k]
  return {sources, notConfigured: t.notConfigured, github: t.github, rosterPath: file}
}
