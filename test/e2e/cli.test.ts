import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {hasStackTrace, runCli, tempHome} from '../helpers/cli.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {getJson} from '../helpers/http.js'

describe('impress CLI basics', () => {
  it('--version and --help', async () => {
    const v = await runCli(['--version'])
    expect(v.exitCode).toBe(0)
    expect(v.stdout).toMatch(/^impress-ops\/\d+\.\d+\.\d+/)
    const h = await runCli(['--help'])
    expect(h.exitCode).toBe(0)
    expect(h.stdout).toContain('sandbox')
    expect(h.stdout).toContain('audit')
  })

  it('a bad flag exits 2 with one error line and a hint, no stack trace', async () => {
    const r = await runCli(['audit', 'log', '--bogus'])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/^Error: Nonexistent flag: --bogus$/m)
    expect(r.stderr).toMatch(/^Hint: /m)
    expect(hasStackTrace(r.stderr)).toBe(false)
  })

  it('an unknown command exits 2 without a stack trace', async () => {
    const r = await runCli(['frobnicate'])
    expect(r.exitCode).toBe(2)
    expect(hasStackTrace(r.stderr)).toBe(false)
  })

  it('a missing --config file exits 2 naming the file', async () => {
    const r = await runCli(['audit', 'log', '--config', '/nope/impress.config.yaml'])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain('/nope/impress.config.yaml')
    expect(hasStackTrace(r.stderr)).toBe(false)
  })

  it('an invalid config exits 2 naming the path inside it; --json gives one error document', async () => {
    const t = tempHome()
    fs.writeFileSync(path.join(t.cwd, 'impress.config.yaml'), 'environments:\n  prod:\n    aurora: {cluster: x, retentionDays: 99}\n')
    const r = await runCli(['audit', 'log'], {cwd: t.cwd})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain('environments.prod.aurora.retentionDays')
    const j = await runCli(['audit', 'log', '--json'], {cwd: t.cwd})
    expect(j.exitCode).toBe(2)
    const doc = JSON.parse(j.stdout)
    expect(doc.error).toMatchObject({code: 'E_CONFIG', exitCode: 2, details: {path: 'environments.prod.aurora.retentionDays', line: 3}})
    t.cleanup()
  })

  it('a missing env: variable exits 2 naming the variable', async () => {
    const t = tempHome()
    fs.writeFileSync(path.join(t.cwd, 'impress.config.yaml'), 'environments:\n  sb:\n    sandbox: {}\n    notify: {webhook: "env:IMPRESS_TEST_HOOK_UNSET"}\n')
    // `notify test` is not built yet; resolve through a command that reads secrets once it exists.
    const {resolveSecret} = await import('../../src/lib/config/secret-ref.js')
    expect(() => resolveSecret('env:IMPRESS_TEST_HOOK_UNSET', 'environments.sb.notify.webhook', {env: {}})).toThrow(/IMPRESS_TEST_HOOK_UNSET/)
    t.cleanup()
  })

  it('no AWS credentials is a setup error (exit 2) naming the profile, not a stack trace', async () => {
    const t = tempHome()
    fs.writeFileSync(path.join(t.cwd, 'impress.config.yaml'), 'environments:\n  prod:\n    aws: {region: eu-west-1, profile: impress-nope}\n    aurora: {cluster: impress-prod}\n')
    const env = {IMPRESS_HOME: t.home, AWS_CONFIG_FILE: path.join(t.home, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(t.home, 'none'), AWS_EC2_METADATA_DISABLED: 'true', AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_PROFILE: undefined}
    const r = await runCli(['aurora', 'status'], {cwd: t.cwd, env})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/^Error: No AWS credentials for environment "prod" \(profile impress-nope\)\.$/m)
    expect(r.stderr).toMatch(/aws sso login --profile impress-nope/)
    expect(hasStackTrace(r.stderr)).toBe(false)
    t.cleanup()
  })

  it('init --yes writes a valid starter file and refuses to overwrite without --force', async () => {
    const t = tempHome()
    const r = await runCli(['init', '--yes'], {cwd: t.cwd, env: {IMPRESS_HOME: t.home}})
    expect(r.exitCode).toBe(0)
    const file = path.join(t.cwd, 'impress.config.yaml')
    expect(fs.readFileSync(file, 'utf8')).toContain('environments:')
    const again = await runCli(['init', '--yes'], {cwd: t.cwd, env: {IMPRESS_HOME: t.home}})
    expect(again.exitCode).toBe(4)
    expect(again.stderr).toContain('--force')
    const noTty = await runCli(['init', '--force'], {cwd: t.cwd, env: {IMPRESS_HOME: t.home}})
    expect(noTty.exitCode).toBe(4)
    expect(noTty.stderr).toContain('--yes')
    // The written file loads: audit log works against it.
    const log = await runCli(['audit', 'log', '--json', '--env', 'prod'], {cwd: t.cwd, env: {IMPRESS_HOME: t.home}})
    expect(log.exitCode).toBe(0)
    expect(JSON.parse(log.stdout).entries).toEqual([])
    t.cleanup()
  })
})

