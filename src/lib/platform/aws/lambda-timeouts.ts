/** Function timeouts (GetFunctionConfiguration), for the Duration alarms near each timeout. */
import {OperationError} from '../../errors.js'
import type {AwsClientConfig} from './client-config.js'
import {awsSdk} from './sdk.js'

type AwsFactory = <C extends {destroy(): void}>(Ctor: new (config: AwsClientConfig) => C) => Promise<C>

export async function functionTimeouts(aws: AwsFactory, functions: string[]): Promise<Record<string, number>> {
  const sdk = awsSdk('@aws-sdk/client-lambda')
  const client = await aws(sdk.LambdaClient)
  const out: Record<string, number> = {}
  await Promise.all(
    functions.map(async (fn) => {
      try {
        const c = await client.send(new sdk.GetFunctionConfigurationCommand({FunctionName: fn}))
        out[fn] = c.Timeout ?? 3
      } catch (error) {
        const e = error as {name?: string; message?: string}
        throw new OperationError(`Lambda GetFunctionConfiguration ${fn} failed: ${e.name}: ${e.message}`, {code: 'E_AWS', hint: 'Check that the function exists and lambda:GetFunctionConfiguration is allowed.', cause: error})
      }
    }),
  )
  return out
}
