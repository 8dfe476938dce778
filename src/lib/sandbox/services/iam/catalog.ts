/** What the IAM emulation models (see ../../catalog.ts); anything else is refused 501. Add an operation with one line here. */
import type {ServiceCatalog} from '../../catalog.js'

const PAGED = ['Marker', 'MaxItems']

export const iamCatalog: ServiceCatalog = {
  title: 'AWS IAM',
  protocol: 'aws-query',
  reference: 'https://docs.aws.amazon.com/IAM/latest/APIReference/',
  operations: {
    ListUsers: {params: ['PathPrefix', ...PAGED]},
    ListMFADevices: {params: ['UserName', ...PAGED], note: 'UserName required (the caller\'s own devices are not modelled)'},
    GetLoginProfile: {params: ['UserName']},
    ListAccessKeys: {params: ['UserName', ...PAGED]},
    GetAccountSummary: {},
    GenerateCredentialReport: {},
    GetCredentialReport: {},
  },
  refused: ['GetUser', 'ListRoles', 'ListGroups', 'ListPolicies', 'ListAttachedUserPolicies', 'GetAccountPasswordPolicy'],
}
