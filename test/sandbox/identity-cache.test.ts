// The audit actor's STS answer is kept per access key: the second command asks STS nothing.
import fs from 'node:fs'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {callerArn} from '../../src/lib/platform/aws/identity.js'
import {awsTestConfig, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {tmpDir} from '../helpers/tmp.js'

const stsCalls = async (sb: TestSandbox) => ((await (await fetch(`${sb.url}/_sandbox/requests?service=sts`)).json()) as {counts: {sts?: Record<string, number>}}).counts.sts?.GetCallerIdentity ?? 0

describe('callerArn with an identity cache (real STS client over HTTP)', () => {
  let sb: TestSandbox
  afterEach(async () => sb?.stop())

  it('asks STS once per access key and endpoint, then answers from the cache; no key material is stored', async () => {
    sb = await startTestSandbox()
    const cacheDir = tmpDir('identity-')
    const config = awsTestConfig(sb.url)
    const first = await callerArn(config, {cacheDir})
    expect(first).toBe('arn:aws:iam::000000000000:user/sandbox-operator')
    expect(await stsCalls(sb)).toBe(1)
    expect(await callerArn(config, {cacheDir})).toBe(first)
    expect(await stsCalls(sb)).toBe(1)
    // another access key is another identity: asked again
    await callerArn({...config, credentials: {accessKeyId: 'other', secretAccessKey: 'x'}}, {cacheDir})
    expect(await stsCalls(sb)).toBe(2)
    // without a cache directory every call asks
    await callerArn(config)
    expect(await stsCalls(sb)).toBe(3)
    // each entry is named by a hash and holds only the ARN and when it was asked
    for (const f of fs.readdirSync(cacheDir)) {
      expect(f).toMatch(/^[0-9a-f]{32}\.json$/)
      expect(Object.keys(JSON.parse(fs.readFileSync(path.join(cacheDir, f), 'utf8'))).sort()).toEqual(['arn', 'at'])
    }
  })

  it('an unreachable STS gives undefined and caches nothing', async () => {
    sb = await startTestSandbox()
    const cacheDir = tmpDir('identity-')
    const config = {...awsTestConfig('http://127.0.0.1:9'), maxAttempts: 1}
    expect(await callerArn(config, {cacheDir, timeoutMs: 500})).toBeUndefined()
    expect(fs.readdirSync(cacheDir)).toEqual([])
  })
})
