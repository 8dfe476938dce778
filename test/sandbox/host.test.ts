import {CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {GetCallerIdentityCommand, STSClient} from '@aws-sdk/client-sts'
import {awsClientConfig, awsTimeouts} from '../../src/lib/platform/aws/client-config.js'
import {afterEach, describe, expect, it} from 'vitest'
import {SandboxHost} from '../../src/lib/sandbox/host.js'
import {getJson} from '../helpers/http.js'
import {awsTestConfig, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

const open: TestSandbox[] = []
afterEach(async () => {
  while (open.length > 0) await open.pop()!.stop()
})

async function sandbox(): Promise<TestSandbox> {
  const sb = await startTestSandbox()
  open.push(sb)
  return sb
}

describe('sandbox host', () => {
  it('answers health with its services, and the real STS client gets the caller identity', async () => {
    const sb = await sandbox()
    const h = await getJson(`${sb.url}/_sandbox/health`)
    expect(h).toMatchObject({ok: true, url: sb.url})
    expect(h.services).toEqual(expect.arrayContaining(['sts', 'secretsmanager']))
    const sts = new STSClient(awsTestConfig(sb.url))
    const me = await sts.send(new GetCallerIdentityCommand({}))
    expect(me.Arn).toBe('arn:aws:iam::000000000000:user/sandbox-operator')
  })

  it('keeps its state across a restart', async () => {
    const sb = await sandbox()
    const sm = new SecretsManagerClient(awsTestConfig(sb.url))
    await sm.send(new CreateSecretCommand({Name: 'restart/check', SecretString: 'kept-across-restart'}))
    await sb.host.stop()
    const again = new SandboxHost({stateDir: sb.stateDir, port: 0})
    const info = await again.start()
    try {
      const sm2 = new SecretsManagerClient(awsTestConfig(info.url))
      const v = await sm2.send(new GetSecretValueCommand({SecretId: 'restart/check'}))
      expect(v.SecretString).toBe('kept-across-restart')
      // A reset reseeds: the secret is gone, the demo one is back.
      await fetch(`${info.url}/_sandbox/reset`, {method: 'POST'})
      await expect(sm2.send(new GetSecretValueCommand({SecretId: 'restart/check'}))).rejects.toMatchObject({name: 'ResourceNotFoundException'})
      await expect(sm2.send(new GetSecretValueCommand({SecretId: 'impress/sandbox/auth0-backend'}))).resolves.toMatchObject({VersionStages: ['AWSCURRENT']})
    } finally {
      await again.stop()
    }
  })

  it('counts requests per service and operation, observable over HTTP', async () => {
    const sb = await sandbox()
    const sts = new STSClient(awsTestConfig(sb.url))
    await sts.send(new GetCallerIdentityCommand({}))
    await sts.send(new GetCallerIdentityCommand({}))
    const sm = new SecretsManagerClient(awsTestConfig(sb.url))
    await sm.send(new GetSecretValueCommand({SecretId: 'impress/sandbox/auth0-backend'}))
    const counts = await getJson(`${sb.url}/_sandbox/requests?log=1`)
    expect(counts.counts).toEqual({sts: {GetCallerIdentity: 2}, secretsmanager: {GetSecretValue: 1}})
    expect(counts.log.map((l: {operation: string}) => l.operation)).toEqual(['GetCallerIdentity', 'GetCallerIdentity', 'GetSecretValue'])
    await fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})
    expect((await getJson(`${sb.url}/_sandbox/requests`)).total).toBe(0)
  })

  it('injected throttling is retried by the SDK and visible in the counts', async () => {
    const sb = await sandbox()
    const add = await fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', body: JSON.stringify({service: 'sts', operation: 'GetCallerIdentity', kind: 'throttle', times: 2, retryAfter: 0})})
    expect(add.status).toBe(201)
    const sts = new STSClient(awsTestConfig(sb.url))
    const out = await sts.send(new GetCallerIdentityCommand({}))
    expect(out.$metadata.attempts).toBe(3)
    const counts = await getJson(`${sb.url}/_sandbox/requests?log=1`)
    expect(counts.counts.sts.GetCallerIdentity).toBe(3)
    expect(counts.log.map((l: {fault?: string}) => l.fault ?? 'none')).toEqual(['throttle', 'throttle', 'none'])
    // The rule expired after two hits.
    expect((await getJson(`${sb.url}/_sandbox/faults`)).faults).toEqual([])
  })

  it('`after` lets N matching requests through and faults exactly the next one (the reliability harness faults call i)', async () => {
    const sb = await sandbox()
    await fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', body: JSON.stringify({service: '*', kind: 'error', status: 503, after: 2, times: 1})})
    const sts = new STSClient({...awsTestConfig(sb.url), maxAttempts: 1})
    await expect(sts.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({Account: '000000000000'})
    await expect(sts.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({Account: '000000000000'})
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({$metadata: {httpStatusCode: 503}})
    await expect(sts.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({Account: '000000000000'})
    const log = (await getJson(`${sb.url}/_sandbox/requests?log=1`)).log as {fault?: string}[]
    expect(log.map((l) => l.fault ?? 'none')).toEqual(['none', 'none', 'error', 'none'])
    expect((await getJson(`${sb.url}/_sandbox/faults`)).faults).toEqual([])
  })

  it('a slow answer past the client timeout is a TimeoutError the SDK retries, never a hang (IMPRESS_AWS_SOCKET_TIMEOUT_MS)', async () => {
    const sb = await sandbox()
    await fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', body: JSON.stringify({service: 'sts', kind: 'latency', ms: 3000, times: 1})})
    const config = await awsClientConfig({region: 'eu-west-1', endpoint: sb.url, sandbox: true})
    expect(config.requestHandler).toEqual({socketTimeout: 60_000, connectionTimeout: 5_000})
    const sts = new STSClient({...config, requestHandler: awsTimeouts({IMPRESS_AWS_SOCKET_TIMEOUT_MS: '400'})})
    // the first attempt times out (TimeoutError, transient) and the retry answers
    const out = await sts.send(new GetCallerIdentityCommand({}))
    expect(out.$metadata.attempts).toBe(2)
  })

  it('injects 5xx in the protocol\'s shape, and dropped connections', async () => {
    const sb = await sandbox()
    await fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', body: JSON.stringify({service: 'secretsmanager', kind: 'error', status: 503})})
    const sm = new SecretsManagerClient({...awsTestConfig(sb.url), maxAttempts: 1})
    await expect(sm.send(new GetSecretValueCommand({SecretId: 'impress/sandbox/auth0-backend'}))).rejects.toMatchObject({$metadata: {httpStatusCode: 503}})
    await fetch(`${sb.url}/_sandbox/faults?service=secretsmanager`, {method: 'DELETE'})
    await fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', body: JSON.stringify({service: 'sts', kind: 'drop', times: 1})})
    const sts = new STSClient({...awsTestConfig(sb.url), maxAttempts: 1})
    // a dropped connection is a reset the SDK classes as transient (TimeoutError), not an answer
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({name: 'TimeoutError', code: 'ECONNRESET'})
    await expect(sts.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({Account: '000000000000'})
  })

  it('rejects a malformed fault rule with a clear message', async () => {
    const sb = await sandbox()
    const r = await fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', body: JSON.stringify({service: 'sts', kind: 'explode'})})
    expect(r.status).toBe(400)
    expect(((await r.json()) as {message: string}).message).toMatch(/^kind:/)
    const u = await fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', body: JSON.stringify({service: 'nosuch', kind: 'drop'})})
    expect(((await u.json()) as {message: string}).message).toMatch(/unknown service "nosuch"/)
  })
})
