// End to end (bin/run.js against an in-process sandbox): a detached canary finished with
// `deploy status | abort | promote`, the CloudWatch canary probe with real traffic on the alias,
// and what `deploy --dry-run` leaves behind.
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {hasStackTrace, runCli} from '../helpers/cli.js'
import {auditLines, writeHandler as writeLambdaHandler} from '../helpers/lambda.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

type AliasState = string | {version: string; weights: Record<string, number>}
// Each test runs a dozen CLI processes: on the shared 2-core machine under a full suite that can
// take minutes, so the default 60 s per test is raised (each CLI run still has its own 60 s limit).
const E2E = {timeout: 240_000}

describe('detached canary: deploy status / abort / promote (e2e)', E2E, () => {
  let sb: TestSandbox
  const cli = (args: string[]) => runCli(args, {env: sb.env, cwd: sb.cwd})
  const live = async (fn: string): Promise<AliasState> => {
    const p = (await (await fetch(`${sb.url}/_sandbox/platform`)).json()) as {lambda: {functions: {name: string; aliases: Record<string, AliasState>}[]}}
    return p.lambda.functions.find((f) => f.name === fn)!.aliases.live
  }
  const lambdaOps = async () => ((await (await fetch(`${sb.url}/_sandbox/requests`)).json()) as {counts: {lambda?: Record<string, number>}}).counts.lambda ?? {}
  const clearRequests = () => fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})
  const writeHandler = (m: string, code: string) => writeLambdaHandler(sb, m, code)
  const journals = () => {
    const dir = path.join(sb.home, 'data', 'sandbox', 'journals', 'deploy')
    return fs.readdirSync(dir).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as {status: string; steps: {name: string; data: Record<string, unknown>}[]})
  }
  const audit = () => auditLines(sb)

  beforeEach(async () => {
    sb = await startTestSandbox({timeScale: 0.001})
  })
  afterEach(async () => {
    await sb.stop()
  })

  it('status shows the canary (weight, age); abort needs --yes, then clears the routing, keeps the old version, records and audits it', async () => {
    writeHandler('etl', 'exports.handler = async () => ({ok: true, v: 2})\n')
    const start = await cli(['deploy', 'etl', '--canary', '10%', '--detach', '--yes'])
    expect(start.exitCode, start.stderr).toBe(0)
    expect(start.stdout).toMatch(/etl\s+impress-etl\s+canary\s+3 \+ 4 @ 10%/)
    expect(await live('impress-etl')).toEqual({version: '3', weights: {'4': 0.1}})

    const status = await cli(['deploy', 'status'])
    expect(status.exitCode, status.stderr).toBe(0)
    expect(status.stdout).toMatch(/etl\s+impress-etl\s+3\s+4\s+10%\s+\d+(ms|s)\s+3 \+ 4 @ 10%/)
    expect(status.stdout).toMatch(/finish with `impress deploy promote` or `impress deploy abort`/)
    const doc = JSON.parse((await cli(['deploy', 'status', '--json'])).stdout)
    expect(doc.alias).toBe('live')
    expect(doc.modules[0]).toMatchObject({module: 'etl', status: 'canary', previousVersion: '3', newVersion: '4', canaryWeight: 0.1, live: {functionVersion: '3', weights: {'4': 0.1}}})
    expect(Date.parse(doc.modules[0].since)).toBeLessThanOrEqual(Date.now())
    expect(doc.modules[0].ageMs).toBeGreaterThanOrEqual(0)

    // no terminal, no --yes: exit 4 and nothing changed (abort and promote alike)
    await clearRequests()
    for (const action of ['abort', 'promote']) {
      const refused = await cli(['deploy', action])
      expect(refused.exitCode, refused.stderr).toBe(4)
      expect(refused.stderr).toMatch(/--yes/)
      expect(hasStackTrace(refused.stderr)).toBe(false)
    }
    expect(await lambdaOps()).toEqual({})
    expect(await live('impress-etl')).toEqual({version: '3', weights: {'4': 0.1}})
    expect(journals().find((j) => j.steps.some((s) => s.data.status === 'canary'))?.status).toBe('running')

    // a deploy of the function running on this machine (its lock): refused, exit 4, nothing called
    const locks = path.join(sb.home, 'data', 'sandbox', 'locks')
    const lock = path.join(locks, 'lambda-deploy-impress-etl.lock')
    fs.mkdirSync(locks, {recursive: true})
    fs.writeFileSync(lock, JSON.stringify({owner: 'ci@runner', pid: process.pid, host: os.hostname(), since: new Date().toISOString(), operation: 'impress deploy of impress-etl'}))
    const locked = await cli(['deploy', 'abort', '--yes'])
    expect(locked.exitCode).toBe(4)
    expect(locked.stderr).toMatch(/impress deploy of impress-etl is already running: locked by ci@runner/)
    fs.rmSync(lock)
    expect(await lambdaOps()).toEqual({})

    // --dry-run: the plan, no call
    const plan = await cli(['deploy', 'abort', '--dry-run'])
    expect(plan.exitCode).toBe(0)
    expect(plan.stderr).toMatch(/Plan \(abort\): impress-etl: → version 3/)
    expect(await lambdaOps()).toEqual({})

    const abort = await cli(['deploy', 'abort', '--yes', '--json'])
    expect(abort.exitCode, abort.stderr).toBe(0)
    const aborted = JSON.parse(abort.stdout)
    expect(aborted.modules[0]).toMatchObject({module: 'etl', status: 'rolled-back', finishedBy: 'abort', aliasMoved: false, previousVersion: '3', newVersion: '4', live: {functionVersion: '3'}})
    expect(aborted.modules[0].live.weights).toBeUndefined()
    // RoutingConfig cleared, the alias on the old version; one read and one guarded move
    expect(await live('impress-etl')).toBe('3')
    expect(await lambdaOps()).toEqual({GetAlias: 1, UpdateAlias: 1})
    const journal = journals().find((j) => j.steps.some((s) => s.data.finishedBy === 'abort'))!
    expect(journal.status).toBe('aborted')
    expect(journal.steps[0].data).toMatchObject({status: 'rolled-back', error: 'canary of version 4 aborted (impress deploy abort)'})
    const entry = audit().filter((e) => e.command === 'deploy abort')
    expect(entry.map((e) => [e.result, e.exitCode])).toEqual([
      ['refused', 4],
      ['refused', 4],
      ['dry-run', 0],
      ['ok', 0],
    ].map(([r, c]) => [expect.stringMatching(new RegExp(`^${r}`)), c]))
    expect(entry.at(-1)!.details).toMatchObject({alias: 'live', modules: [{module: 'etl', function: 'impress-etl', status: 'rolled-back', from: '3', canary: '4', to: '3'}]})

    // the abort wrote the alias mark (version 3 and its code): the next deploy's check needs GetAlias only
    await clearRequests()
    const next = await cli(['deploy', 'etl', '--dry-run', '--json'])
    expect(JSON.parse(next.stdout).modules[0]).toMatchObject({status: 'planned', previousVersion: '3'})
    expect(await lambdaOps()).toEqual({GetAlias: 1})

    // nothing waiting any more: a clear error, exit 2 (documented), for all three
    for (const action of ['abort', 'promote', 'status']) {
      const none = await cli(['deploy', action, '--yes'].slice(0, action === 'status' ? 2 : 3))
      expect(none.exitCode).toBe(2)
      expect(none.stderr).toMatch(/No detached canary is waiting\./)
      expect(none.stderr).toMatch(/Hint: Start one with `impress deploy MODULE --canary 10% --detach`/)
      expect(hasStackTrace(none.stderr)).toBe(false)
    }
    // rollback --all after the abort: the last deploy moved no alias, said precisely (exit 2), nothing moved
    const rb = await cli(['rollback', '--all', '--yes'])
    expect(rb.exitCode).toBe(2)
    expect(rb.stderr).toMatch(/The last deploy \(.+\) moved no alias \(etl rolled-back\): nothing to roll back\./)
    expect(await live('impress-etl')).toBe('3')
  })

  it('promote moves the alias to the new version only; an alias changed meanwhile is left alone (exit 1)', async () => {
    writeHandler('pdf', 'exports.handler = async () => ({ok: true, v: 2})\n')
    writeHandler('request', 'exports.handler = async () => ({ok: true, v: 2})\n')
    expect((await cli(['deploy', 'pdf', 'request', '--canary', '20%', '--detach'])).exitCode).toBe(0)
    expect(await live('impress-pdf')).toEqual({version: '3', weights: {'4': 0.2}})

    // someone rolls pdf back by hand meanwhile: promote must not touch either alias
    expect((await cli(['rollback', 'pdf', '--to', '2', '--yes'])).exitCode).toBe(0)
    await clearRequests()
    const conflict = await cli(['deploy', 'promote', '--yes'])
    expect(conflict.exitCode).toBe(1)
    expect(conflict.stderr).toMatch(/The alias changed since the canary started: impress-pdf:live → 2 \(canary: 3 \+ 4\)\. Nothing was changed\./)
    expect(await lambdaOps()).toEqual({GetAlias: 2})
    expect(await live('impress-request')).toEqual({version: '3', weights: {'4': 0.2}})
    expect(await live('impress-pdf')).toBe('2')

    // put pdf back on the canary, then promote both
    const put = await fetch(`${sb.url}/2015-03-31/functions/impress-pdf/aliases/live`, {method: 'PUT', headers: {'content-type': 'application/json'}, body: JSON.stringify({FunctionVersion: '3', RoutingConfig: {AdditionalVersionWeights: {'4': 0.2}}})})
    expect(put.status).toBe(200)
    const promote = await cli(['deploy', 'promote', '--yes', '--json'])
    expect(promote.exitCode, promote.stderr).toBe(0)
    expect(JSON.parse(promote.stdout).modules.map((m: {module: string; status: string; finishedBy: string}) => [m.module, m.status, m.finishedBy]).sort()).toEqual([
      ['pdf', 'deployed', 'promote'],
      ['request', 'deployed', 'promote'],
    ])
    expect(await live('impress-pdf')).toBe('4')
    expect(await live('impress-request')).toBe('4')
    // promote wrote the alias mark: an unchanged deploy now needs one GetAlias per module
    await clearRequests()
    const same = JSON.parse((await cli(['deploy', 'pdf', 'request', '--json'])).stdout)
    expect(same.summary.unchanged).toBe(2)
    expect(await lambdaOps()).toEqual({GetAlias: 2})
    const entry = audit().filter((e) => e.command === 'deploy promote').map((e) => [e.result, e.exitCode])
    expect(entry).toEqual([
      ['failed', 1],
      ['ok', 0],
    ])
  })
})

