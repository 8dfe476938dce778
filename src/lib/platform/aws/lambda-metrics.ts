/**
 * Canary probe for real AWS: the CloudWatch `Errors` and `Invocations` metrics (namespace
 * AWS/Lambda) of the new version, reached through the alias (dimensions FunctionName,
 * Resource = function:alias, ExecutedVersion = version).
 */
import type {CloudWatchClient} from '@aws-sdk/client-cloudwatch'
import type {CanaryProbe} from '../../lambda/ports.js'
import {translateLambdaError} from './lambda.js'
import {awsSdk} from './sdk.js'

export class CloudWatchErrorsProbe implements CanaryProbe {
  constructor(
    private readonly client: CloudWatchClient,
    private readonly alias: string,
  ) {}

  async errors(fn: string, version: string, since: Date): Promise<{errors: number; samples: number}> {
    const {GetMetricStatisticsCommand} = awsSdk('@aws-sdk/client-cloudwatch')
    const sum = async (metric: string) => {
      const out = await this.client.send(
        new GetMetricStatisticsCommand({
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Dimensions: [
            {Name: 'FunctionName', Value: fn},
            {Name: 'Resource', Value: `${fn}:${this.alias}`},
            {Name: 'ExecutedVersion', Value: version},
          ],
          StartTime: new Date(since.getTime() - 60_000),
          EndTime: new Date(),
          Period: 60,
          Statistics: ['Sum'],
        }),
      )
      return (out.Datapoints ?? []).reduce((s, d) => s + (d.Sum ?? 0), 0)
    }
    try {
      const [errors, samples] = await Promise.all([sum('Errors'), sum('Invocations')])
      return {errors, samples}
    } catch (error) {
      throw translateLambdaError(error, `CloudWatch metrics of ${fn}:${version}`)
    }
  }
}
