/**
 * Amazon SNS (https://docs.aws.amazon.com/sns/latest/api/), query protocol (form POST, XML
 * answers, namespace http://sns.amazonaws.com/doc/2010-03-31/): topics, subscriptions with
 * confirmation, Publish delivering email into the sandbox's mail sink and HTTP(S) POSTs to a
 * receiver. See SPEC.md.
 */
import {randomBytes, randomUUID} from 'node:crypto'
import type {ServerResponse} from 'node:http'
import type {ErrorSpec, SandboxRequest, ServiceContext, ServiceFactory} from '../../types.js'
import {AwsFault, escapeXml, list, queryAction, renderQueryFault, sendQueryError, sendQueryResult, type XmlNode} from '../../aws/query.js'
import {appendMail} from '../sinks/index.js'
import {SANDBOX_ACCOUNT} from '../sts.js'
import {DEMO_SUPPORT_EMAIL, DEMO_TOPIC_ARN} from '../demo-monitoring.js'
import {snsCatalog} from './catalog.js'

const NS = 'http://sns.amazonaws.com/doc/2010-03-31/'
const REGION = 'eu-west-1'
/** ListSubscriptionsByTopic / ListTopics / ListSubscriptions page (AWS: 100): small so paging is exercised. */
export const SNS_PAGE = 2
/** Email addresses at this domain stand for the demo team: the sandbox confirms their subscriptions at once (as if they clicked the link). */
export const DEMO_EMAIL_DOMAIN = '@impress.example'

export interface Subscription {
  arn: string
  protocol: string
  endpoint: string
  confirmed: boolean
  token: string
  createdAt: number
}
export interface Topic {
  arn: string
  name: string
  displayName?: string
  subscriptions: Subscription[]
}
export interface SnsState {
  topics: Topic[]
}

const fault = (code: string, message: string, status = 400) => new AwsFault(status, code, message)
const notModelled = (what: string) => new AwsFault(501, 'NotImplemented', `${what} is not modelled by the sandbox.`)

/** `Attributes.entry.N.key/value` of a query request, as a map. */
function entries(form: URLSearchParams, prefix: string): Map<string, string> {
  const out = new Map<string, string>()
  for (let n = 1; form.has(`${prefix}.entry.${n}.key`); n++) out.set(form.get(`${prefix}.entry.${n}.key`)!, form.get(`${prefix}.entry.${n}.value`) ?? '')
  return out
}

export function openSns(ctx: ServiceContext) {
  return ctx.state.open<SnsState>('sns', 'topics', () => ({
    topics: [{arn: DEMO_TOPIC_ARN, name: DEMO_TOPIC_ARN.split(':').at(-1)!, subscriptions: [{arn: `${DEMO_TOPIC_ARN}:5d1f0c9e-demo-4c3b-9a51-support0001`, protocol: 'email', endpoint: DEMO_SUPPORT_EMAIL, confirmed: true, token: randomBytes(32).toString('hex'), createdAt: Date.now() - 7 * 86_400_000}]}],
  }))
}

function confirmUrl(ctx: ServiceContext, topic: Topic, sub: Subscription): string {
  return `${ctx.baseUrl()}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topic.arn)}&Token=${sub.token}`
}

function mail(ctx: ServiceContext, to: string, subject: string, body: string): void {
  const date = new Date()
  const raw = [`From: AWS Notifications <no-reply@sns.amazonaws.com>`, `To: ${to}`, `Subject: ${subject}`, `Date: ${date.toUTCString()}`, `Message-ID: <${randomUUID()}@sns.sandbox>`, 'Content-Type: text/plain; charset=UTF-8', '', body, ''].join('\r\n')
  appendMail(ctx.state, {receivedAt: date.toISOString(), from: 'no-reply@sns.amazonaws.com', to: [to], raw})
}

function post(url: string, type: string, topicArn: string, doc: Record<string, unknown>): Promise<boolean> {
  return fetch(url, {
    method: 'POST',
    headers: {'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': type, 'x-amz-sns-topic-arn': topicArn, 'x-amz-sns-message-id': String(doc.MessageId)},
    body: JSON.stringify(doc),
    signal: AbortSignal.timeout(5000),
  }).then(
    (r) => r.ok,
    () => false,
  )
}

