/** Who the AWS credentials belong to (STS GetCallerIdentity), for the audit log's actor. */
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type {AwsClientConfig} from './client-config.js'
import {awsSdk} from './sdk.js'

/** An access key belongs to one identity for its whole life, so the answer is kept (hashed key → ARN) for a day. */
const IDENTITY_TTL_MS = 24 * 3600 * 1000

async function accessKeyId(config: AwsClientConfig): Promise<string | undefined> {
  try {
    const c = typeof config.credentials === 'function' ? await config.credentials() : config.credentials
    return c?.accessKeyId
  } catch {
    return undefined
  }
}

/**
 * The caller's ARN, or undefined when it cannot be known (no credentials, STS unreachable).
 * With `cacheDir`, a previous answer for the same access key and endpoint is reused: the audit
 * entry of every mutating command then costs no STS request and no STS client import.
 */
export async function callerArn(config: AwsClientConfig, options: {timeoutMs?: number; cacheDir?: string} = {}): Promise<string | undefined> {
  const keyId = options.cacheDir ? await accessKeyId(config) : undefined
  const cacheFile = keyId && options.cacheDir
    ? path.join(options.cacheDir, `${createHash('sha256').update(`${keyId}\0${config.endpoint ?? ''}\0${config.region}`).digest('hex').slice(0, 32)}.json`)
    : undefined
  if (cacheFile) {
    try {
      const hit = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as {arn?: string; at?: number}
      if (typeof hit.arn === 'string' && typeof hit.at === 'number' && Date.now() - hit.at < IDENTITY_TTL_MS) return hit.arn
    } catch {
      // not cached
    }
  }
  const {STSClient, GetCallerIdentityCommand} = awsSdk('@aws-sdk/client-sts')
  const client = new STSClient({...config, maxAttempts: 2})
  try {
    const out = await client.send(new GetCallerIdentityCommand({}), {abortSignal: AbortSignal.timeout(options.timeoutMs ?? 3000)})
    if (cacheFile && out.Arn) {
      try {
        fs.mkdirSync(path.dirname(cacheFile), {recursive: true, mode: 0o700})
        fs.writeFileSync(cacheFile, JSON.stringify({arn: out.Arn, at: Date.now()}), {mode: 0o600})
      } catch {
        // best effort
      }
    }
    return out.Arn
  } catch {
    return undefined
  } finally {
    client.destroy()
  }
}
