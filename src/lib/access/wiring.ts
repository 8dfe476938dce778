/** What the access commands read from the environment: the roster (bytes and parsed) and durations. */
import fs from 'node:fs'
import ms from 'ms'
import type {Context} from '../context.js'
import {ensureDemoRoster} from '../compliance/demo-roster.js'
import {parseRoster, type LoadedRoster} from '../compliance/roster.js'
import {rosterPath} from '../compliance/sources.js'
import {UsageError} from '../errors.js'

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
