/**
 * AWS STS, query protocol (https://docs.aws.amazon.com/STS/latest/APIReference/):
 * GetCallerIdentity, so tools learn who they act as (the audit log's actor).
 * See SPEC.md next to this file.
 */
import type {ServiceCatalog} from '../catalog.js'
import type {ServiceFactory} from '../types.js'
import {AwsFault, queryAction, renderQueryFault, sendQueryError, sendQueryResult} from '../aws/query.js'

export const SANDBOX_ACCOUNT = '000000000000'
const NS = 'https://sts.amazonaws.com/doc/2011-06-15/'

export const stsCatalog: ServiceCatalog = {
  title: 'AWS STS',
  protocol: 'aws-query',
  reference: 'https://docs.aws.amazon.com/STS/latest/APIReference/',
  operations: {GetCallerIdentity: {}},
  refused: ['AssumeRole', 'GetSessionToken', 'GetAccessKeyInfo', 'DecodeAuthorizationMessage'],
}

export const stsService: ServiceFactory = () => ({
  name: 'sts',
  catalog: stsCatalog,
  handlerNames: () => ['GetCallerIdentity'],
  matches: (req) => req.awsService === 'sts' || (req.method === 'POST' && req.form().get('Version') === '2011-06-15'),
  operation: (req) => queryAction(req),
  handle(req, res) {
    const action = queryAction(req)
    try {
      if (action === 'GetCallerIdentity') {
        const user = userFor(req.awsAccessKey)
        sendQueryResult(res, action, NS, {Arn: `arn:aws:iam::${SANDBOX_ACCOUNT}:user/${user}`, UserId: `AIDA${user.toUpperCase().replace(/[^A-Z0-9]/g, '')}`, Account: SANDBOX_ACCOUNT})
        return
      }
      throw new AwsFault(400, 'InvalidAction', `The action ${action} is not valid for this web service.`)
    } catch (error) {
      if (error instanceof AwsFault) sendQueryError(res, error.status, error.code, error.message)
      else throw error
    }
  },
  renderError: (_req, res, error) => renderQueryFault(res, error),
})

/** The sandbox's fake credentials are named after the person: AKIA…/sandbox → sandbox-operator. */
function userFor(accessKey: string | undefined): string {
  if (!accessKey || accessKey === 'sandbox' || accessKey.startsWith('AKIASANDBOX')) return 'sandbox-operator'
  return accessKey.toLowerCase()
}
