// End to end: bin/run.js against an in-process sandbox, as a developer or CI job runs it.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {hasStackTrace, runCli} from '../helpers/cli.js'
import {auditLines, writeHandler as writeLambdaHandler} from '../helpers/lambda.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

interface FnState {
  name: string
  versions: string[]
  aliases: Record<string, string | {version: string; weights: Record<string, number>}>
}

// Several tests run a dozen CLI processes: minutes under a full suite on the shared 2-core machine.
describe('impress deploy / rollback / versions (e2e)', {timeout: 240_000}, () => {
  let sb: TestSandbox
  const cli = (args: string[]) => runCli(args, {env: sb.env, cwd: sb.cwd})
  const platform = async (): Promise<Record<string, FnState>> => {
    const p = (await (await fetch(`${sb.url}/_sandbox/platform`)).json()) as {lambda: {functions: FnState[]}}
    return Object.fromEntries(p.lambda.functions.map((f) => [f.name, f]))
  }
  const requests = async () => (await (await fetch(`${sb.url}/_sandbox/requests?log=1&service=lambda`)).json()) as {total: number; counts: {lambda?: Record<string, number>}; log: {operation: string; status: number}[]}
  const clearRequests = () => fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})
  const writeHandler = (m: string, code: string) => writeLambdaHandler(sb, m, code)
  const audit = () => auditLines(sb)

  beforeEach(async () => {
    sb = await startTestSandbox({timeScale: 0.001})
  })
  afterEach(async () => {
    await sb.stop()
  })

  it('deploys changed modules, then skips them all when nothing changed (≤ 2 requests per module, no upload)', async () => {
    const first = await cli(['deploy', '--all', '--json'])
    expect(first.exitCode, first.stderr).toBe(0)
    const doc = JSON.parse(first.stdout)
    expect(doc.summary.deployed).toBe(5)
    for (const m of doc.modules) expect(m).toMatchObject({status: 'deployed', previousVersion: '3', newVersion: '4', aliasMoved: true})
    const state = await platform()
    expect(state['impress-etl'].aliases.live).toBe('4')
    expect(first.stderr).toMatch(/\[etl\]\s+built etl/)

    await clearRequests()
    const second = await cli(['deploy', '--all', '--json'])
    expect(second.exitCode).toBe(0)
    expect(JSON.parse(second.stdout).summary.unchanged).toBe(5)
    const r = await requests()
    expect(r.counts.lambda?.UpdateFunctionCode).toBeUndefined()
    // the alias's mark names the code it serves: one GetAlias per module, nothing else
    expect(r.counts.lambda).toEqual({GetAlias: 5})
    expect(r.log.every((x) => x.status === 200)).toBe(true)

    // one changed module: fewer requests than the 7 of the same steps by hand (AWS CLI)
    writeHandler('etl', 'exports.handler = async () => ({etl: 2})\n')
    await clearRequests()
    const changed = await cli(['deploy', 'etl', '--json'])
    expect(changed.exitCode, changed.stderr).toBe(0)
    expect(JSON.parse(changed.stdout).modules[0]).toMatchObject({status: 'deployed', previousVersion: '4', newVersion: '5', aliasMoved: true})
    const c = await requests()
    expect(c.log.map((x) => x.operation)).toEqual(['GetAlias', 'UpdateFunctionCode', 'PublishVersion', 'Invoke', 'UpdateAlias'])
    expect(c.total).toBeLessThan(7)
    expect((await platform())['impress-etl'].aliases.live).toBe('5')

    // the version's description records who deployed which commit
    const versions = JSON.parse((await cli(['versions', 'etl', '--json'])).stdout)
    expect(versions.versions.at(-1).description).toMatch(/^deployed by .+@.+ from /)
    expect(versions.versions.at(-1).aliases).toEqual([{name: 'live', weight: 1}])

    const entries = audit().filter((e) => e.command === 'deploy')
    expect(entries).toHaveLength(3)
    expect(entries[0]).toMatchObject({result: 'ok', exitCode: 0})
    expect((entries[0].details?.modules as {status: string}[]).map((m) => m.status)).toEqual(Array(5).fill('deployed'))
  })

  // The audit gate of a deploy runs while the modules are hashed and their aliases read (deferAuditGate): it must still refuse.
  it('on an audit log that does not verify, an unchanged deploy and a changed one both refuse (exit 4): no build, no upload, no line appended', async () => {
    expect((await cli(['deploy', '--all'])).exitCode).toBe(0)
    const log = path.join(sb.home, 'audit.jsonl')
    const lines = fs.readFileSync(log, 'utf8')
    fs.writeFileSync(log, lines.replace(/"result":"ok"(?![\s\S]*"result":"ok")/, '"result":"failed"'))
    const tampered = fs.readFileSync(log, 'utf8')
    expect(tampered).not.toBe(lines)

    const unchanged = await cli(['deploy', '--all', '--json'])
    expect(unchanged.exitCode).toBe(4)
    expect(JSON.parse(unchanged.stdout).error).toMatchObject({code: 'E_AUDIT_BROKEN', exitCode: 4})

    writeHandler('etl', 'exports.handler = async () => ({etl: 3})\n')
    await clearRequests()
    const changed = await cli(['deploy', 'etl'])
    expect(changed.exitCode).toBe(4)
    expect(changed.stderr).toMatch(/^Error: The audit log .+ does not verify: .+ Refusing to append to it\.$/m)
    expect(changed.stderr).not.toMatch(/built etl|uploading/)
    expect((await requests()).counts.lambda?.UpdateFunctionCode).toBeUndefined()
    expect((await platform())['impress-etl'].aliases.live).toBe('4')
    expect(fs.readFileSync(log, 'utf8')).toBe(tampered)
  })

  it('--dry-run plans without any mutating call', async () => {
    writeHandler('pdf', 'exports.handler = async () => ({changed: true})\n')
    await clearRequests()
    const r = await cli(['deploy', 'pdf', '--dry-run'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/pdf\s+impress-pdf\s+planned\s+3 → \(new\)/)
    const ops = Object.keys((await requests()).counts.lambda ?? {})
    expect(ops.sort()).toEqual(['GetAlias', 'GetFunctionConfiguration'])
    expect((await platform())['impress-pdf'].versions).toEqual(['1', '2', '3'])
  })

  it('a failing build fails only its module and shows the last lines; the other module deploys (config file)', async () => {
    // A project with its own impress.config.yaml: builds run in its directory.
    fs.mkdirSync(path.join(sb.cwd, 'out', 'request'), {recursive: true})
    fs.writeFileSync(path.join(sb.cwd, 'out', 'request', 'index.js'), 'exports.handler = async () => ({ok: true, v: 2})\n')
    fs.writeFileSync(
      path.join(sb.cwd, 'impress.config.yaml'),
      [
        'environments:',
        '  local:',
        '    sandbox: {}',
        '    aws: {region: eu-west-1}',
        '    lambda:',
        '      modules:',
        '        etl: {function: impress-etl, build: "node -e \\"console.log(\'compiling\'); console.error(\'etl.ts(3,1): error TS2322\'); process.exit(2)\\"", artifact: out/etl}',
        '        request: {function: impress-request, build: "node -e \\"console.log(\'bundled\')\\"", artifact: out/request, smoke: {payload: {ping: true}, timeout: 20s}}',
        '',
      ].join('\n'),
    )
    const r = await cli(['deploy', 'etl', 'request'])
    expect(r.exitCode, r.stderr).toBe(1)
    expect(r.stderr).toMatch(/etl \(failed: build failed \(exit 2\)/)
    expect(r.stderr).toMatch(/Hint: Last lines: compiling \| etl\.ts\(3,1\): error TS2322/)
    expect(r.stderr).toMatch(/\[request\]\s+bundled/)
    expect(hasStackTrace(r.stderr)).toBe(false)
    expect(r.stdout).toMatch(/request\s+impress-request\s+deployed\s+3 → 4/)
    const state = await platform()
    expect(state['impress-etl'].versions).toEqual(['1', '2', '3'])
    expect(state['impress-request'].aliases.live).toBe('4')
    // the audit log of a project with a config file lives beside it
    const entry = JSON.parse(fs.readFileSync(path.join(sb.cwd, '.impress', 'audit.jsonl'), 'utf8').trim())
    expect(entry).toMatchObject({command: 'deploy', result: 'failed', exitCode: 1, env: 'local'})
  })

  it('a failing smoke test leaves the alias where it was', async () => {
    writeHandler('pdf', "exports.handler = async () => { throw new Error('renderer missing') }\n")
    const r = await cli(['deploy', 'pdf', '--json'])
    expect(r.exitCode).toBe(1)
    const err = JSON.parse(r.stdout).error
    expect(err.code).toBe('E_DEPLOY')
    expect(err.details.modules[0]).toMatchObject({status: 'failed', newVersion: '4', aliasMoved: false})
    expect(err.details.modules[0].error).toMatch(/smoke test of version 4 failed: .*renderer missing/)
    const state = await platform()
    expect(state['impress-pdf'].versions).toContain('4')
    expect(state['impress-pdf'].aliases.live).toBe('3')
  })

  it('a canary whose error rate rises is rolled back automatically (exit 1)', async () => {
    const counter = path.join(sb.home, 'invocations')
    // Healthy for the smoke test, then every invocation fails.
    writeHandler(
      'compute',
      `const fs = require('node:fs')\nexports.handler = async () => {\n  const n = fs.existsSync(${JSON.stringify(counter)}) ? Number(fs.readFileSync(${JSON.stringify(counter)}, 'utf8')) : 0\n  fs.writeFileSync(${JSON.stringify(counter)}, String(n + 1))\n  if (n > 0) throw new Error('error rate up')\n  return {ok: true}\n}\n`,
    )
    const r = await cli(['deploy', 'compute', '--canary', '10%', '--bake', '5m', '--json'])
    expect(r.exitCode).toBe(1)
    const m = JSON.parse(r.stdout).error.details.modules[0]
    expect(m).toMatchObject({status: 'rolled-back', previousVersion: '3', newVersion: '4', aliasMoved: false})
    expect(m.bake.errors).toBeGreaterThan(0)
    expect(r.stderr).toMatch(/canary: 10% of live → version 4/)
    expect((await platform())['impress-compute'].aliases.live).toBe('3')
    const ops = (await requests()).log.filter((x) => x.operation === 'UpdateAlias')
    expect(ops).toHaveLength(2) // shift the weight, then take it back
  })

  it('a healthy detached canary waits for deploy status / promote; rollback --all then undoes the deploy', async () => {
    writeHandler('message', 'exports.handler = async () => ({ok: true, v: 2})\n')
    const r = await cli(['deploy', 'message', '--canary', '25%', '--detach'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect((await platform())['impress-message'].aliases.live).toEqual({version: '3', weights: {'4': 0.25}})
    // prune never deletes a version an alias routes to, canary weight included
    const prune = JSON.parse((await cli(['lambda', 'prune', 'message', '--keep', '1', '--yes', '--json'])).stdout)
    expect(prune.deleted).toEqual(['1', '2'])
    expect((await platform())['impress-message'].versions).toEqual(['3', '4'])

    // another deploy sees the canary in progress (from GetAlias) and leaves the alias alone
    await clearRequests()
    const during = await cli(['deploy', 'message'])
    expect(during.exitCode).toBe(1)
    expect(during.stderr).toMatch(/a canary is in progress on impress-message:live/)
    expect((await requests()).counts.lambda).toEqual({GetAlias: 1})

    const status = JSON.parse((await cli(['deploy', 'status', '--json'])).stdout)
    expect(status.modules[0]).toMatchObject({module: 'message', previousVersion: '3', newVersion: '4', live: {weights: {'4': 0.25}}})
    const promote = await cli(['deploy', 'promote', '--yes'])
    expect(promote.exitCode, promote.stderr).toBe(0)
    expect((await platform())['impress-message'].aliases.live).toBe('4')
    expect((await cli(['deploy', 'status'])).exitCode).toBe(2)
    // promote wrote the alias's mark for version 4: the unchanged check needs GetAlias only
    await clearRequests()
    const same = JSON.parse((await cli(['deploy', 'message', '--json'])).stdout)
    expect(same.modules[0]).toMatchObject({status: 'unchanged', previousVersion: '4'})
    expect((await requests()).counts.lambda).toEqual({GetAlias: 1})

    const back = await cli(['rollback', '--all', '--yes'])
    expect(back.exitCode, back.stderr).toBe(0)
    expect(back.stdout).toMatch(/message: live 4 → 3/)
    expect((await platform())['impress-message'].aliases.live).toBe('3')
  })

  it('rollback: --to a missing version exits 2 naming the nearest; without --yes and no TTY exits 4; with --yes moves the alias', async () => {
    const missing = await cli(['rollback', 'etl', '--to', '7'])
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toMatch(/Version 7 of impress-etl does not exist; nearest published versions: 1, 2, 3\./)
    const refused = await cli(['rollback', 'etl'])
    expect(refused.exitCode).toBe(4)
    expect(refused.stderr).toMatch(/etl\s+impress-etl\s+3\s+2/)
    expect((await platform())['impress-etl'].aliases.live).toBe('3')
    const ok = await cli(['rollback', 'etl', '--to', '1', '--yes', '--json'])
    expect(ok.exitCode).toBe(0)
    expect(JSON.parse(ok.stdout).modules[0]).toMatchObject({fromVersion: '3', toVersion: '1', applied: true})
    expect((await platform())['impress-etl'].aliases.live).toBe('1')
    const results = audit().filter((e) => e.command === 'rollback').map((e) => [e.result, e.exitCode])
    expect(results).toEqual([
      ['failed', 2],
      ['refused', 4],
      ['ok', 0],
    ])
  })

  it('throttling injected on UpdateFunctionCode: the deploy still completes', async () => {
    writeHandler('etl', 'exports.handler = async () => ({ok: true, v: 9})\n')
    await fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({service: 'lambda', operation: 'UpdateFunctionCode', kind: 'throttle', times: 2, retryAfter: 0})})
    const r = await cli(['deploy', 'etl'])
    expect(r.exitCode, r.stderr).toBe(0)
    const log = (await requests()).log.filter((x) => x.operation === 'UpdateFunctionCode')
    expect(log.map((x) => x.status)).toEqual([429, 429, 200])
    expect((await platform())['impress-etl'].aliases.live).toBe('4')
  })

  it('versions lists published versions with aliases; unknown modules exit 2', async () => {
    const r = await cli(['versions', 'pdf'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/^\s+3\s+\S{12}\s+[\d.]+ KiB\s+\S+\s+live\s+deployed by demo@impress/m)
    const bad = await cli(['versions', 'nope'])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toMatch(/Unknown module "nope"/)
    // flags → options: bad input is a usage error before any call
    await clearRequests()
    const weight = await cli(['deploy', 'pdf', '--canary', '150%'])
    expect(weight.exitCode).toBe(2)
    expect(weight.stderr).toMatch(/--canary expects a share between 0% and 100%, got "150%"/)
    const none = await cli(['deploy'])
    expect(none.exitCode).toBe(2)
    expect(none.stderr).toMatch(/Modules: etl, request, compute, message, pdf/)
    expect((await requests()).total).toBe(0)
    const json = JSON.parse((await cli(['versions', 'pdf', '--json'])).stdout)
    expect(Object.keys(json).sort()).toEqual(['aliases', 'function', 'module', 'versions'])
    expect(Object.keys(json.versions[0]).sort()).toEqual(['aliases', 'codeSha256', 'codeSize', 'description', 'lastModified', 'version'])
  })
  it('a deploy of the same function already running on this machine is refused (exit 4) and nothing is called', async () => {
    const locks = path.join(sb.home, 'data', 'sandbox', 'locks')
    fs.mkdirSync(locks, {recursive: true})
    fs.writeFileSync(path.join(locks, 'lambda-deploy-impress-pdf.lock'), JSON.stringify({owner: 'ci@runner', pid: process.pid, host: os.hostname(), since: new Date().toISOString(), operation: 'impress deploy of impress-pdf'}))
    await clearRequests()
    const r = await cli(['deploy', 'etl', 'pdf'])
    expect(r.exitCode).toBe(4)
    expect(r.stderr).toMatch(/impress deploy of impress-pdf is already running: locked by ci@runner/)
    expect((await requests()).counts.lambda?.UpdateFunctionCode).toBeUndefined()
    // the lock it took first (etl) is released again
    expect(fs.existsSync(path.join(locks, 'lambda-deploy-impress-etl.lock'))).toBe(false)
    expect(fs.existsSync(path.join(locks, 'lambda-deploy-impress-pdf.lock'))).toBe(true)
  })
})
