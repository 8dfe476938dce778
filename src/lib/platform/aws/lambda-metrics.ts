/**
 * Canary probe over CloudWatch: the `Errors` and `Invocations` metrics (namespace AWS/Lambda) of
 * the new version as reached through the alias, i.e. the dimensions FunctionName,
 * Resource = `function:alias` and ExecutedVersion = version, which Lambda publishes for alias
 * invocations so that the two versions behind a weighted alias can be compared
 * (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics.html). One GetMetricData
 * request per check, both metrics, Sum per minute (Lambda sends metrics in 1-minute intervals).
 */
import type {CloudWatchClient} from '@aws-sdk/client-cloudwatch'
import {OperationError} from '../../errors.js'
import type {CanaryProbe} from '../../lambda/ports.js'
import {awsSdk} from './sdk.js'

export class CloudWatchErrorsProbe implements CanaryProbe {
  constructor(
    private readonly client: CloudWatchClient,
    private readonly alias: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async errors(fn: string, version: string, since: Date): Promise<{errors: number; samples: number}> {
    const {GetMetricDataCommand} = awsSdk('@aws-sdk/client-cloudwatch')
    const metric = (id: string, name: string) => ({
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/Lambda',
          MetricName: name,
          Dimensions: [
            {Name: 'FunctionName', Value: fn},
            {Name: 'Resource', Value: `${fn}:${this.alias}`},
            {Name: 'ExecutedVersion', Value: version},
          ],
        },
        Period: 60,
        Stat: 'Sum',
      },
    })
    // The version is new: any datapoint of it through the alias belongs to this canary. The minute
    // `since` falls in is included whole (datapoints are stamped at the start of their minute).
    const start = new Date(Math.floor(since.getTime() / 60_000) * 60_000)
    const end = new Date(Math.max(this.now().getTime(), start.getTime()) + 60_000)
    const total = {errors: 0, invocations: 0}
    try {
      let token: string | undefined
      do {
        const out = await this.client.send(new GetMetricDataCommand({StartTime: start, EndTime: end, MetricDataQueries: [metric('errors', 'Errors'), metric('invocations', 'Invocations')], NextToken: token}))
        for (const r of out.MetricDataResults ?? []) {
          const sum = (r.Values ?? []).reduce((s, v) => s + v, 0)
          if (r.Id === 'errors') total.errors += sum
          else if (r.Id === 'invocations') total.invocations += sum
        }
        token = out.NextToken
      } while (token)
    } catch (error) {
      const e = error as {name?: string; message?: string}
      throw new OperationError(`CloudWatch GetMetricData for ${fn}:${this.alias} (version ${version}) failed: ${e.name}: ${e.message}`, {
        code: 'E_AWS',
        hint: 'Check the network and the CloudWatch permission cloudwatch:GetMetricData; the canary is rolled back.',
        cause: error,
      })
    }
    return {errors: total.errors, samples: total.invocations}
  }
}