describe('canary checked through CloudWatch (e2e, lambda.canaryProbe: cloudwatch)', E2E, () => {
  let sb: TestSandbox
  beforeEach(async () => {
    sb = await startTestSandbox({timeScale: 0.001})
    fs.mkdirSync(path.join(sb.cwd, 'out', 'compute'), {recursive: true})
    fs.writeFileSync(
      path.join(sb.cwd, 'impress.config.yaml'),
      [
        'environments:',
        '  local:',
        '    sandbox: {}',
        '    aws: {region: eu-west-1}',
        '    lambda:',
        '      canaryProbe: cloudwatch',
        '      modules:',
        '        compute: {function: impress-compute, artifact: out/compute, smoke: {payload: {ping: true}}}',
        '',
      ].join('\n'),
    )
  })
  afterEach(async () => {
    await sb.stop()
  })

  /** Deploy with a canary while "production traffic" invokes the alias, until the CLI exits. */
  async function deployUnderTraffic(handler: string) {
    fs.writeFileSync(path.join(sb.cwd, 'out', 'compute', 'index.js'), handler)
    await fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})
    let finished = false
    const run = runCli(['deploy', 'compute', '--canary', '10%', '--bake', '1h', '--json'], {env: sb.env, cwd: sb.cwd}).finally(() => {
      finished = true
    })
    const traffic: {version: string; error: boolean}[] = []
    while (!finished) {
      const res = await fetch(`${sb.url}/2015-03-31/functions/impress-compute/invocations?Qualifier=live`, {method: 'POST', body: JSON.stringify({order: traffic.length + 1})})
      await res.arrayBuffer()
      traffic.push({version: res.headers.get('x-amz-executed-version') ?? '?', error: res.headers.has('x-amz-function-error')})
    }
    const r = await run
    const log = ((await (await fetch(`${sb.url}/_sandbox/requests?log=1`)).json()) as {log: {service: string; operation: string}[]}).log
    const p = (await (await fetch(`${sb.url}/_sandbox/platform`)).json()) as {lambda: {functions: {name: string; aliases: Record<string, AliasState>}[]}}
    return {r, traffic, log, alias: p.lambda.functions.find((f) => f.name === 'impress-compute')!.aliases.live}
  }

  it('a new version failing on its share of the traffic is rolled back automatically (exit 1)', async () => {
    // Healthy for the smoke test ({ping: true}); every real order routed to it fails.
    const {r, traffic, log, alias} = await deployUnderTraffic("exports.handler = async (event) => {\n  if (!event.ping) throw new Error('cannot price order ' + event.order)\n  return {ok: true}\n}\n")
    expect(r.exitCode, r.stderr).toBe(1)
    const m = JSON.parse(r.stdout).error.details.modules[0]
    expect(m).toMatchObject({status: 'rolled-back', previousVersion: '3', newVersion: '4', aliasMoved: false})
    expect(m.bake.errors).toBeGreaterThan(0)
    expect(m.bake.errors).toBeLessThanOrEqual(traffic.filter((t) => t.version === '4' && t.error).length)
    expect(m.error).toMatch(/canary version 4 had \d+ error\(s\) in \d+ sample\(s\)/)
    expect(r.stderr).toMatch(/\[compute\] bake \d\/5: [1-9]\d* error\(s\)/)
    expect(alias).toBe('3')
    // the traffic honoured the weight, and only version 4's share failed
    expect(traffic.filter((t) => t.version === '4').length).toBeGreaterThan(0)
    expect(traffic.filter((t) => t.version === '3').every((t) => !t.error)).toBe(true)
    // the errors came from CloudWatch, not from invokes by the probe: the only Invoke impress sent is the smoke test
    expect(log.filter((x) => x.service === 'cloudwatch' && x.operation === 'GetMetricData').length).toBeGreaterThan(0)
    expect(log.filter((x) => x.operation === 'Invoke').length).toBe(traffic.length + 1)
  })

  it('a healthy new version is promoted after the bake, with samples from its share of the traffic', async () => {
    const {r, traffic, log, alias} = await deployUnderTraffic('exports.handler = async (event) => ({ok: true, order: event.order})\n')
    expect(r.exitCode, r.stderr).toBe(0)
    const m = JSON.parse(r.stdout).modules[0]
    expect(m).toMatchObject({status: 'deployed', previousVersion: '3', newVersion: '4', aliasMoved: true, bake: {checks: 5, errors: 0}})
    expect(m.bake.samples).toBeGreaterThan(0)
    expect(m.bake.samples).toBeLessThanOrEqual(traffic.filter((t) => t.version === '4').length)
    expect(alias).toBe('4')
    expect(log.filter((x) => x.service === 'cloudwatch' && x.operation === 'GetMetricData')).toHaveLength(5)
    expect(log.filter((x) => x.operation === 'Invoke').length).toBe(traffic.length + 1)
  })
})