function sendConfirmation(ctx: ServiceContext, topic: Topic, sub: Subscription): void {
  const url = confirmUrl(ctx, topic, sub)
  if (sub.protocol === 'email' || sub.protocol === 'email-json') {
    mail(ctx, sub.endpoint, 'AWS Notification - Subscription Confirmation', `You have chosen to subscribe to the topic:\n${topic.arn}\n\nTo confirm this subscription, click or visit the link below (If this was in error no action is necessary):\n${url}\n`)
    return
  }
  const doc = {Type: 'SubscriptionConfirmation', MessageId: randomUUID(), Token: sub.token, TopicArn: topic.arn, Message: `You have chosen to subscribe to the topic ${topic.arn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`, SubscribeURL: url, Timestamp: new Date().toISOString(), SignatureVersion: '1', Signature: 'sandbox', SigningCertURL: `${ctx.baseUrl()}/SimpleNotificationService-sandbox.pem`}
  void post(sub.endpoint, 'SubscriptionConfirmation', topic.arn, doc)
}

/** The sandbox's own webhook receiver (/hooks/…) stands for a subscriber that confirms at once. */
function autoConfirms(ctx: ServiceContext, sub: Subscription): boolean {
  if (sub.protocol === 'email' || sub.protocol === 'email-json') return sub.endpoint.toLowerCase().endsWith(DEMO_EMAIL_DOMAIN)
  return sub.endpoint.startsWith(`${ctx.baseUrl()}/hooks/`)
}

/** Deliver a message to every confirmed subscription of a topic; returns the message id. */
export function publish(ctx: ServiceContext, topicArn: string, message: string, subject?: string): string {
  const s = openSns(ctx)
  const topic = s.data.topics.find((t) => t.arn === topicArn)
  if (!topic) throw fault('NotFound', 'Topic does not exist')
  const id = randomUUID()
  const timestamp = new Date().toISOString()
  for (const sub of topic.subscriptions.filter((x) => x.confirmed)) {
    const unsubscribe = `${ctx.baseUrl()}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(sub.arn)}`
    if (sub.protocol === 'email') {
      mail(ctx, sub.endpoint, subject ?? 'AWS Notification Message', `${message}\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n${unsubscribe}\n`)
    } else if (sub.protocol === 'email-json' || sub.protocol === 'http' || sub.protocol === 'https') {
      const doc = {Type: 'Notification', MessageId: id, TopicArn: topic.arn, ...(subject ? {Subject: subject} : {}), Message: message, Timestamp: timestamp, SignatureVersion: '1', Signature: 'sandbox', SigningCertURL: `${ctx.baseUrl()}/SimpleNotificationService-sandbox.pem`, UnsubscribeURL: unsubscribe}
      if (sub.protocol === 'email-json') mail(ctx, sub.endpoint, subject ?? 'AWS Notification Message', JSON.stringify(doc))
      else void post(sub.endpoint, 'Notification', topic.arn, doc)
    }
  }
  return id
}

