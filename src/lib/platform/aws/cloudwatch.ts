/** The metrics port over @aws-sdk/client-cloudwatch: AuroraReplicaLag through GetMetricData. */
import {OperationError} from '../../errors.js'
import type {MetricsPort} from '../../aurora/ports.js'
import type {RdsAdapterDeps} from './rds.js'
import {awsSdk} from './sdk.js'

export async function createCloudWatchPort(deps: Pick<RdsAdapterDeps, 'aws'>, now: () => Date = () => new Date()): Promise<MetricsPort> {
  const sdk = awsSdk('@aws-sdk/client-cloudwatch')
  const client = await deps.aws(sdk.CloudWatchClient)
  return {
    async replicaLagMs(instanceIds) {
      if (instanceIds.length === 0) return {}
      const end = now()
      const queries = instanceIds.map((id, n) => ({
        Id: `lag${n}`,
        MetricStat: {Metric: {Namespace: 'AWS/RDS', MetricName: 'AuroraReplicaLag', Dimensions: [{Name: 'DBInstanceIdentifier', Value: id}]}, Period: 60, Stat: 'Maximum'},
      }))
      const out: Record<string, number | undefined> = Object.fromEntries(instanceIds.map((id) => [id, undefined]))
      try {
        let token: string | undefined
        do {
          const r = await client.send(new sdk.GetMetricDataCommand({StartTime: new Date(end.getTime() - 5 * 60_000), EndTime: end, MetricDataQueries: queries, ScanBy: 'TimestampDescending', NextToken: token}))
          for (const res of r.MetricDataResults ?? []) {
            const id = instanceIds[Number((res.Id ?? '').slice(3))]
            if (id !== undefined && out[id] === undefined && res.Values && res.Values.length > 0) out[id] = res.Values[0]
          }
          token = r.NextToken
        } while (token)
      } catch (error) {
        const e = error as {name?: string; message?: string}
        throw new OperationError(`CloudWatch GetMetricData failed: ${e.name}: ${e.message}`, {code: 'E_AWS', hint: 'Check the network and CloudWatch permissions (cloudwatch:GetMetricData).', cause: error})
      }
      return out
    },
  }
}
