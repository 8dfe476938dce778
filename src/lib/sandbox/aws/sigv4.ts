/**
 * Reads the SigV4 credential scope (access key, region, service) of an AWS request, from the
 * Authorization header or a presigned URL. The sandbox routes AWS calls by the scope's
 * service, as AWS's own front ends do per endpoint. Signatures are not checked.
 */
import type {IncomingHttpHeaders} from 'node:http'

export interface SigV4Scope {
  accessKey: string
  date: string
  region: string
  service: string
}

const SCOPE = /Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/

export function parseSigV4(headers: IncomingHttpHeaders, url: URL): SigV4Scope | undefined {
  const auth = headers.authorization
  const text = typeof auth === 'string' && auth.startsWith('AWS4-HMAC-SHA256') ? auth : url.searchParams.get('X-Amz-Credential') ? `Credential=${url.searchParams.get('X-Amz-Credential')}` : undefined
  if (!text) return undefined
  const m = SCOPE.exec(text)
  if (!m) return undefined
  return {accessKey: m[1], date: m[2], region: m[3], service: m[4]}
}
