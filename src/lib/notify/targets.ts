/** Where notifications go for an environment: its `notify` section, or the sandbox's sinks. */
import {resolveSecret} from '../config/secret-ref.js'
import type {Context} from '../context.js'
import type {NotifyTargets} from './notify.js'

/**
 * With a notify section, exactly what it configures (nothing else is tried); without one, a
 * sandbox environment uses the sandbox's webhook and SMTP sinks.
 */
export async function notifyTargets(ctx: Context): Promise<NotifyTargets> {
  const n = ctx.env.config.notify
  const base = `environments.${ctx.env.name}.notify`
  const sandbox = ctx.env.sandbox && !n ? await ctx.sandbox() : undefined
  const webhook = n?.webhook ? resolveSecret(n.webhook, `${base}.webhook`) : sandbox?.endpoints?.webhook
  const smtp = n?.smtp ? resolveSecret(n.smtp, `${base}.smtp`) : sandbox?.endpoints?.smtp
  const to = n ? n.email : sandbox ? 'ops@impress.example' : undefined
  return {
    ...(webhook ? {webhook} : {}),
    ...(to && smtp ? {email: {to, smtp, from: `impress@${ctx.env.name}.impress.example`}} : {}),
  }
}

/** The channels that will not be tried, and what is missing for each. */
export function unconfiguredChannels(targets: NotifyTargets, ctx: Context): {channel: 'webhook' | 'email'; missing: string}[] {
  const n = ctx.env.config.notify
  return [
    ...(targets.webhook ? [] : [{channel: 'webhook' as const, missing: 'notify.webhook'}]),
    ...(targets.email ? [] : [{channel: 'email' as const, missing: !n?.email && !n?.smtp ? 'notify.email and notify.smtp' : !n?.email ? 'notify.email' : 'notify.smtp'}]),
  ]
}
