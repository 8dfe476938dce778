/**
 * Notification sinks: a webhook receiver (Slack-compatible JSON, POST /hooks/<channel>) and an
 * SMTP server (the smtp-server package) that keep what they receive, so tests and people can
 * read notifications back (GET /hooks/<channel>, GET /mail/messages). See SPEC.md.
 */
import type {ServerResponse} from 'node:http'
import {sendJson} from '../../respond.js'
import type {ServiceFactory} from '../../types.js'
import type {ServiceCatalog} from '../../catalog.js'

/** The sinks are the sandbox's own receivers (no cloud API): every request to them is modelled. */
export const sinksCatalog: ServiceCatalog = {
  title: 'Sandbox sinks (webhook and mail receivers)',
  protocol: 'rest',
  reference: 'src/lib/sandbox/services/sinks/SPEC.md',
  operations: {ReceiveHook: {}, ListHooks: {}, ListMail: {}},
  commonParams: ['*'],
}

export interface HookMessage {
  channel: string
  receivedAt: string
  body: unknown
}

export interface MailMessage {
  receivedAt: string
  from: string
  to: string[]
  raw: string
}

interface SinkState {
  hooks: HookMessage[]
  mail: MailMessage[]
}

const LIMIT = 500

export const sinksService: ServiceFactory = (ctx) => {
  const db = () => ctx.state.open<SinkState>('sinks', 'messages', () => ({hooks: [], mail: []}))
  let smtp: import('smtp-server').SMTPServer | undefined
  const push = <T>(list: T[], item: T) => {
    list.push(item)
    if (list.length > LIMIT) list.splice(0, list.length - LIMIT)
    db().save()
  }
  return {
    name: 'sinks',
    catalog: sinksCatalog,
    matches: (req) => req.path.startsWith('/hooks/') || req.path === '/mail/messages',
    operation: (req) => (req.path === '/mail/messages' ? 'ListMail' : req.method === 'POST' ? 'ReceiveHook' : 'ListHooks'),
    handle(req, res) {
      if (req.path === '/mail/messages') {
        if (req.method === 'DELETE') db().data.mail = []
        sendJson(res, 200, {messages: db().data.mail})
        return
      }
      const channel = decodeURIComponent(req.path.slice('/hooks/'.length)) || 'default'
      if (req.method === 'POST') {
        let body: unknown
        try {
          body = req.json()
        } catch {
          res.writeHead(400, {'content-type': 'text/plain'})
          res.end('invalid_payload')
          return
        }
        push(db().data.hooks, {channel, receivedAt: new Date().toISOString(), body})
        // Slack answers a plain "ok".
        res.writeHead(200, {'content-type': 'text/plain'})
        res.end('ok')
        return
      }
      if (req.method === 'DELETE') {
        db().data.hooks = db().data.hooks.filter((h) => h.channel !== channel)
        db().save()
      }
      sendJson(res, 200, {messages: db().data.hooks.filter((h) => h.channel === channel)})
    },
    renderError(_req, res: ServerResponse, error) {
      res.writeHead(error.status, {'content-type': 'text/plain', ...(error.retryAfterSeconds === undefined ? {} : {'retry-after': String(error.retryAfterSeconds)})})
      res.end(error.kind === 'throttle' ? 'rate_limited' : 'internal_error')
    },
    seed: () => void db(),
    describe: () => ({hooks: db().data.hooks.length, mail: db().data.mail.length}),
    async start() {
      const {SMTPServer} = await import('smtp-server')
      smtp = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        onAuth(_auth, _session, cb) {
          cb(null, {user: 'sandbox'})
        },
        onData(stream, session, cb) {
          const chunks: Buffer[] = []
          stream.on('data', (c: Buffer) => chunks.push(c))
          stream.on('end', () => {
            push(db().data.mail, {
              receivedAt: new Date().toISOString(),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              raw: Buffer.concat(chunks).toString('utf8'),
            })
            cb()
          })
        },
      })
      const server = smtp
      const port = await new Promise<number>((resolve, reject) => {
        server.once('error', reject)
        server.listen(0, '127.0.0.1', () => resolve((server.server.address() as import('node:net').AddressInfo).port))
      })
      return {smtp: `smtp://127.0.0.1:${port}`, webhook: `${ctx.baseUrl()}/hooks/notify`}
    },
    async stop() {
      const s = smtp
      smtp = undefined
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()))
    },
  }
}

/** Keep a message as if the SMTP sink had received it (the SNS emulation delivers email this way). */
export function appendMail(state: import('../../state.js').StateStore, message: MailMessage): void {
  const s = state.open<SinkState>('sinks', 'messages', () => ({hooks: [], mail: []}))
  s.data.mail.push(message)
  if (s.data.mail.length > LIMIT) s.data.mail.splice(0, s.data.mail.length - LIMIT)
  s.save()
}
