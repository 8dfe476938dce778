/**
 * Notifications on an operation's result: a Slack-compatible webhook and email over SMTP.
 * Sending never throws: each channel reports ok or its error, and the operation's own
 * outcome is unaffected. Every message passes through the redactor first.
 */
import {redactor} from '../redact.js'

export interface Notification {
  /** drill, aurora-rollback, compliance, test … */
  event: string
  status: 'ok' | 'failed' | 'violations'
  title: string
  /** Short lines of detail (figures, findings). */
  lines: string[]
  fields?: Record<string, string>
}

export interface NotifyTargets {
  webhook?: string
  email?: {to: string; smtp: string; from?: string}
}

export interface ChannelResult {
  channel: 'webhook' | 'email'
  /** Where it went, without secrets: the webhook's origin, the e-mail address and SMTP host. */
  target?: string
  ok: boolean
  error?: string
}

export interface NotifyDeps {
  postJson(url: string, body: unknown, signal: AbortSignal): Promise<{status: number; text: string}>
  sendMail(smtpUrl: string, mail: {from: string; to: string; subject: string; text: string}): Promise<void>
}

const COLORS = {ok: '#2eb67d', failed: '#e01e5a', violations: '#ecb22e'} as const

export function webhookPayload(n: Notification): Record<string, unknown> {
  const icon = n.status === 'ok' ? ':white_check_mark:' : n.status === 'violations' ? ':warning:' : ':x:'
  return redactor.redactValue({
    text: `${icon} ${n.title}`,
    attachments: [
      {
        color: COLORS[n.status],
        text: n.lines.join('\n'),
        fields: Object.entries(n.fields ?? {}).map(([title, value]) => ({title, value, short: true})),
        footer: `impress · ${n.event}`,
      },
    ],
  })
}

export function emailBody(n: Notification): {subject: string; text: string} {
  const fields = Object.entries(n.fields ?? {}).map(([k, v]) => `${k}: ${v}`)
  return {
    subject: redactor.redactText(`[impress] ${n.status.toUpperCase()}: ${n.title}`),
    text: redactor.redactText([n.title, '', ...n.lines, ...(fields.length > 0 ? ['', ...fields] : []), '', `-- impress (${n.event})`].join('\n')),
  }
}

export async function sendNotification(n: Notification, targets: NotifyTargets, deps: NotifyDeps, timeoutMs = 10_000): Promise<ChannelResult[]> {
  const jobs: Promise<ChannelResult>[] = []
  if (targets.webhook) {
    const url = targets.webhook
    jobs.push(
      (async (): Promise<ChannelResult> => {
        try {
          const r = await deps.postJson(url, webhookPayload(n), AbortSignal.timeout(timeoutMs))
          if (r.status < 200 || r.status >= 300) return {channel: 'webhook', target: describeTarget(targets).webhook, ok: false, error: `HTTP ${r.status} ${r.text.slice(0, 80)}`.trim()}
          return {channel: 'webhook', target: describeTarget(targets).webhook, ok: true}
        } catch (error) {
          return {channel: 'webhook', target: describeTarget(targets).webhook, ok: false, error: describe(error)}
        }
      })(),
    )
  }
  if (targets.email) {
    const {to, smtp, from} = targets.email
    jobs.push(
      (async (): Promise<ChannelResult> => {
        try {
          await deps.sendMail(smtp, {from: from ?? 'impress@localhost', to, ...emailBody(n)})
          return {channel: 'email', target: describeTarget(targets).email, ok: true}
        } catch (error) {
          return {channel: 'email', target: describeTarget(targets).email, ok: false, error: describe(error)}
        }
      })(),
    )
  }
  const results = await Promise.all(jobs)
  return results.map((r) => (r.error ? {...r, error: redactor.redactText(r.error)} : r))
}

/** The targets named for people: the webhook's origin only (its path is often the secret), the address and the SMTP server. */
export function describeTarget(targets: NotifyTargets): {webhook?: string; email?: string} {
  const origin = (u: string): string => {
    try {
      const url = new URL(u)
      return `${url.protocol}//${url.host}${url.pathname.length > 1 ? '/…' : ''}`
    } catch {
      return '(invalid URL)'
    }
  }
  return {
    ...(targets.webhook ? {webhook: origin(targets.webhook)} : {}),
    ...(targets.email ? {email: `${targets.email.to} via ${origin(targets.email.smtp).replace(/\/…$/, '')}`} : {}),
  }
}

function describe(error: unknown): string {
  const e = error as Error & {code?: string; cause?: {code?: string; message?: string}}
  const code = e.cause?.code ?? e.code
  const message = (e.cause?.message ?? e.message ?? String(error)).split('\n')[0]
  return code && !message.includes(code) ? `${code}: ${message}` : message
}

/** The real transports: fetch for the webhook, nodemailer for SMTP. */
export const defaultNotifyDeps: NotifyDeps = {
  async postJson(url, body, signal) {
    const r = await fetch(url, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body), signal})
    return {status: r.status, text: await r.text()}
  },
  async sendMail(smtpUrl, mail) {
    const nodemailer = await import('nodemailer')
    const transport = nodemailer.createTransport(smtpUrl, {})
    try {
      await transport.sendMail(mail)
    } finally {
      transport.close()
    }
  },
}