export const snsService: ServiceFactory = (ctx) => {
  const db = () => openSns(ctx)
  const topicOf = (arn: string | null): Topic => {
    if (!arn) throw fault('InvalidParameter', 'Invalid parameter: TopicArn')
    const t = db().data.topics.find((x) => x.arn === arn)
    if (!t) throw fault('NotFound', 'Topic does not exist', 404)
    return t
  }
  const pageOf = <T>(items: T[], token: string | null) => {
    const start = token ? Number.parseInt(Buffer.from(token, 'base64url').toString('utf8'), 10) : 0
    if (!Number.isInteger(start) || start < 0 || start > items.length) throw fault('InvalidParameter', 'Invalid parameter: NextToken')
    return {slice: items.slice(start, start + SNS_PAGE), next: start + SNS_PAGE < items.length ? Buffer.from(String(start + SNS_PAGE)).toString('base64url') : undefined}
  }
  const subOut = (t: Topic, s: Subscription): XmlNode => ({TopicArn: t.arn, Protocol: s.protocol, SubscriptionArn: s.confirmed ? s.arn : 'PendingConfirmation', Owner: SANDBOX_ACCOUNT, Endpoint: s.endpoint})
  const confirm = (topicArn: string | null, token: string | null): Subscription => {
    const t = topicOf(topicArn)
    const sub = t.subscriptions.find((s) => s.token === token)
    if (!sub) throw fault('InvalidParameter', 'Invalid token')
    sub.confirmed = true
    db().save()
    return sub
  }

  const handlers: Record<string, (f: URLSearchParams) => XmlNode | undefined> = {
    CreateTopic(f) {
      const name = f.get('Name') ?? ''
      if (!/^[A-Za-z0-9_-]{1,256}$/.test(name)) {
        if (name.endsWith('.fifo')) throw notModelled('FIFO topics')
        throw fault('InvalidParameter', 'Invalid parameter: Topic Name')
      }
      const attrs = entries(f, 'Attributes')
      for (const k of attrs.keys()) if (k !== 'DisplayName') throw notModelled(`The topic attribute ${k}`)
      const s = db()
      let t = s.data.topics.find((x) => x.name === name)
      if (t && attrs.has('DisplayName') && attrs.get('DisplayName') !== (t.displayName ?? '')) throw fault('InvalidParameter', 'Invalid parameter: Attributes Reason: Topic already exists with different attributes')
      if (!t) {
        t = {arn: `arn:aws:sns:${REGION}:${SANDBOX_ACCOUNT}:${name}`, name, ...(attrs.has('DisplayName') ? {displayName: attrs.get('DisplayName')} : {}), subscriptions: []}
        s.data.topics.push(t)
        s.save()
      }
      return {TopicArn: t.arn}
    },
    DeleteTopic(f) {
      const t = db().data.topics.find((x) => x.arn === f.get('TopicArn'))
      if (t) {
        db().data.topics = db().data.topics.filter((x) => x !== t)
        db().save()
      }
      return undefined
    },
    ListTopics(f) {
      const {slice, next} = pageOf(db().data.topics, f.get('NextToken'))
      return {Topics: list('member', slice.map((t) => ({TopicArn: t.arn}))), NextToken: next}
    },
    GetTopicAttributes(f) {
      const t = topicOf(f.get('TopicArn'))
      const attrs: Record<string, string> = {TopicArn: t.arn, Owner: SANDBOX_ACCOUNT, DisplayName: t.displayName ?? '', SubscriptionsConfirmed: String(t.subscriptions.filter((s) => s.confirmed).length), SubscriptionsPending: String(t.subscriptions.filter((s) => !s.confirmed).length), SubscriptionsDeleted: '0'}
      return {Attributes: list('entry', Object.entries(attrs).map(([key, value]) => ({key, value})))}
    },
    Subscribe(f) {
      const t = topicOf(f.get('TopicArn'))
      const protocol = f.get('Protocol') ?? ''
      const endpoint = f.get('Endpoint') ?? ''
      if (!['email', 'email-json', 'http', 'https'].includes(protocol)) {
        if (['sqs', 'lambda', 'sms', 'application', 'firehose'].includes(protocol)) throw notModelled(`The ${protocol} protocol`)
        throw fault('InvalidParameter', 'Invalid parameter: Amazon SNS does not support this protocol string')
      }
      if (protocol.startsWith('email') && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(endpoint)) throw fault('InvalidParameter', 'Invalid parameter: Email address')
      if (protocol.startsWith('http') && !endpoint.startsWith(`${protocol}://`)) throw fault('InvalidParameter', `Invalid parameter: Endpoint must match the specified protocol`)
      if (entries(f, 'Attributes').size > 0) throw notModelled('Subscription attributes (filter policies, raw delivery…)')
      let sub = t.subscriptions.find((s) => s.protocol === protocol && s.endpoint === endpoint)
      if (!sub) {
        sub = {arn: `${t.arn}:${randomUUID()}`, protocol, endpoint, confirmed: false, token: randomBytes(32).toString('hex'), createdAt: Date.now()}
        t.subscriptions.push(sub)
      }
      if (!sub.confirmed) {
        sendConfirmation(ctx, t, sub)
        if (autoConfirms(ctx, sub)) sub.confirmed = true
      }
      db().save()
      const returnArn = f.get('ReturnSubscriptionArn') === 'true'
      return {SubscriptionArn: sub.confirmed || returnArn ? sub.arn : 'pending confirmation'}
    },
    ConfirmSubscription(f) {
      if (f.get('AuthenticateOnUnsubscribe') === 'true') throw notModelled('AuthenticateOnUnsubscribe')
      return {SubscriptionArn: confirm(f.get('TopicArn'), f.get('Token')).arn}
    },
    Unsubscribe(f) {
      const arn = f.get('SubscriptionArn')
      const t = db().data.topics.find((x) => x.subscriptions.some((s) => s.arn === arn))
      if (!t) throw fault('NotFound', 'Subscription does not exist', 404)
      t.subscriptions = t.subscriptions.filter((s) => s.arn !== arn)
      db().save()
      return undefined
    },
    ListSubscriptionsByTopic(f) {
      const t = topicOf(f.get('TopicArn'))
      const {slice, next} = pageOf(t.subscriptions, f.get('NextToken'))
      return {Subscriptions: list('member', slice.map((s) => subOut(t, s))), NextToken: next}
    },
    ListSubscriptions(f) {
      const all = db().data.topics.flatMap((t) => t.subscriptions.map((s) => ({t, s})))
      const {slice, next} = pageOf(all, f.get('NextToken'))
      return {Subscriptions: list('member', slice.map(({t, s}) => subOut(t, s))), NextToken: next}
    },
    Publish(f) {
      if (f.get('TargetArn') || f.get('PhoneNumber')) throw notModelled('Publish to a TargetArn or PhoneNumber')
      if (f.get('MessageStructure')) throw notModelled('MessageStructure=json')
      if (f.has('MessageAttributes.entry.1.Name')) throw notModelled('Message attributes')
      const message = f.get('Message')
      if (!message) throw fault('InvalidParameter', 'Invalid parameter: Empty message')
      if (Buffer.byteLength(message) > 262_144) throw fault('InvalidParameter', 'Invalid parameter: Message too long')
      const subject = f.get('Subject') ?? undefined
      if (subject !== undefined && (subject.length > 100 || /[\r\n]/.test(subject))) throw fault('InvalidParameter', 'Invalid parameter: Subject')
      topicOf(f.get('TopicArn'))
      return {MessageId: publish(ctx, f.get('TopicArn')!, message, subject)}
    },
  }

  /** The link in a confirmation email or message: an unsigned GET, as AWS serves it. */
  const isLink = (req: SandboxRequest) => req.method === 'GET' && req.awsService === undefined && req.path === '/' && ['ConfirmSubscription', 'Unsubscribe'].includes(req.url.searchParams.get('Action') ?? '')

  return {
    name: 'sns',
    catalog: snsCatalog,
    handlerNames: () => Object.keys(handlers),
    matches: (req) => req.awsService === 'sns' || isLink(req),
    operation: (req) => (isLink(req) ? (req.url.searchParams.get('Action') ?? 'Unknown') : queryAction(req)),
    handle(req, res: ServerResponse) {
      const link = isLink(req)
      const form = link ? req.url.searchParams : req.form()
      const action = form.get('Action') ?? ''
      try {
        const h = handlers[action]
        if (!h) throw fault('InvalidAction', `The sandbox does not implement the SNS action ${action || '(none)'}.`)
        sendQueryResult(res, action, NS, h(form))
      } catch (error) {
        if (error instanceof AwsFault) sendQueryError(res, error.status, error.code, error.message)
        else throw error
      }
    },
    renderError(_req, res, error: ErrorSpec) {
      renderQueryFault(res, error)
    },
    seed: () => void db(),
    describe: () => ({topics: db().data.topics.map((t) => ({arn: t.arn, subscriptions: t.subscriptions.map((s) => `${s.protocol}:${escapeXml(s.endpoint)}${s.confirmed ? '' : ' (pending)'}`)}))}),
  }
}
