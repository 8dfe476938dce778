/**
 * What the CloudWatch emulation models (see ../../catalog.ts): the AWS JSON 1.0 flavour the SDK
 * speaks, and the alarm operations over the query protocol too (older AWS CLIs); other
 * query-protocol requests are named `<Action> (query protocol)` and refused. Add an operation with one line here.
 */
import type {ServiceCatalog} from '../../catalog.js'

export const cloudwatchCatalog: ServiceCatalog = {
  title: 'Amazon CloudWatch (metrics)',
  protocol: 'aws-json',
  reference: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/',
  operations: {
    GetMetricData: {params: ['MetricDataQueries', 'StartTime', 'EndTime', 'ScanBy', 'NextToken'], note: 'AWS/RDS AuroraReplicaLag, AWS/Lambda Invocations and Errors; no metric math'},
    PutMetricAlarm: {params: ['AlarmName', 'AlarmDescription', 'ActionsEnabled', 'OKActions*', 'AlarmActions*', 'InsufficientDataActions*', 'MetricName', 'Namespace', 'Statistic', 'ExtendedStatistic', 'Dimensions*', 'Period', 'Unit', 'EvaluationPeriods', 'DatapointsToAlarm', 'Threshold', 'ComparisonOperator', 'TreatMissingData', 'EvaluateLowSampleCountPercentile', 'Metrics*', 'ThresholdMetricId', 'Tags*'], note: 'metric alarms evaluated on the sandbox clock; tags refused'},
    DescribeAlarms: {params: ['AlarmNames*', 'AlarmNamePrefix', 'AlarmTypes*', 'StateValue', 'ActionPrefix', 'MaxRecords', 'NextToken', 'ParentsOfAlarmName', 'ChildrenOfAlarmName'], note: 'metric alarms only (composite alarms: empty list)'},
    DeleteAlarms: {params: ['AlarmNames*']},
    SetAlarmState: {params: ['AlarmName', 'StateValue', 'StateReason', 'StateReasonData']},
  },
  refused: ['ListMetrics', 'GetMetricStatistics', 'PutMetricData', 'DescribeAlarmHistory', 'PutCompositeAlarm'],
}
