/** What the Lambda emulation models (see ../../catalog.ts); anything else is refused 501. */
import type {ServiceCatalog} from '../../catalog.js'

const PAGED = ['Marker', 'MaxItems']

export const lambdaCatalog: ServiceCatalog = {
  title: 'AWS Lambda',
  protocol: 'rest-json',
  reference: 'https://docs.aws.amazon.com/lambda/latest/api/',
  operations: {
    ListFunctions: {params: [...PAGED, 'FunctionVersion'], note: 'page size capped at 4 so pagination is exercised'},
    GetFunction: {params: ['Qualifier']},
    GetFunctionConfiguration: {params: ['Qualifier'], note: 'KMSKeyArn when a customer managed key encrypts the environment (demo: all modules but message)'},
    UpdateFunctionCode: {body: ['ZipFile', 'RevisionId', 'DryRun', 'Publish'], note: 'ZipFile only; Publish=true refused (use PublishVersion)'},
    PublishVersion: {body: ['CodeSha256', 'Description', 'RevisionId']},
    ListVersionsByFunction: {params: PAGED},
    ListAliases: {params: [...PAGED, 'FunctionVersion']},
    GetAlias: {},
    CreateAlias: {body: ['Name', 'FunctionVersion', 'Description', 'RoutingConfig']},
    UpdateAlias: {body: ['FunctionVersion', 'Description', 'RoutingConfig', 'RevisionId']},
    DeleteAlias: {},
    DeleteFunction: {params: ['Qualifier']},
    Invoke: {params: ['Qualifier'], headers: ['x-amz-invocation-type', 'x-amz-log-type']},
    ListTags: {},
    TagResource: {body: ['Tags']},
    UntagResource: {params: ['tagKeys']},
  },
  refused: ['CreateFunction', 'UpdateFunctionConfiguration', 'GetAccountSettings', 'GetPolicy', 'AddPermission', 'ListEventSourceMappings', 'ListLayers', 'PutFunctionConcurrency', 'GetFunctionConcurrency'],
  guardedHeaders: /^x-amz-/,
  commonHeaders: ['x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token', 'x-amz-user-agent'],
}
