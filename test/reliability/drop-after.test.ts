/**
 * The sandbox's `drop-after` fault: the call takes effect, then its answer is lost (the
 * connection is destroyed before any byte of the response). It is what a real client sees when a
 * network path dies after the service applied a write, the most likely source of duplicates on
 * retry. `drop` (before the handler) is its counterpart: no effect.
 */
import {CreateSecretCommand, DescribeSecretCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {LambdaClient} from '@aws-sdk/client-lambda'
import {AwsLambdaAdapter} from '../../src/lib/platform/aws/lambda.js'
import {createRdsPort} from '../../src/lib/platform/aws/rds.js'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {awsTestConfig, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

let sb: TestSandbox
beforeAll(async () => {
  sb = await startTestSandbox()
})
afterAll(async () => {
  await sb?.stop()
})

const fault = (rule: object) => fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', body: JSON.stringify(rule)})
const log = async () => ((await (await fetch(`${sb.url}/_sandbox/requests?log=1`)).json()) as {log: {operation: string; fault?: string}[]}).log

describe('sandbox fault: drop-after (the effect happens, the answer is lost)', () => {
  it('a dropped answer after CreateSecret: the client fails, the secret exists; `drop` before it: no secret', async () => {
    const sm = new SecretsManagerClient({...awsTestConfig(sb.url), maxAttempts: 1})
    expect((await fault({service: 'secretsmanager', operation: 'CreateSecret', kind: 'drop-after', times: 1})).status).toBe(201)
    await expect(sm.send(new CreateSecretCommand({Name: 'rel/after', SecretString: 'x'}))).rejects.toThrow(/socket hang up|ECONNRESET|closed/i)
    await expect(sm.send(new DescribeSecretCommand({SecretId: 'rel/after'}))).resolves.toMatchObject({Name: 'rel/after'})

    await fault({service: 'secretsmanager', operation: 'CreateSecret', kind: 'drop', times: 1})
    await expect(sm.send(new CreateSecretCommand({Name: 'rel/before', SecretString: 'x'}))).rejects.toThrow(/socket hang up|ECONNRESET|closed/i)
    await expect(sm.send(new DescribeSecretCommand({SecretId: 'rel/before'}))).rejects.toMatchObject({name: 'ResourceNotFoundException'})

    const faulted = (await log()).filter((l) => l.fault)
    expect(faulted.map((l) => [l.operation, l.fault])).toEqual([['CreateSecret', 'drop-after'], ['CreateSecret', 'drop']])
  })

  it('the SDK retry after a lost answer meets the effect already applied (the duplicate a command must handle)', async () => {
    const sm = new SecretsManagerClient({...awsTestConfig(sb.url), maxAttempts: 3})
    await fault({service: 'secretsmanager', operation: 'CreateSecret', kind: 'drop-after', times: 1})
    // the first attempt created it; the retry is told it exists
    await expect(sm.send(new CreateSecretCommand({Name: 'rel/retried', SecretString: 'x'}))).rejects.toMatchObject({name: 'ResourceExistsException'})
  })

  it('a REST write (RTDB PUT) is applied before its answer is dropped; the rule expires after `times`', async () => {
    await fault({service: 'rtdb', kind: 'drop-after', times: 1})
    const url = `${sb.url}/rel/item.json?ns=impress-sandbox-scratch&auth=owner`
    await expect(fetch(url, {method: 'PUT', body: JSON.stringify({v: 1})})).rejects.toThrow()
    const got = await fetch(url)
    expect(got.status).toBe(200)
    expect(await got.json()).toEqual({v: 1})
    const again = await fetch(url, {method: 'PUT', body: JSON.stringify({v: 2})})
    expect(again.status).toBe(200)
  })

  it('lambda prune: a version deletion whose answer is lost is retried by the SDK and counts as done, not "not found" (exit 2)', async () => {
    // found by the campaign: lambda prune, DeleteFunction drop-after x1 stopped with exit 2
    const lambda = new AwsLambdaAdapter(new LambdaClient({...awsTestConfig(sb.url), maxAttempts: 3}), {requestsPerSecond: 1000})
    await fault({service: 'lambda', operation: 'DeleteFunction', kind: 'drop-after', times: 1})
    await expect(lambda.deleteVersion('impress-etl', '1')).resolves.toBeUndefined()
    expect((await log()).filter((l) => l.operation === 'DeleteFunction').map((l) => l.fault ?? 'none')).toEqual(['drop-after', 'none'])
    expect((await lambda.listVersions('impress-etl')).map((v) => v.version)).not.toContain('1')
  })

  it('aurora snapshot: a snapshot whose create answer is lost is the one returned on the SDK retry, not an "already exists" stop', async () => {
    // found by the campaign: CreateDBClusterSnapshot drop-after x1 stopped the command, and its rerun took a second snapshot
    const rds = await createRdsPort({aws: async (Ctor) => new Ctor(awsTestConfig(sb.url)), timeScale: async () => 0.001})
    await fault({service: 'rds', operation: 'CreateDBClusterSnapshot', kind: 'drop-after', times: 1})
    const snap = await rds.createSnapshot('impress-sandbox', 'rel-lost-answer', {reason: 'test'})
    expect(snap).toMatchObject({id: 'rel-lost-answer', clusterId: 'impress-sandbox'})
    expect((await log()).filter((l) => l.operation === 'CreateDBClusterSnapshot').map((l) => l.fault ?? 'none')).toEqual(['drop-after', 'none'])
    expect((await rds.listSnapshots('impress-sandbox')).filter((x) => x.id === 'rel-lost-answer')).toHaveLength(1)
  })

  it('clearing the faults lets a request held by a latency fault go at once (a test holds a call, then releases it)', async () => {
    await fault({service: 'sts', kind: 'latency', ms: 60_000, times: 1})
    const started = Date.now()
    const held = fetch(sb.url, {method: 'POST', headers: {'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=sandbox/20261203/eu-west-1/sts/aws4_request, SignedHeaders=host, Signature=x'}, body: 'Action=GetCallerIdentity&Version=2011-06-15'})
    await new Promise((r) => setTimeout(r, 200))
    await fetch(`${sb.url}/_sandbox/faults`, {method: 'DELETE'})
    expect((await held).status).toBe(200)
    expect(Date.now() - started).toBeLessThan(30_000)
  })
})
