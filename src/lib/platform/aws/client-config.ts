/**
 * The configuration every AWS SDK v3 client of impress is built with. Against the sandbox:
 * its URL as endpoint, explicit fake credentials and a region, so the credential chain never
 * probes a metadata server. Against AWS: the region and the standard provider chain
 * (--profile / AWS_PROFILE, SSO, environment, instance roles).
 */
import type {AwsCredentialIdentity, AwsCredentialIdentityProvider} from '@smithy/types'
import {awsSdk} from './sdk.js'

export const SANDBOX_CREDENTIALS: AwsCredentialIdentity = {accessKeyId: 'sandbox', secretAccessKey: 'sandbox'}

export interface AwsTarget {
  region: string
  profile?: string
  /** Endpoint override: the sandbox URL or a configured stand-in. */
  endpoint?: string
  sandbox: boolean
}

export interface AwsClientConfig {
  region: string
  endpoint?: string
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider
  maxAttempts: number
  /** Socket idle and connect timeouts: a hung endpoint is a retried TimeoutError, never a hang. */
  requestHandler?: {socketTimeout: number; connectionTimeout: number}
}

/** Idle time on a socket before the SDK gives up on the attempt (and retries): $IMPRESS_AWS_SOCKET_TIMEOUT_MS, default 60 s. */
export function awsTimeouts(env: NodeJS.ProcessEnv = process.env): {socketTimeout: number; connectionTimeout: number} {
  const n = Number(env.IMPRESS_AWS_SOCKET_TIMEOUT_MS)
  const socketTimeout = Number.isFinite(n) && n > 0 ? n : 60_000
  return {socketTimeout, connectionTimeout: Math.min(5_000, socketTimeout)}
}

export async function awsClientConfig(target: AwsTarget): Promise<AwsClientConfig> {
  // The SDK warns on every run under Node 20 (supported until 2027); the README says so once.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  if (target.sandbox) {
    process.env.AWS_EC2_METADATA_DISABLED = 'true'
    return {region: target.region, endpoint: target.endpoint, credentials: SANDBOX_CREDENTIALS, maxAttempts: 5, requestHandler: awsTimeouts()}
  }
  const {fromNodeProviderChain} = awsSdk('@aws-sdk/credential-providers')
  return {
    region: target.region,
    endpoint: target.endpoint,
    credentials: fromNodeProviderChain(target.profile ? {profile: target.profile} : {}),
    maxAttempts: 5,
    requestHandler: awsTimeouts(),
  }
}
