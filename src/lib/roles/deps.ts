/**
 * Building the roles capability's dependencies from a command's context: the Auth0 target
 * (secrets resolved and registered for redaction; the sandbox URL when the environment is the
 * sandbox), the roles file path (the sandbox's seeded file written on first use), the Secrets
 * Manager store and the pending-rotation record.
 */
import fs from 'node:fs'
import path from 'node:path'
import {ConfigError} from '../errors.js'
import {resolveSecret} from '../config/secret-ref.js'
import type {Context} from '../context.js'
import type {PendingStore} from './rotate.js'
import {ensureSandboxRolesFile} from './sandbox-roles.js'
import {secretsManagerStore, type SecretsManagerStore} from '../platform/aws/secrets.js'
import {Auth0Adapter} from '../platform/auth0/management.js'

export function auth0Section(ctx: Context) {
  const section = ctx.env.config.auth0
  if (!section) {
    throw new ConfigError(`Environment "${ctx.env.name}" has no auth0 section.`, {
      hint: 'Add auth0: {domain, clientId, clientSecret, roles} to the environment in impress.config.yaml.',
    })
  }
  return section
}

export async function auth0Adapter(ctx: Context, options: {concurrency?: number} = {}): Promise<Auth0Adapter> {
  const a = auth0Section(ctx)
  const where = `environments.${ctx.env.name}.auth0`
  const clientId = resolveSecret(a.clientId, `${where}.clientId`, {secret: false})
  const clientSecret = resolveSecret(a.clientSecret, `${where}.clientSecret`)
  const sandboxUrl = ctx.env.sandbox ? (await ctx.sandbox()).url : undefined
  return new Auth0Adapter({
    domain: a.domain,
    clientId,
    clientSecret,
    sandboxUrl,
    signal: ctx.signal,
    concurrency: options.concurrency,
    onWait: (ms, reason) => ctx.io.debug(`Auth0: ${reason}; waiting ${ms} ms for x-ratelimit-reset`),
  })
}

/** The roles file of this environment; the sandbox's seeded file is written on first use. */
export function rolesFilePath(ctx: Context, override?: string): string {
  const file = path.resolve(override ? process.cwd() : ctx.env.baseDir, override ?? auth0Section(ctx).roles)
  if (!override && ctx.env.source.kind === 'builtin' && ensureSandboxRolesFile(file)) {
    ctx.io.info(`Wrote the sandbox's roles file ${file} (it drifts from the seeded tenant on purpose).`)
  }
  return file
}

export async function secretStore(ctx: Context): Promise<SecretsManagerStore> {
  return secretsManagerStore(ctx)
}

/** Rotations done in Auth0 but not yet stored, kept under the environment's data directory. */
export function pendingRotations(ctx: Context): PendingStore {
  const file = path.join(ctx.env.dataDir, 'roles-rotate-pending.json')
  const read = (): Record<string, unknown> => {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>
    } catch {
      return {}
    }
  }
  const write = (v: Record<string, unknown>) => {
    fs.mkdirSync(path.dirname(file), {recursive: true})
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(v, null, 2))
    fs.renameSync(`${file}.tmp`, file)
  }
  return {
    list: () => Object.keys(read()),
    mark: (app, info) => write({...read(), [app]: info}),
    clear: (app) => {
      const v = read()
      delete v[app]
      write(v)
    },
  }
}
