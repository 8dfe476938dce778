/**
 * The sandbox never answers what it does not model: an operation, a parameter or a
 * range/conditional header outside a service's catalog is refused 501 in that service's own
 * error shape, naming what is not modelled, and nothing changes.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

let sb: TestSandbox
beforeAll(async () => {
  sb = await startTestSandbox()
})
afterAll(async () => {
  await sb.stop()
})

const sig = (service: string) => ({authorization: `AWS4-HMAC-SHA256 Credential=sandbox/20261201/eu-west-1/${service}/aws4_request, SignedHeaders=host, Signature=0`})
const form = (service: string, body: string) => ({method: 'POST', headers: {...sig(service), 'content-type': 'application/x-www-form-urlencoded'}, body})
const awsJson = (service: string, target: string, body: unknown) => ({method: 'POST', headers: {...sig(service), 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target}, body: JSON.stringify(body)})

interface Case {
  what: string
  path: string
  init?: RequestInit
  /** The x-amzn-errortype header (Lambda's REST-JSON errors carry the code there). */
  errorType?: string
  /** Text the error body must contain (the refused thing and the protocol's error code). */
  expect: string[]
}

const cases: Case[] = [
  {what: 'S3 operation', path: '/impress-backups?versions', init: {headers: sig('s3')}, expect: ['<Code>NotImplemented</Code>', 'operation ListObjectVersions']},
  {what: 'S3 unknown parameter on GetObject', path: '/impress-backups/k?versionId=3', init: {headers: sig('s3')}, expect: ['<Code>NotImplemented</Code>', 'parameter &quot;versionId&quot; of GetObject']},
  {what: 'S3 x-amz header', path: '/impress-backups/k', init: {method: 'PUT', headers: {...sig('s3'), 'x-amz-storage-class': 'GLACIER'}, body: 'x'}, expect: ['<Code>NotImplemented</Code>', 'header x-amz-storage-class on PutObject']},
  {what: 'Lambda operation', path: '/2016-08-19/account-settings/', init: {headers: sig('lambda')}, errorType: 'NotImplemented', expect: ['operation GET /2016-08-19/account-settings/']},
  {what: 'Lambda body member', path: '/2015-03-31/functions/impress-pdf/code', init: {method: 'PUT', headers: sig('lambda'), body: JSON.stringify({S3Bucket: 'b', S3Key: 'k'})}, errorType: 'NotImplemented', expect: ['body member \\"S3Bucket\\" of UpdateFunctionCode']},
  {what: 'Lambda If-Match', path: '/2015-03-31/functions/impress-pdf', init: {headers: {...sig('lambda'), 'if-match': '*'}}, errorType: 'NotImplemented', expect: ['header if-match on GetFunction']},
  {what: 'RDS action', path: '/', init: form('rds', 'Action=CreateDBCluster&Version=2014-10-31&DBClusterIdentifier=x'), expect: ['<Code>NotImplemented</Code>', 'operation CreateDBCluster']},
  {what: 'RDS parameter', path: '/', init: form('rds', 'Action=DescribeDBClusters&Version=2014-10-31&IncludeAll=true'), expect: ['<Code>NotImplemented</Code>', 'parameter &quot;IncludeAll&quot; of DescribeDBClusters']},
  {what: 'IAM action', path: '/', init: form('iam', 'Action=ListRoles&Version=2010-05-08'), expect: ['<Code>NotImplemented</Code>', 'operation ListRoles']},
  {what: 'STS action', path: '/', init: form('sts', 'Action=AssumeRole&Version=2011-06-15'), expect: ['<Code>NotImplemented</Code>', 'operation AssumeRole']},
  {what: 'Secrets Manager parameter', path: '/', init: awsJson('secretsmanager', 'secretsmanager.ListSecrets', {Filters: [{Key: 'name', Values: ['x']}]}), expect: ['"__type":"NotImplemented"', 'parameter \\"Filters\\" of ListSecrets']},
  {what: 'CloudWatch operation (JSON)', path: '/', init: {...awsJson('monitoring', 'GraniteServiceVersion20100801.ListMetrics', {}), headers: {...sig('monitoring'), 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'GraniteServiceVersion20100801.ListMetrics'}}, expect: ['NotImplemented', 'operation ListMetrics']},
  {what: 'CloudWatch query protocol', path: '/', init: form('monitoring', 'Action=ListMetrics&Version=2010-08-01'), expect: ['<Code>NotImplemented</Code>', 'operation ListMetrics (query protocol)']},
  {what: 'GitHub endpoint', path: '/github/orgs/impress/repos', init: {headers: {authorization: 'token x'}}, expect: ['"message"', 'operation GET /orgs/impress/repos']},
  {what: 'GitHub parameter', path: '/github/orgs/impress/members?since=4', init: {headers: {authorization: 'token x'}}, expect: ['"message"', 'parameter \\"since\\" of orgs/list-members']},
  {what: 'Cloudflare ordering', path: '/cloudflare/client/v4/accounts/a/members?order=email', expect: ['"success":false', 'parameter \\"order\\" of accounts.members.list']},
  {what: 'Google filter', path: '/google/admin/directory/v1/users?customer=my_customer&query=isSuspended%3Dtrue', expect: ['"error"', 'parameter \\"query\\" of directory.users.list']},
  {what: 'Auth0 filter on clients', path: '/auth0/impress-sandbox.eu.auth0.com/api/v2/clients?app_type=spa', expect: ['"errorCode":"NotImplemented"', 'parameter \\"app_type\\" of GET /clients']},
  {what: 'Auth0 write', path: '/auth0/impress-sandbox.eu.auth0.com/api/v2/users/auth0%7C1', init: {method: 'DELETE'}, expect: ['"statusCode":501', 'operation DELETE /users/{id}']},
  {what: 'RTDB export format', path: '/users.json?ns=impress-sandbox&format=export', expect: ['"error"', 'parameter \\"format\\" of Get']},
  {what: 'RTDB conditional write', path: '/users/x.json?ns=impress-sandbox', init: {method: 'PUT', headers: {'if-match': 'abc'}, body: '1'}, expect: ['"error"', 'header if-match on Put']},
  {what: 'RTDB ETag request', path: '/users.json?ns=impress-sandbox', init: {headers: {'x-firebase-etag': 'true'}}, expect: ['"error"', 'header x-firebase-etag on Get']},
  {what: 'Firestore document patch', path: '/v1/projects/p/databases/(default)/documents/users/user1', init: {method: 'PATCH', body: '{}'}, expect: ['"UNIMPLEMENTED"', 'operation documents.patch']},
  {what: 'Firestore batchGet mask', path: '/v1/projects/p/databases/(default)/documents:batchGet', init: {method: 'POST', body: JSON.stringify({documents: [], mask: {fieldPaths: ['a']}})}, expect: ['"UNIMPLEMENTED"', 'body member \\"mask\\" of batchGet']},
]

describe('the sandbox refuses what it does not model', () => {
  it.each(cases)('$what → 501 naming it', async (c) => {
    const r = await fetch(`${sb.url}${c.path}`, c.init)
    const text = await r.text()
    expect(r.status, text).toBe(501)
    if (c.errorType) expect(r.headers.get('x-amzn-errortype')).toBe(c.errorType)
    for (const e of c.expect) expect(text).toContain(e)
  })

  it('a refused request changes nothing and is counted with status 501', async () => {
    const before = await (await fetch(`${sb.url}/_sandbox/platform`)).json()
    const r = await fetch(`${sb.url}/impress-backups/k`, {method: 'PUT', headers: {...sig('s3'), 'x-amz-tagging': 'a=b'}, body: 'data'})
    expect(r.status).toBe(501)
    expect(await (await fetch(`${sb.url}/_sandbox/platform`)).json()).toEqual(before)
    const log = (await (await fetch(`${sb.url}/_sandbox/requests?service=s3&log=1`)).json()) as {log: {operation: string; status: number}[]}
    expect(log.log.at(-1)).toMatchObject({operation: 'PutObject', status: 501})
  })
})
