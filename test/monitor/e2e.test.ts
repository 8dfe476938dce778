/**
 * impress logs and impress monitor end to end: bin/run.js as a child process against an
 * in-process sandbox (time scale 0.001: a 60 s alarm period lasts 60 ms).
 */
import {InvokeCommand, LambdaClient} from '@aws-sdk/client-lambda'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, hasStackTrace, runCli} from '../helpers/cli.js'
import {awsTestConfig, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

let sb: TestSandbox
const cli = (args: string[]) => runCli(args, {env: sb.env, cwd: sb.cwd, timeout: 90_000})
const jsonLines = (out: string) => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as {module: string; timestamp: string; message: string; eventId: string})

beforeAll(async () => {
  sb = await startTestSandbox()
})
afterAll(async () => {
  await sb.stop()
})

describe('impress logs', () => {
  it('interleaves every module in time order, each event once, as JSON lines', async () => {
    const r = await cli(['logs', '--since', '6h', '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    const events = jsonLines(r.stdout)
    expect(new Set(events.map((e) => e.module))).toEqual(new Set(['etl', 'request', 'compute', 'message', 'pdf']))
    expect(events.length).toBeGreaterThan(500)
    for (let i = 1; i < events.length; i++) expect(events[i].timestamp >= events[i - 1].timestamp, `event ${i} out of order`).toBe(true)
    expect(new Set(events.map((e) => `${e.module}/${e.eventId}`)).size).toBe(events.length)
    // the same range, one module: exactly that module's share, in the same order
    const one = jsonLines((await cli(['logs', 'pdf', '--since', events[0].timestamp, '--until', events.at(-1)!.timestamp, '--json'])).stdout)
    expect(one.map((e) => e.eventId)).toEqual(events.filter((e) => e.module === 'pdf').map((e) => e.eventId))
  })

  it('filters with the CloudWatch pattern syntax; human lines carry the module', async () => {
    const r = await cli(['logs', 'request', 'pdf', '--since', '24h', '--filter', 'PoolExhaustedError'])
    expect(r.exitCode, r.stderr).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines.length).toBeGreaterThan(0)
    for (const l of lines) expect(l).toMatch(/^\d{4}-\d\d-\d\d [\d:.]+ request\s+.*PoolExhaustedError/)
    const limited = await cli(['logs', '--since', '24h', '--filter', '?ERROR ?WARN', '--limit', '3', '--json'])
    expect(jsonLines(limited.stdout)).toHaveLength(3)
  })

  it('bad input: invalid filter, unknown module, invalid --since: one line, exit 2', async () => {
    for (const args of [
      ['logs', '--filter', '"unclosed'],
      ['logs', 'nope'],
      ['logs', '--since', 'last tuesday'],
    ]) {
      const r = await cli(args)
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(2)
      expect(r.stderr).toMatch(/^Error: .+\nHint: .+\n$/)
      expect(hasStackTrace(r.stderr)).toBe(false)
      expect(r.stdout).toBe('')
    }
    // a monitoring: section that does not validate
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monitor-config-'))
    try {
      fs.writeFileSync(path.join(dir, 'impress.config.yaml'), `environments:\n  prod:\n    aws: {region: eu-west-1}\n    lambda: {modules: {pdf: {function: impress-pdf}}}\n    monitoring: {period: 7}\n`)
      const r = await runCli(['monitor', 'plan'], {env: sb.env, cwd: dir})
      expect(r.exitCode, r.stderr).toBe(2)
      expect(r.stderr).toContain('monitoring.period')
    } finally {
      fs.rmSync(dir, {recursive: true, force: true})
    }
  })

  it('--query runs a Logs Insights query over the chosen modules to the end; a bad query is one line, exit 2', async () => {
    const r = await cli(['logs', 'request', 'pdf', '--since', '24h', '--query', 'filter @message like /PoolExhaustedError/ | stats count(*) as n by bin(1h) | sort n desc', '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout) as {status: string; fields: string[]; rows: Record<string, string>[]; statistics: {recordsMatched: number}; polls: number}
    expect(doc.status).toBe('Complete')
    expect(doc.polls).toBeGreaterThanOrEqual(2)
    expect(doc.fields).toEqual(['bin(1h)', 'n'])
    const filtered = (await cli(['logs', 'request', 'pdf', '--since', '24h', '--filter', 'PoolExhaustedError', '--json'])).stdout.trim().split('\n').length
    expect(doc.rows.reduce((n, x) => n + Number(x.n), 0)).toBe(filtered)
    expect(doc.statistics.recordsMatched).toBe(filtered)
    const table = await cli(['logs', 'pdf', '--since', '2h', '--query', 'fields @timestamp, @message | sort @timestamp desc | limit 2'])
    expect(table.exitCode, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/^@timestamp\s+@message\n\d{4}-\d\d-\d\d [\d:.]+\s+\S.*\n.*\n2 row\(s\)/)
    for (const q of ['fields @message | zzz', 'fields @message | dedup @message']) {
      const bad = await cli(['logs', '--query', q])
      expect(bad.exitCode, bad.stderr).toBe(2)
      expect(bad.stderr).toMatch(/^Error: Logs Insights refused the query: .+\nHint: .+\n$/)
      expect(bad.stdout).toBe('')
    }
  })

  it('throttled FilterLogEvents calls are retried: the same lines, none twice, none lost', async () => {
    const clean = jsonLines((await cli(['logs', '--since', '12h', '--until', '1h', '--json'])).stdout)
    sb.host.faults.add({service: 'logs', operation: 'FilterLogEvents', kind: 'throttle', retryAfter: 0, times: 12})
    const r = await cli(['logs', '--since', '12h', '--until', '1h', '--json', '--verbose'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(jsonLines(r.stdout).map((e) => e.eventId)).toEqual(clean.map((e) => e.eventId))
    expect(sb.host.faults.list().filter((f) => f.service === 'logs')).toEqual([])
  })

  it('--patterns marks the error pattern that appeared today as new', async () => {
    const r = await cli(['logs', '--patterns', '--since', '24h', '--baseline', '7d', '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout) as {patterns: {module: string; status: string; pattern: string; count: number; baseline: number}[]}
    const fresh = doc.patterns.filter((p) => p.status === 'new')
    expect(fresh).toHaveLength(1)
    expect(fresh[0]).toMatchObject({module: 'request', baseline: 0})
    expect(fresh[0].pattern).toContain('PoolExhaustedError')
    expect(fresh[0].pattern).toContain('<n> ms')
    // the ordinary error is known from the baseline
    expect(doc.patterns.find((p) => p.pattern.includes('ECONNRESET'))?.status).toBe('usual')
  })

  it('--follow prints an invocation made while it runs, and Ctrl-C ends it with 130 and whole lines', async () => {
    const child = execa(process.execPath, [BIN, 'logs', 'etl', 'compute', '--follow', '--since', '1m', '--json'], {env: {...sb.env, CI: 'true'}, cwd: sb.cwd, reject: false})
    let out = ''
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()))
    let err = ''
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()))
    const lambda = new LambdaClient(awsTestConfig(sb.url))
    try {
      await new Promise((r) => setTimeout(r, 2500))
      const inv = await lambda.send(new InvokeCommand({FunctionName: 'impress-compute', Qualifier: 'live', Payload: Buffer.from('{"ping":true}')}))
      const id = inv.$metadata.requestId!
      const deadline = Date.now() + 20_000
      while (!out.includes(`REPORT RequestId: ${id}`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
      expect(out, err).toContain(`START RequestId: ${id}`)
      expect(out).toContain(`REPORT RequestId: ${id}`)
      child.kill('SIGINT')
      const r = await child
      expect(r.exitCode, err).toBe(130)
      expect(out.endsWith('\n')).toBe(true)
      const lines = jsonLines(out)
      expect(lines.filter((e) => e.message.startsWith(`START RequestId: ${id}`))).toHaveLength(1)
    } finally {
      lambda.destroy()
      child.kill('SIGKILL')
    }
  })
})

describe('impress monitor', () => {
  it('plan → apply → plan: exit 3, then converges, then exit 0; apply without --yes refuses (4)', async () => {
    const plan = await cli(['monitor', 'plan', '--exit-code', '--json'])
    expect(plan.exitCode, plan.stderr).toBe(3)
    const p = JSON.parse(plan.stdout) as {alarms: {missing: {module: string}[]}; filters: {missing: unknown[]}}
    expect([...new Set(p.alarms.missing.map((a) => a.module))].sort()).toEqual(['message', 'request'])
    expect(p.alarms.missing).toHaveLength(8)
    expect(p.filters.missing).toHaveLength(2)
    // the two groups kept forever get the default 30-day retention
    expect((p as unknown as {retention: {group: string; to: number}[]}).retention).toEqual([
      {group: '/aws/lambda/impress-compute', to: 30},
      {group: '/aws/lambda/impress-message', to: 30},
    ])
    const refused = await cli(['monitor', 'apply'])
    expect(refused.exitCode).toBe(4)
    const dry = await cli(['monitor', 'apply', '--dry-run', '--json'])
    expect(dry.exitCode).toBe(0)
    expect(JSON.parse(dry.stdout)).toMatchObject({applied: false, drift: true})
    const apply = await cli(['monitor', 'apply', '--yes', '--json'])
    expect(apply.exitCode, apply.stderr).toBe(0)
    expect(JSON.parse(apply.stdout)).toMatchObject({applied: true, after: {drift: false}})
    const again = await cli(['monitor', 'plan', '--exit-code'])
    expect(again.exitCode, again.stderr).toBe(0)
    expect(again.stdout).toContain('No drift: 20 alarm(s), 5 metric filter(s)')
    // idempotent: a second apply has nothing to do, and nothing was duplicated
    const second = await cli(['monitor', 'apply', '--yes', '--json'])
    expect(JSON.parse(second.stdout)).toMatchObject({applied: false, summary: {changes: 0}})
    const status = await cli(['monitor', 'status', '--json'])
    const s = JSON.parse(status.stdout) as {alarms: unknown[]; subscriptions: {endpoint: string; confirmed: boolean}[]}
    expect(s.alarms).toHaveLength(20)
    expect(s.subscriptions).toEqual([{protocol: 'email', endpoint: 'support@impress.example', confirmed: true}])
  }, 240_000)

  it('monitor test: the scratch alias fails, the alarm email reaches the mail sink, times are measured, the alias is gone', async () => {
    const r = await cli(['monitor', 'test', 'etl', '--yes', '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    const t = JSON.parse(r.stdout) as {ok: boolean; alias: string; timeToDetectMs: number; timeToNotifyMs: number; notification: string; cleanedUp: boolean}
    expect(t).toMatchObject({ok: true, notification: 'received', cleanedUp: true})
    expect(t.timeToDetectMs).toBeGreaterThanOrEqual(0)
    expect(t.timeToNotifyMs).toBeGreaterThanOrEqual(t.timeToDetectMs)
    const mail = ((await (await fetch(`${sb.url}/mail/messages`)).json()) as {messages: {to: string[]; raw: string}[]}).messages
    expect(mail.some((m) => m.to.includes('support@impress.example') && m.raw.includes('Subject: ALARM: "impress/etl/errors"'))).toBe(true)
    const aliases = ((await (await fetch(`${sb.url}/_sandbox/platform`)).json()) as {lambda: {functions: {name: string; aliases: Record<string, unknown>}[]}}).lambda.functions.find((f) => f.name === 'impress-etl')!.aliases
    expect(Object.keys(aliases)).toEqual(['live'])
    const status = JSON.parse((await cli(['monitor', 'status', '--json'])).stdout) as {lastTest: {module: string}}
    expect(status.lastTest.module).toBe('etl')
    const unknown = await cli(['monitor', 'test', 'nope', '--yes'])
    expect(unknown.exitCode).toBe(2)
  }, 180_000)
})
