/**
 * The AWS query protocol (RDS, IAM, STS, CloudWatch's XML flavour): form-encoded POST with
 * Action and Version, XML answers `<{Action}Response><{Action}Result>…` and errors as
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
 * Lists must use the model's member element names, or the SDK parses an empty list.
 */
import {randomUUID} from 'node:crypto'
import type {ServerResponse} from 'node:http'
import type {ErrorSpec, SandboxRequest} from '../types.js'

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
}

/** A tiny XML builder: objects become elements, arrays repeat a member element. */
export type XmlValue = string | number | boolean | null | undefined | Date | XmlNode | XmlList
export interface XmlNode {
  [key: string]: XmlValue
}
export interface XmlList {
  __list: {member: string; items: XmlValue[]}
}

export function list(member: string, items: XmlValue[]): XmlList {
  return {__list: {member, items}}
}

export function toXml(value: XmlValue): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return value.toISOString()
  if (typeof value !== 'object') return escapeXml(String(value))
  if ('__list' in value && typeof value.__list === 'object' && value.__list !== null && 'member' in (value.__list as object)) {
    const l = (value as XmlList).__list
    return l.items.map((item) => `<${l.member}>${toXml(item)}</${l.member}>`).join('')
  }
  let out = ''
  for (const [k, v] of Object.entries(value as XmlNode)) {
    if (v === undefined || v === null) continue
    out += `<${k}>${toXml(v)}</${k}>`
  }
  return out
}

export function queryAction(req: SandboxRequest): string {
  return req.form().get('Action') ?? req.url.searchParams.get('Action') ?? 'Unknown'
}

export function sendQueryResult(res: ServerResponse, action: string, namespace: string, result: XmlNode | undefined): void {
  const requestId = randomUUID()
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${namespace}">` +
    (result === undefined ? '' : `<${action}Result>${toXml(result)}</${action}Result>`) +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  res.writeHead(200, {'content-type': 'text/xml', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(body)})
  res.end(body)
}

export function sendQueryError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const requestId = randomUUID()
  const type = status >= 500 ? 'Receiver' : 'Sender'
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  res.writeHead(status, {'content-type': 'text/xml', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(body), ...headers})
  res.end(body)
}

/** Injected faults in the query protocol's shape: Throttling (400) or InternalFailure/ServiceUnavailable. */
export function renderQueryFault(res: ServerResponse, error: ErrorSpec): void {
  if (error.kind === 'throttle') {
    sendQueryError(res, 400, 'Throttling', 'Rate exceeded', error.retryAfterSeconds === undefined ? {} : {'retry-after': String(error.retryAfterSeconds)})
    return
  }
  if (error.kind === 'server') {
    sendQueryError(res, error.status, error.status === 503 ? 'ServiceUnavailable' : 'InternalFailure', error.message)
    return
  }
  sendQueryError(res, error.status, error.code ?? 'InvalidParameterValue', error.message)
}

/** An error a handler throws; the service renders it in its protocol. */
export class AwsFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}
