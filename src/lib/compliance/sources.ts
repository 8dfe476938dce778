/**
 * The compliance capability's wiring: where the roster is. The adapters (one per configured
 * service, pointed at the cloud or at the sandbox) are built by the lazy context
 * (`ctx.compliance()`, src/lib/context.ts); `complianceWiring` is kept as its short name.
 */
import path from 'node:path'
import type {ComplianceWiring, Context} from '../context.js'
import {ConfigError} from '../errors.js'
import type {ServiceId} from './types.js'

export type {ComplianceWiring} from '../context.js'

export function rosterPath(ctx: Context): string {
  const c = ctx.env.config.compliance
  if (!c) {
    throw new ConfigError(`Environment "${ctx.env.name}" has no compliance section.`, {hint: 'Add environments.<env>.compliance with at least `roster: ./team.yaml`.'})
  }
  return path.resolve(ctx.env.baseDir, c.roster)
}

export function complianceWiring(ctx: Context, options: {only?: ServiceId[]} = {}): Promise<ComplianceWiring> {
  return ctx.compliance(options)
}
