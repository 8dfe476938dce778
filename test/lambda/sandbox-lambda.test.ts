// The Lambda emulation driven by the real @aws-sdk/client-lambda over HTTP.
import {
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListTagsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  paginateListVersionsByFunction,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {writeZip} from '../../src/lib/sandbox/services/lambda/zip.js'
import {awsTestConfig, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

const zipOf = (src: string) => writeZip([{name: 'index.js', data: Buffer.from(src)}])

describe('sandbox Lambda over the real SDK', () => {
  let sb: TestSandbox
  let client: LambdaClient
  beforeAll(async () => {
    sb = await startTestSandbox({timeScale: 0.1}) // 200 ms InProgress: long enough to observe
    client = new LambdaClient(awsTestConfig(sb.url))
  })
  afterAll(async () => {
    client.destroy()
    await sb.stop()
  })

  it('seeds the five modules with three versions and a live alias', async () => {
    for (const m of ['etl', 'request', 'compute', 'message', 'pdf']) {
      const f = await client.send(new GetFunctionCommand({FunctionName: `impress-${m}`}))
      expect(f.Configuration?.Version).toBe('$LATEST')
      expect(f.Configuration?.LastUpdateStatus).toBe('Successful')
      const alias = await client.send(new GetAliasCommand({FunctionName: `impress-${m}`, Name: 'live'}))
      expect(alias.FunctionVersion).toBe('3')
    }
  })

  it('paginates versions with Marker in small pages', async () => {
    const first = await client.send(new ListVersionsByFunctionCommand({FunctionName: 'impress-etl', MaxItems: 2}))
    expect(first.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1'])
    expect(first.NextMarker).toBeTruthy()
    const all: string[] = []
    for await (const p of paginateListVersionsByFunction({client}, {FunctionName: 'impress-etl'})) all.push(...(p.Versions ?? []).map((v) => v.Version!))
    expect(all).toEqual(['$LATEST', '1', '2', '3'])
  })

  it('updates code (InProgress → Successful), publishes with preconditions, routes an alias and invokes the handler', async () => {
    const up = await client.send(new UpdateFunctionCodeCommand({FunctionName: 'impress-compute', ZipFile: zipOf("exports.handler = async (e) => ({answer: 42, got: e})\n")}))
    expect(up.LastUpdateStatus).toBe('InProgress')
    await expect(client.send(new PublishVersionCommand({FunctionName: 'impress-compute'}))).rejects.toMatchObject({name: 'ResourceConflictException'})
    const waited = await waitUntilFunctionUpdatedV2({client, minDelay: 0.005, maxDelay: 0.01, maxWaitTime: 5}, {FunctionName: 'impress-compute'})
    expect(waited.state).toBe('SUCCESS')
    await expect(client.send(new PublishVersionCommand({FunctionName: 'impress-compute', CodeSha256: 'AAAA'}))).rejects.toMatchObject({name: 'InvalidParameterValueException'})
    await expect(client.send(new PublishVersionCommand({FunctionName: 'impress-compute', RevisionId: 'stale'}))).rejects.toMatchObject({name: 'PreconditionFailedException'})
    const v = await client.send(new PublishVersionCommand({FunctionName: 'impress-compute', CodeSha256: up.CodeSha256, Description: 'test'}))
    expect(v.Version).toBe('4')
    const out = await client.send(new InvokeCommand({FunctionName: 'impress-compute', Qualifier: '4', Payload: Buffer.from('{"x":1}')}))
    expect(out.FunctionError).toBeUndefined()
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({answer: 42, got: {x: 1}})
    expect(out.ExecutedVersion).toBe('4')
    const canary = await client.send(new UpdateAliasCommand({FunctionName: 'impress-compute', Name: 'live', FunctionVersion: '3', RoutingConfig: {AdditionalVersionWeights: {'4': 0.25}}}))
    expect(canary.RoutingConfig?.AdditionalVersionWeights).toEqual({'4': 0.25})
    await expect(client.send(new DeleteFunctionCommand({FunctionName: 'impress-compute', Qualifier: '4'}))).rejects.toMatchObject({name: 'ResourceConflictException'})
    await client.send(new UpdateAliasCommand({FunctionName: 'impress-compute', Name: 'live', FunctionVersion: '4', RoutingConfig: {AdditionalVersionWeights: {}}}))
    await client.send(new DeleteFunctionCommand({FunctionName: 'impress-compute', Qualifier: '1'}))
    const versions = await client.send(new ListVersionsByFunctionCommand({FunctionName: 'impress-compute'}))
    expect(versions.Versions?.map((x) => x.Version)).toEqual(['$LATEST', '2', '3', '4'])
    const aliases = await client.send(new ListAliasesCommand({FunctionName: 'impress-compute'}))
    expect(aliases.Aliases?.[0]).toMatchObject({Name: 'live', FunctionVersion: '4'})
  })

  it('reports handler errors, a broken package and timeouts as function errors', async () => {
    const out = await client.send(new InvokeCommand({FunctionName: 'impress-pdf', Qualifier: 'live', Payload: Buffer.from('{"fail":true}')}))
    expect(out.FunctionError).toBe('Unhandled')
    expect(JSON.parse(Buffer.from(out.Payload!).toString()).errorMessage).toMatch(/failure requested/)
    await client.send(new UpdateFunctionCodeCommand({FunctionName: 'impress-message', ZipFile: zipOf('exports.handler = async () => { syntax error')}))
    await waitUntilFunctionUpdatedV2({client, minDelay: 0.005, maxDelay: 0.01, maxWaitTime: 5}, {FunctionName: 'impress-message'})
    const broken = await client.send(new InvokeCommand({FunctionName: 'impress-message', Payload: Buffer.from('{}')}))
    expect(broken.FunctionError).toBe('Unhandled')
  })

  it('uses Lambda error codes: not found, throttling with Retry-After, tags', async () => {
    await expect(client.send(new GetFunctionCommand({FunctionName: 'impress-nope'}))).rejects.toMatchObject({name: 'ResourceNotFoundException', $metadata: {httpStatusCode: 404}})
    await fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({service: 'lambda', operation: 'GetAlias', kind: 'throttle', retryAfter: 2})})
    const noRetry = new LambdaClient({...awsTestConfig(sb.url), maxAttempts: 1})
    const err = await noRetry.send(new GetAliasCommand({FunctionName: 'impress-etl', Name: 'live'})).catch((e: unknown) => e)
    expect(err).toMatchObject({name: 'TooManyRequestsException', retryAfterSeconds: '2', $metadata: {httpStatusCode: 429}})
    noRetry.destroy()
    await fetch(`${sb.url}/_sandbox/faults`, {method: 'DELETE'})
    const tags = await client.send(new ListTagsCommand({Resource: 'arn:aws:lambda:eu-west-1:000000000000:function:impress-etl'}))
    expect(tags.Tags).toMatchObject({app: 'impress', module: 'etl'})
  })
})