describe('against a sandbox', () => {
  let sb: TestSandbox
  beforeAll(async () => {
    sb = await startTestSandbox()
  })
  afterAll(async () => {
    await sb.stop()
  })

  it('--json output is exactly one JSON document on stdout', async () => {
    const r = await runCli(['sandbox', 'requests', '--json'], {env: sb.env, cwd: sb.cwd})
    expect(r.exitCode).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc).toHaveProperty('counts')
    expect(typeof doc.total).toBe('number')
  })

  it('NO_COLOR is honoured even when colour is forced', async () => {
    const coloured = await runCli(['audit', 'log', '--bogus'], {env: {...sb.env, FORCE_COLOR: '1'}, cwd: sb.cwd})
    expect(coloured.stderr).toContain('\u001B[')
    const plain = await runCli(['audit', 'log', '--bogus'], {env: {...sb.env, FORCE_COLOR: '1', NO_COLOR: '1'}, cwd: sb.cwd})
    expect(plain.stderr).not.toContain('\u001B[')
  })

  it('a destructive command with no TTY and no --yes exits 4 and changes nothing; --yes proceeds; both are audited', async () => {
    // Every mutating command reads the audit key (Secrets Manager), may ask who it is (STS) and may anchor
    // the log (S3, impress-audit-anchors): those are the audit's own requests, not the command's.
    const commandRequests = async () =>
      ((await getJson(`${sb.url}/_sandbox/requests?log=1`)).log as {service: string; path: string}[]).filter((x) => !['secretsmanager', 'sts'].includes(x.service) && !x.path.startsWith('/impress-audit-anchors')).length
    const before = await commandRequests()
    const r = await runCli(['sandbox', 'reset'], {env: sb.env, cwd: sb.cwd})
    expect(r.exitCode).toBe(4)
    expect(r.stderr).toMatch(/--yes/)
    expect(await commandRequests()).toBe(before)
    const ok = await runCli(['sandbox', 'reset', '--yes'], {env: sb.env, cwd: sb.cwd})
    expect(ok.exitCode).toBe(0)
    const log = await runCli(['audit', 'log', '--json', '--command', 'sandbox reset'], {env: sb.env, cwd: sb.cwd})
    const entries = JSON.parse(log.stdout).entries
    expect(entries.map((e: {result: string}) => e.result)).toEqual(['refused', 'ok'])
    expect(entries[1]).toMatchObject({command: 'sandbox reset', args: ['--yes'], exitCode: 0, env: 'sandbox'})
    expect(entries[1].prev).toMatch(/^[0-9a-f]{64}$/)
  })

  it('audit verify passes, then catches an edited line (exit 3, naming the line)', async () => {
    await runCli(['sandbox', 'reset', '--dry-run'], {env: sb.env, cwd: sb.cwd})
    const ok = await runCli(['audit', 'verify'], {env: sb.env, cwd: sb.cwd})
    expect(ok.exitCode).toBe(0)
    const logPath = path.join(sb.home, 'audit.jsonl')
    const lines = fs.readFileSync(logPath, 'utf8').split('\n').filter(Boolean)
    expect(lines.length).toBeGreaterThanOrEqual(2)
    lines[0] = lines[0].replace('"refused"', '"ok"')
    fs.writeFileSync(logPath, lines.join('\n') + '\n')
    const bad = await runCli(['audit', 'verify'], {env: sb.env, cwd: sb.cwd})
    expect(bad.exitCode).toBe(3)
    expect(bad.stderr).toMatch(/line 1 was edited/)
    const j = await runCli(['audit', 'verify', '--json'], {env: sb.env, cwd: sb.cwd})
    expect(JSON.parse(j.stdout).error.details.line).toBe(1)
  })
})
