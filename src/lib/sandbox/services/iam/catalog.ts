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
    // impress access revoke: what a user holds, and its removal in the order IAM requires before DeleteUser
    ListGroupsForUser: {params: ['UserName', ...PAGED]},
    ListAttachedUserPolicies: {params: ['UserName', 'PathPrefix', ...PAGED]},
    ListUserPolicies: {params: ['UserName', ...PAGED]},
    DeleteAccessKey: {params: ['UserName', 'AccessKeyId']},
    DeleteLoginProfile: {params: ['UserName']},
    DeactivateMFADevice: {params: ['UserName', 'SerialNumber']},
    RemoveUserFromGroup: {params: ['UserName', 'GroupName']},
    DetachUserPolicy: {params: ['UserName', 'PolicyArn']},
    DeleteUserPolicy: {params: ['UserName', 'PolicyName']},
    DeleteUser: {params: ['UserName'], note: 'refused (DeleteConflict) while the user still holds keys, a password, MFA, groups or policies'},
  },
  refused: ['GetUser', 'ListRoles', 'ListGroups', 'ListPolicies', 'GetAccountPasswordPolicy'],
}
