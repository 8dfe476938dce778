/**
 * What the CloudWatch Logs emulation models (see ../../catalog.ts; SPEC.md beside it). Parameters
 * are checked by each handler (a filter pattern or option it does not model is refused 501 there).
 * Add an operation with one line here.
 */
import type {ServiceCatalog} from '../../catalog.js'

const ANY = {params: ['*'], note: 'parameters checked by the handler'}

export const logsCatalog: ServiceCatalog = {
  title: 'Amazon CloudWatch Logs',
  protocol: 'aws-json',
  reference: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/',
  operations: {
    CreateLogGroup: ANY,
    DeleteLogGroup: ANY,
    CreateLogStream: ANY,
    DescribeLogStreams: ANY,
    PutLogEvents: ANY,
    FilterLogEvents: {params: ['*'], note: 'filter pattern syntax: terms, phrases, exclusions, ? terms, JSON = / != (other forms refused 501)'},
    DescribeLogGroups: ANY,
    PutRetentionPolicy: ANY,
    DeleteRetentionPolicy: ANY,
    PutMetricFilter: ANY,
    DeleteMetricFilter: ANY,
    DescribeMetricFilters: ANY,
    StartQuery: {params: ['*'], note: 'Logs Insights subset: fields, filter (like /re/, =, != joined by and), stats count(*) by bin()/field, sort, limit; other commands refused 501'},
    GetQueryResults: {params: ['queryId'], note: 'Running on the first poll, then Complete with rows and statistics'},
    StopQuery: ANY,
  },
  refused: ['DescribeQueries', 'GetLogRecord', 'GetLogEvents', 'StartLiveTail', 'TagResource'],
}
