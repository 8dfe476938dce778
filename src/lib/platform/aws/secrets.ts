/**
 * AWS Secrets Manager as the roles capability's secret store (PutSecretValue with a client
 * request token, so a retried call creates one version; GetSecretValue to keep the other
 * fields of a stored JSON document).
 */
import type {SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import type {AuditKeyStore} from '../../audit/sign.js'
import type {Context} from '../../context.js'
import {OperationError} from '../../errors.js'
import type {SecretStorePort} from '../../roles/ports.js'
import {awsSdk} from './sdk.js'

export class SecretsManagerStore implements SecretStorePort, AuditKeyStore {
  constructor(private readonly client: () => Promise<SecretsManagerClient>) {}

  async current(secretId: string): Promise<string | undefined> {
    const {GetSecretValueCommand} = awsSdk('@aws-sdk/client-secrets-manager')
    try {
      const r = await (await this.client()).send(new GetSecretValueCommand({SecretId: secretId}))
      return r.SecretString
    } catch (error) {
      if ((error as {name?: string}).name === 'ResourceNotFoundException') return undefined
      throw error
    }
  }

  /** A version of the secret with its id (the audit log's signing key; see audit/sign.ts). */
  async read(secretId: string, versionId?: string): Promise<{value: string; versionId: string} | undefined> {
    const {GetSecretValueCommand} = awsSdk('@aws-sdk/client-secrets-manager')
    try {
      const r = await (await this.client()).send(new GetSecretValueCommand({SecretId: secretId, ...(versionId ? {VersionId: versionId} : {})}))
      return r.SecretString !== undefined && r.VersionId ? {value: r.SecretString, versionId: r.VersionId} : undefined
    } catch (error) {
      if ((error as {name?: string}).name === 'ResourceNotFoundException') return undefined
      throw error
    }
  }

  async put(secretId: string, value: string, token: string): Promise<{arn: string; versionId: string}> {
    const {PutSecretValueCommand} = awsSdk('@aws-sdk/client-secrets-manager')
    const r = await (await this.client()).send(new PutSecretValueCommand({SecretId: secretId, SecretString: value, ClientRequestToken: token}))
    if (!r.ARN || !r.VersionId) throw new OperationError(`Secrets Manager stored ${secretId} but returned no ARN or version.`)
    return {arn: r.ARN, versionId: r.VersionId}
  }
}

/** The environment's Secrets Manager as a secret store (the client is built on first use). */
export function secretsManagerStore(ctx: Context): SecretsManagerStore {
  const {SecretsManagerClient: Client} = awsSdk('@aws-sdk/client-secrets-manager')
  return new SecretsManagerStore(() => ctx.aws(Client))
}
