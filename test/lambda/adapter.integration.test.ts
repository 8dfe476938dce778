// The adapter and the capabilities against the sandbox, through the real SDK over HTTP.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {LambdaClient} from '@aws-sdk/client-lambda'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {markDescription, markedCodeSha256} from '../../src/lib/lambda/alias-mark.js'
import {SmokeInvokeProbe} from '../../src/lib/lambda/canary.js'
import {runDeploy, type ModuleSpec} from '../../src/lib/lambda/deploy.js'
import {pruneVersions} from '../../src/lib/lambda/prune.js'
import {applyRollback, planRollback} from '../../src/lib/lambda/rollback.js'
import {listVersions} from '../../src/lib/lambda/versions.js'
import {AwsLambdaAdapter} from '../../src/lib/platform/aws/lambda.js'
import {writeZip} from '../../src/lib/sandbox/services/lambda/zip.js'
import {awsTestConfig, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

describe('Lambda adapter + capabilities against the sandbox', () => {
  let sb: TestSandbox
  let client: LambdaClient
  let lambda: AwsLambdaAdapter
  let work: string
  const spec = (m: string, code: string): ModuleSpec => {
    const dir = path.join(work, m)
    fs.rmSync(dir, {recursive: true, force: true})
    fs.mkdirSync(dir, {recursive: true})
    fs.writeFileSync(path.join(dir, 'index.js'), code)
    return {module: m, function: `impress-${m}`, artifact: m, smokePayload: {ping: true}, smokeTimeoutMs: 20_000}
  }
  const requests = async () => (await (await fetch(`${sb.url}/_sandbox/requests?log=1&service=lambda`)).json()) as {log: {operation: string; status: number}[]}

  beforeAll(async () => {
    sb = await startTestSandbox({timeScale: 0.001})
    client = new LambdaClient(awsTestConfig(sb.url))
    lambda = new AwsLambdaAdapter(client, {timeScale: 0.001, requestsPerSecond: 10})
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-lambda-'))
  })
  afterAll(async () => {
    client.destroy()
    await sb.stop()
    fs.rmSync(work, {recursive: true, force: true})
  })

  it('deploys in parallel; each module ends deployed, unchanged or failed with its alias untouched', async () => {
    const events: string[] = []
    const specs = [spec('etl', 'exports.handler = async () => ({ok: 1})\n'), spec('request', 'exports.handler = async () => { throw new Error("bad") }\n'), spec('compute', 'exports.handler = async () => ({ok: 2})\n')]
    const recorded: string[] = []
    const r = await runDeploy(
      {modules: specs, alias: 'live', cwd: work, dryRun: false, concurrency: 3, description: 'deployed by test from git abc', onEvent: (m, e) => events.push(`${m}: ${e}`)},
      {lambda, record: (m, x) => recorded.push(`${m}=${x.status}`)},
    )
    expect(r.modules.map((m) => [m.module, m.status])).toEqual([
      ['etl', 'deployed'],
      ['request', 'failed'],
      ['compute', 'deployed'],
    ])
    expect(recorded.sort()).toEqual(['compute=deployed', 'etl=deployed', 'request=failed'])
    expect((await lambda.getAlias('impress-request', 'live')).functionVersion).toBe('3')
    expect((await lambda.getAlias('impress-etl', 'live')).functionVersion).toBe('4')
    expect((await lambda.getVersion('impress-etl', '4')).description).toBe('deployed by test from git abc')
    // a second run with the same files is unchanged for the deployed modules
    const again = await runDeploy({modules: specs.filter((s) => s.module !== 'request'), alias: 'live', cwd: work, dryRun: false, concurrency: 2, description: 'x'}, {lambda})
    expect(again.summary.unchanged).toBe(2)
    // the alias records the code it serves; moved by another tool, that mark is stale and ignored
    const etl = await lambda.getAlias('impress-etl', 'live')
    expect(markedCodeSha256(etl)).toBe(r.modules[0].codeSha256)
    await lambda.updateAlias('impress-etl', 'live', {version: '3', revisionId: etl.revisionId})
    const moved = await lambda.getAlias('impress-etl', 'live')
    expect(moved.description).toBe(etl.description)
    expect(markedCodeSha256(moved)).toBeUndefined()
    const redo = await runDeploy({modules: [specs[0]], alias: 'live', cwd: work, dryRun: false, concurrency: 1, description: 'x'}, {lambda})
    expect(redo.modules[0]).toMatchObject({status: 'deployed', previousVersion: '3', newVersion: '5', aliasMoved: true})
  })

  it('bakes a canary with smoke invokes and promotes a healthy version', async () => {
    const s = spec('pdf', 'exports.handler = async () => ({ok: 3})\n')
    const r = await runDeploy(
      {modules: [s], alias: 'live', cwd: work, dryRun: false, concurrency: 1, description: 'd', canary: {weight: 0.1, bakeMs: 50, detach: false}},
      {lambda, probe: new SmokeInvokeProbe(lambda, () => ({ping: true}), 2)},
    )
    expect(r.modules[0]).toMatchObject({status: 'deployed', bake: {checks: 5, samples: 10, errors: 0}})
    expect(r.modules[0].warning).toBeUndefined()
    const alias = await lambda.getAlias('impress-pdf', 'live')
    expect(alias).toMatchObject({functionVersion: '4'})
    expect(alias.weights).toBeUndefined()
  })

  it('a canary that no invocation reached is promoted with a warning, not silently', async () => {
    const s = spec('pdf', 'exports.handler = async () => ({ok: 5})\n')
    const events: string[] = []
    const r = await runDeploy(
      {modules: [s], alias: 'live', cwd: work, dryRun: false, concurrency: 1, description: 'd', canary: {weight: 0.1, bakeMs: 20, detach: false}, onEvent: (_m, e) => events.push(e)},
      {lambda, probe: {errors: async () => ({errors: 0, samples: 0})}},
    )
    expect(r.modules[0]).toMatchObject({status: 'deployed', bake: {samples: 0, errors: 0}})
    expect(r.modules[0].warning).toMatch(/no invocation reached version \d+ during the bake/)
    expect(events.some((e) => e.startsWith('warning: no invocation'))).toBe(true)
    expect(await lambda.getAlias('impress-pdf', 'live')).toMatchObject({functionVersion: r.modules[0].newVersion})
  })

  it('an interrupt during the bake rolls the canary back', async () => {
    const s = spec('message', 'exports.handler = async () => ({ok: 4})\n')
    const abort = new AbortController()
    const r = await runDeploy(
      {modules: [s], alias: 'live', cwd: work, dryRun: false, concurrency: 1, description: 'd', canary: {weight: 0.5, bakeMs: 60_000, detach: false}, signal: abort.signal,
        onEvent: (_m, e) => e.startsWith('canary:') && setTimeout(() => abort.abort(), 20)},
      {lambda},
    )
    expect(r.modules[0]).toMatchObject({status: 'rolled-back', error: 'interrupted during the bake'})
    expect(await lambda.getAlias('impress-message', 'live')).toMatchObject({functionVersion: '3'})
    expect((await lambda.getAlias('impress-message', 'live')).weights).toBeUndefined()
  })

  it('lists every page of versions, rolls back, prunes around aliases', async () => {
    // publish enough versions to need several pages (the sandbox serves 4 per page)
    for (let i = 0; i < 4; i++) {
      await lambda.updateCode('impress-compute', makeZip(`exports.handler = async () => (${i})`))
      const ready = await lambda.waitUpdated('impress-compute')
      await lambda.publishVersion('impress-compute', {codeSha256: ready.codeSha256, revisionId: ready.revisionId, description: `bulk ${i}`})
    }
    const listed = await listVersions({module: 'compute', function: 'impress-compute'}, {lambda})
    expect(listed.versions.map((v) => v.version)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8'])
    expect(listed.versions.find((v) => v.version === '4')?.aliases).toEqual([{name: 'live', weight: 1}])

    const plan = await planRollback({module: 'compute', function: 'impress-compute', alias: 'live', to: '2'}, {lambda})
    expect(plan).toMatchObject({fromVersion: '4', toVersion: '2', noop: false})
    await applyRollback(plan, {lambda})
    await expect(planRollback({module: 'compute', function: 'impress-compute', alias: 'live', to: '99'}, {lambda})).rejects.toMatchObject({exitCode: 2, details: {nearest: ['6', '7', '8']}})

    await lambda.updateAlias('impress-compute', 'live', {version: '2', weights: {'5': 0.2}})
    const pruned = await pruneVersions({function: 'impress-compute', keep: 2, dryRun: false}, {lambda})
    expect(pruned.deleted).toEqual(['1', '3', '4', '6'])
    expect((await lambda.listVersions('impress-compute')).map((v) => v.version)).toEqual(['2', '5', '7', '8'])
  })

  it('paces a burst of calls under the budget: no TooManyRequestsException from the sandbox (15/s per API)', async () => {
    await fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})
    const started = Date.now()
    await Promise.all(Array.from({length: 40}, () => lambda.getAlias('impress-etl', 'live')))
    const log = (await requests()).log.filter((x) => x.operation === 'GetAlias')
    expect(log).toHaveLength(40)
    expect(log.every((x) => x.status === 200)).toBe(true)
    expect(Date.now() - started).toBeGreaterThanOrEqual(2500) // 10 at once, then 10/s
    // without pacing, the same burst is throttled by the sandbox
    const raw = new AwsLambdaAdapter(new LambdaClient({...awsTestConfig(sb.url), maxAttempts: 1}), {requestsPerSecond: 1000})
    const results = await Promise.allSettled(Array.from({length: 40}, () => raw.getAlias('impress-etl', 'live')))
    expect(results.some((x) => x.status === 'rejected' && (x.reason as {code?: string}).code === 'E_THROTTLED')).toBe(true)
  })

  it('publishUpdated: publishes at once when the update is done, else waits for it after Lambda refuses (409)', async () => {
    // this sandbox's updates take 2 s × 0.001; an adapter that never waits publishes while one is in progress
    const slow = await startTestSandbox({timeScale: 0.2})
    const c = new LambdaClient(awsTestConfig(slow.url))
    try {
      const eager = new AwsLambdaAdapter(c, {timeScale: 0})
      const up = await eager.updateCode('impress-etl', makeZip('exports.handler = async () => 1'))
      await fetch(`${slow.url}/_sandbox/requests`, {method: 'DELETE'})
      const v = await eager.publishUpdated('impress-etl', {codeSha256: up.codeSha256, description: 'eager'})
      expect(v).toMatchObject({version: '4', codeSha256: up.codeSha256, description: 'eager'})
      const log = ((await (await fetch(`${slow.url}/_sandbox/requests?log=1&service=lambda`)).json()) as {log: {operation: string; status: number}[]}).log
      expect(log[0]).toMatchObject({operation: 'PublishVersion', status: 409})
      expect(log.at(-1)).toMatchObject({operation: 'PublishVersion', status: 201})
      expect(log.slice(1, -1).length).toBeGreaterThan(0)
      expect(log.slice(1, -1).every((x) => x.operation !== 'PublishVersion')).toBe(true)
    } finally {
      c.destroy()
      await slow.stop()
    }
    // the adapter waiting the usual 2 s (scaled) first: one PublishVersion, no poll
    const up = await lambda.updateCode('impress-request', makeZip('exports.handler = async () => 2'))
    await fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})
    await lambda.publishUpdated('impress-request', {codeSha256: up.codeSha256, description: 'patient'})
    expect((await requests()).log.map((x) => [x.operation, x.status])).toEqual([['PublishVersion', 201]])
  })

  it('alias marks: kept text, at most 256 characters, only for the version they name', () => {
    const sha = 'a'.repeat(43) + '='
    const d = markDescription('production traffic', '12', sha)
    expect(d).toBe(`production traffic [impress: version 12, code ${sha}]`)
    const again = markDescription(d, '13', sha)
    expect(again).toBe(`production traffic [impress: version 13, code ${sha}]`)
    expect(markedCodeSha256({functionVersion: '13', description: again})).toBe(sha)
    expect(markedCodeSha256({functionVersion: '12', description: again})).toBeUndefined()
    expect(markDescription('x'.repeat(300), '1', sha).length).toBeLessThanOrEqual(256)
    expect(markedCodeSha256({functionVersion: '1', description: markDescription('x'.repeat(300), '1', sha)})).toBe(sha)
  })

  it('translates errors: a missing function is a usage error (exit 2)', async () => {
    await expect(lambda.getAlias('impress-missing', 'live')).rejects.toMatchObject({exitCode: 2, message: expect.stringMatching(/Function not found/)})
  })
})

function makeZip(code: string): Buffer {
  return writeZip([{name: 'index.js', data: Buffer.from(code)}])
}
