/**
 * Encryption at rest as AWS reports it, for the security report's data.encryption claim:
 * Aurora StorageEncrypted (DescribeDBClusters), the KMS key of each Lambda function's
 * environment (GetFunctionConfiguration KMSKeyArn) and each S3 bucket's default encryption
 * (ListBuckets + GetBucketEncryption).
 */
import {OperationError} from '../../errors.js'
import type {AwsClientConfig} from './client-config.js'
import {awsSdk} from './sdk.js'

type AwsFactory = <C extends {destroy(): void}>(Ctor: new (config: AwsClientConfig) => C) => Promise<C>

export interface EncryptionPort {
  auroraCluster(id: string): Promise<{cluster: string; storageEncrypted: boolean; kmsKeyId?: string}>
  lambdaKeys(functions: string[]): Promise<{function: string; kmsKeyArn?: string}[]>
  buckets(): Promise<{name: string; algorithm?: string; kmsKeyId?: string}[]>
}

function fail(op: string, error: unknown): never {
  const e = error as {name?: string; message?: string}
  throw new OperationError(`${op} failed: ${e.name}: ${e.message}`, {code: 'E_AWS', hint: 'Check the network and the read permissions of your AWS identity.', cause: error})
}

export function createEncryptionPort(aws: AwsFactory): EncryptionPort {
  return {
    async auroraCluster(id) {
      const sdk = awsSdk('@aws-sdk/client-rds')
      const client = await aws(sdk.RDSClient)
      const out = await client.send(new sdk.DescribeDBClustersCommand({DBClusterIdentifier: id})).catch((e: unknown) => fail(`RDS DescribeDBClusters ${id}`, e))
      const c = out.DBClusters?.[0]
      if (!c) throw new OperationError(`Aurora cluster ${id} was not found.`, {code: 'E_AWS'})
      return {cluster: id, storageEncrypted: c.StorageEncrypted === true, ...(c.KmsKeyId ? {kmsKeyId: c.KmsKeyId} : {})}
    },
    async lambdaKeys(functions) {
      const sdk = awsSdk('@aws-sdk/client-lambda')
      const client = await aws(sdk.LambdaClient)
      return Promise.all(
        functions.map(async (fn) => {
          const c = await client.send(new sdk.GetFunctionConfigurationCommand({FunctionName: fn})).catch((e: unknown) => fail(`Lambda GetFunctionConfiguration ${fn}`, e))
          return {function: fn, ...(c.KMSKeyArn ? {kmsKeyArn: c.KMSKeyArn} : {})}
        }),
      )
    },
    async buckets() {
      const sdk = awsSdk('@aws-sdk/client-s3')
      const client = await aws(sdk.S3Client)
      const list = await client.send(new sdk.ListBucketsCommand({})).catch((e: unknown) => fail('S3 ListBuckets', e))
      return Promise.all(
        (list.Buckets ?? []).map(async (b) => {
          const name = b.Name ?? ''
          try {
            const r = await client.send(new sdk.GetBucketEncryptionCommand({Bucket: name}))
            const d = r.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault
            return {name, ...(d?.SSEAlgorithm ? {algorithm: d.SSEAlgorithm} : {}), ...(d?.KMSMasterKeyID ? {kmsKeyId: d.KMSMasterKeyID} : {})}
          } catch (error) {
            // Buckets created before 2023 may have no default encryption configured.
            if ((error as {name?: string}).name === 'ServerSideEncryptionConfigurationNotFoundError') return {name}
            return fail(`S3 GetBucketEncryption ${name}`, error)
          }
        }),
      )
    },
  }
}
