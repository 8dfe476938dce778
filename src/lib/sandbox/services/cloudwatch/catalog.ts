/**
 * What the CloudWatch emulation models (see ../../catalog.ts): the AWS JSON 1.0 flavour the SDK
 * speaks. Query-protocol requests (older AWS CLIs) are named `<Action> (query protocol)` and
 * refused. Add an operation with one line here.
 */
import type {ServiceCatalog} from '../../catalog.js'

export const cloudwatchCatalog: ServiceCatalog = {
  title: 'Amazon CloudWatch (metrics)',
  protocol: 'aws-json',
  reference: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/',
  operations: {
    GetMetricData: {params: ['MetricDataQueries', 'StartTime', 'EndTime', 'ScanBy', 'NextToken'], note: 'AWS/RDS AuroraReplicaLag, AWS/Lambda Invocations and Errors; no metric math'},
  },
  refused: ['ListMetrics', 'GetMetricStatistics', 'PutMetricData', 'DescribeAlarms', 'PutMetricAlarm'],
}
