/** The alarms port over @aws-sdk/client-cloudwatch: DescribeAlarms (paged), PutMetricAlarm, DeleteAlarms. */
import {OperationError} from '../../errors.js'
import type {AlarmsPort, AlarmInfo} from '../../monitor/ports.js'
import type {AwsClientConfig} from './client-config.js'
import {awsSdk} from './sdk.js'

type AwsFactory = <C extends {destroy(): void}>(Ctor: new (config: AwsClientConfig) => C) => Promise<C>

function awsError(op: string, error: unknown): never {
  const e = error as {name?: string; message?: string}
  throw new OperationError(`CloudWatch ${op} failed: ${e.name}: ${e.message}`, {code: 'E_AWS', hint: 'Check the network and the cloudwatch:* permissions of your AWS identity.', cause: error})
}

const topicName = (arn: string) => arn.split(':').at(-1) ?? arn

export async function createAlarmsPort(aws: AwsFactory): Promise<AlarmsPort> {
  const sdk = awsSdk('@aws-sdk/client-cloudwatch')
  const client = await aws(sdk.CloudWatchClient)
  return {
    async list(prefix) {
      const out: AlarmInfo[] = []
      try {
        for await (const page of sdk.paginateDescribeAlarms({client}, {AlarmNamePrefix: prefix, AlarmTypes: ['MetricAlarm']})) {
          for (const a of page.MetricAlarms ?? []) {
            const updated = a.StateUpdatedTimestamp?.toISOString()
            out.push({
              name: a.AlarmName ?? '',
              description: a.AlarmDescription ?? '',
              namespace: a.Namespace ?? '',
              metricName: a.MetricName ?? '',
              dimensions: (a.Dimensions ?? []).map((d) => ({name: d.Name ?? '', value: d.Value ?? ''})),
              statistic: a.Statistic ?? a.ExtendedStatistic ?? '',
              period: a.Period ?? 0,
              evaluationPeriods: a.EvaluationPeriods ?? 0,
              threshold: a.Threshold ?? 0,
              comparison: a.ComparisonOperator ?? '',
              ...(a.TreatMissingData ? {treatMissingData: a.TreatMissingData} : {}),
              topics: (a.AlarmActions ?? []).map(topicName),
              actionsEnabled: a.ActionsEnabled !== false,
              state: (a.StateValue ?? 'INSUFFICIENT_DATA') as AlarmInfo['state'],
              stateReason: a.StateReason ?? '',
              ...(updated ? {stateUpdatedAt: updated} : {}),
              ...(a.StateValue === 'ALARM' && a.StateTransitionedTimestamp ? {lastAlarmAt: a.StateTransitionedTimestamp.toISOString()} : {}),
            })
          }
        }
      } catch (error) {
        awsError('DescribeAlarms', error)
      }
      return out
    },
    async put(spec, topicArns) {
      await client
        .send(
          new sdk.PutMetricAlarmCommand({
            AlarmName: spec.name,
            AlarmDescription: spec.description,
            ActionsEnabled: true,
            AlarmActions: topicArns,
            MetricName: spec.metricName,
            Namespace: spec.namespace,
            Statistic: spec.statistic,
            Dimensions: spec.dimensions.map((d) => ({Name: d.name, Value: d.value})),
            Period: spec.period,
            EvaluationPeriods: spec.evaluationPeriods,
            Threshold: spec.threshold,
            ComparisonOperator: spec.comparison,
            TreatMissingData: spec.treatMissingData,
          }),
        )
        .catch((e: unknown) => awsError('PutMetricAlarm', e))
    },
    async delete(names) {
      for (let i = 0; i < names.length; i += 100) {
        await client.send(new sdk.DeleteAlarmsCommand({AlarmNames: names.slice(i, i + 100)})).catch((e: unknown) => {
          if ((e as {name?: string}).name !== 'ResourceNotFound') awsError('DeleteAlarms', e) // already gone: a rerun
        })
      }
    },
  }
}
