/** What the access commands read from the environment: the roster (bytes and parsed) and durations. */
import fs from 'node:fs'
import ms from 'ms'
import type {Context} from '../context.js'
import {ensureDemoRoster} from '../compliance/demo-roster.js'
import {parseRoster, type LoadedRoster} from '../compliance/roster.js'
import {rosterPath} from '../compliance/sources.js'
import {UsageError} from '../errors.js'
import {auth0StaffWriter} from './auth0-writer.js'
import type {RevokeDeps} from './revoke.js'

export function readRosterForAccess(ctx: Context): {loaded: LoadedRoster; bytes: Buffer} {
  const file = rosterPath(ctx)
  if (ctx.env.source.kind === 'builtin') ensureDemoRoster(file)
  let bytes: Buffer
  try {
    bytes = fs.readFileSync(file)
  } catch {
    throw new UsageError(`Roster not found: ${file}`, {hint: 'Set environments.<env>.compliance.roster to the path of team.yaml.', details: {file}})
  }
  return {loaded: parseRoster(bytes.toString('utf8'), file), bytes}
}

/** A duration validated by the config schema, in ms. */
export function durationMs(value: string): number {
  return ms(value as ms.StringValue)
}

/** The services' writers (and the caller's own accounts) for `access revoke`, from the context's team adapters. */
export async function accessWriters(ctx: Context): Promise<RevokeDeps> {
  const t = await ctx.teamAdapters()
  const writers: RevokeDeps['writers'] = {aws: t.aws, github: t.github, cloudflare: t.cloudflare, google: t.google, ...(t.auth0 ? {auth0: auth0StaffWriter(t.auth0)} : {})}
  for (const k of Object.keys(writers) as (keyof typeof writers)[]) if (!writers[k]) delete writers[k]
  return {
    writers,
    notConfigured: t.notConfigured,
    async self() {
      const [gh, arn] = await Promise.all([t.github?.self().catch(() => undefined), t.aws ? ctx.awsActor() : undefined])
      const iamUser = arn && /:user\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1]
      return {...(gh ? {github: gh} : {}), ...(iamUser ? {aws: iamUser} : {})}
    },
  }
}