describe('deploy --dry-run (e2e)', E2E, () => {
  let sb: TestSandbox
  beforeEach(async () => {
    sb = await startTestSandbox({timeScale: 0.001})
  })
  afterEach(async () => {
    await sb.stop()
  })

  /** Every file under dir with its content hash, skipping `skip(relativePath)`. */
  const tree = (dir: string, skip: (rel: string) => boolean = () => false): Record<string, string> => {
    const out: Record<string, string> = {}
    const walk = (d: string) => {
      if (!fs.existsSync(d)) return
      for (const e of fs.readdirSync(d, {withFileTypes: true})) {
        const full = path.join(d, e.name)
        const rel = path.relative(dir, full)
        if (skip(rel)) continue
        if (e.isDirectory()) walk(full)
        else out[rel] = crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex')
      }
    }
    walk(dir)
    return out
  }

  it('calls only read-only APIs and writes nothing but build outputs (canary and --all included)', async () => {
    // First use writes the demo workspace (sources of every module named), even in a dry run: the
    // plan needs a build. From then on a dry run must leave it (and impress's data) as it was.
    expect((await runCli(['deploy', '--all', '--dry-run'], {env: sb.env, cwd: sb.cwd})).exitCode).toBe(0)
    const src = path.join(sb.home, 'workspace', 'lambda', 'pdf', 'src', 'index.js')
    fs.writeFileSync(src, 'exports.handler = async () => ({changed: true})\n')
    const isBuildOutput = (rel: string) => /^lambda\/[a-z]+\/dist(\/|$)/.test(rel)
    const workspace = path.join(sb.home, 'workspace')
    const before = {workspace: tree(workspace, isBuildOutput), data: tree(path.join(sb.home, 'data')), cwd: tree(sb.cwd)}
    await fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})

    for (const args of [['deploy', 'pdf', '--dry-run', '--canary', '10%', '--detach'], ['deploy', '--all', '--dry-run', '--json']]) {
      const r = await runCli(args, {env: sb.env, cwd: sb.cwd})
      expect(r.exitCode, r.stderr).toBe(0)
    }
    const counts = ((await (await fetch(`${sb.url}/_sandbox/requests`)).json()) as {counts: Record<string, Record<string, number>>}).counts
    const ops = Object.entries(counts).flatMap(([svc, o]) => Object.keys(o).map((op) => `${svc}:${op}`))
    expect(ops.length).toBeGreaterThan(0)
    for (const op of ops) expect(op).toMatch(/^[a-z0-9]+:(Get|List|Describe)[A-Za-z]+$/)
    // the seeded aliases carry no impress mark: GetFunctionConfiguration tells the code they serve
    expect(counts.lambda).toEqual({GetAlias: 6, GetFunctionConfiguration: 6})

    expect(tree(workspace, isBuildOutput)).toEqual(before.workspace)
    expect(tree(path.join(sb.home, 'data'))).toEqual(before.data) // no journal, no lock left
    expect(tree(sb.cwd)).toEqual(before.cwd)
    // the build output is the changed module's new code
    expect(fs.readFileSync(path.join(workspace, 'lambda', 'pdf', 'dist', 'index.js'), 'utf8')).toMatch(/changed: true/)
    const p = (await (await fetch(`${sb.url}/_sandbox/platform`)).json()) as {lambda: {functions: {name: string; versions: string[]; aliases: Record<string, AliasState>}[]}}
    for (const f of p.lambda.functions) expect([f.versions, f.aliases.live]).toEqual([['1', '2', '3'], '3'])
  })
})
