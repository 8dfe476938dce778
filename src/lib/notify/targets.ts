/** Where notifications go for an environment: its `notify` section, or the sandbox's sinks. */
import {resolveSecret} from '../config/secret-ref.js'
import type {Context} from '../context.js'
import type {NotifyTargets} from './notify.js'

export async function notifyTargets(ctx: Context): Promise<NotifyTargets> {
  const n = ctx.env.config.notify
  const base = `environments.${ctx.env.name}.notify`
  const sandbox = ctx.env.sandbox ? await ctx.sandbox() : undefined
  const webhook = n?.webhook ? resolveSecret(n.webhook, `${base}.webhook`) : sandbox?.endpoints?.webhook
  const smtp = n?.smtp ? resolveSecret(n.smtp, `${base}.smtp`) : sandbox?.endpoints?.smtp
  const to = n?.email ?? (sandbox ? 'ops@impress.example' : undefined)
  return {
    ...(webhook ? {webhook} : {}),
    ...(to && smtp ? {email: {to, smtp, from: `impress@${ctx.env.name}.impress.example`}} : {}),
  }
}
