/** Who the AWS credentials belong to (STS GetCallerIdentity), for the audit log's actor. */
import type {AwsClientConfig} from './client-config.js'

export async function callerArn(config: AwsClientConfig, timeoutMs = 3000): Promise<string | undefined> {
  const {STSClient, GetCallerIdentityCommand} = await import('@aws-sdk/client-sts')
  const client = new STSClient({...config, maxAttempts: 2})
  try {
    const out = await client.send(new GetCallerIdentityCommand({}), {abortSignal: AbortSignal.timeout(timeoutMs)})
    return out.Arn
  } catch {
    return undefined
  } finally {
    client.destroy()
  }
}
