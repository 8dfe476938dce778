/**
 * The AWS JSON protocol (awsJson1_0/1_1: Secrets Manager, CloudWatch Logs…): POST / with
 * X-Amz-Target: <Prefix>.<Operation>, JSON bodies, errors as {"__type": Code, "message"}.
 */
import {randomUUID} from 'node:crypto'
import type {ServerResponse} from 'node:http'
import type {ErrorSpec, SandboxRequest} from '../types.js'

export function jsonTarget(req: SandboxRequest): {prefix: string; operation: string} | undefined {
  const t = req.headers['x-amz-target']
  if (typeof t !== 'string') return undefined
  const dot = t.lastIndexOf('.')
  if (dot < 0) return undefined
  return {prefix: t.slice(0, dot), operation: t.slice(dot + 1)}
}

export function sendAwsJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value)
  res.writeHead(status, {'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID(), 'content-length': Buffer.byteLength(body), ...headers})
  res.end(body)
}

export function sendAwsJsonError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendAwsJson(res, status, {__type: code, message}, {'x-amzn-errortype': code, ...headers})
}

export function renderAwsJsonFault(res: ServerResponse, error: ErrorSpec): void {
  if (error.kind === 'throttle') {
    sendAwsJsonError(res, 400, 'ThrottlingException', 'Rate exceeded', {'retry-after': String(error.retryAfterSeconds ?? 1)})
  } else if (error.kind === 'server') {
    sendAwsJsonError(res, error.status, error.status === 503 ? 'ServiceUnavailable' : 'InternalServiceError', error.message)
  } else {
    sendAwsJsonError(res, error.status, error.code ?? 'InvalidRequestException', error.message)
  }
}
