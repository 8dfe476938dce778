/** Errors that say what is wrong: whole parse messages, every problem of a file, "did you mean", exit codes by class. */
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {closest, unknownFlagHint} from '../../src/lib/cli/suggest.js'
import {ConfigError, parseMessage, toImpressError, UsageError} from '../../src/lib/errors.js'
import {runDeploy} from '../../src/lib/lambda/deploy.js'
import type {LambdaPort} from '../../src/lib/lambda/ports.js'
import {parseRolesFile} from '../../src/lib/roles/file.js'
import {hasStackTrace, runCli, tempHome} from '../helpers/cli.js'

const t = tempHome('impress-trust-errors-')
const env = {IMPRESS_HOME: t.home}
afterAll(() => t.cleanup())

describe('oclif parse errors are shown whole', () => {
  it('a missing argument names the argument (not "Missing 1 required arg:" alone), human and --json', async () => {
    const r = await runCli(['lambda', 'prune', '--dry-run'], {env, cwd: t.cwd})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/^Error: Missing 1 required arg:\n {2}module\s+Module/m)
    expect(r.stderr).not.toContain('See more help with --help')
    const j = await runCli(['lambda', 'prune', '--dry-run', '--json'], {env, cwd: t.cwd})
    expect(JSON.parse(j.stdout).error).toMatchObject({code: 'E_USAGE', exitCode: 2})
    expect(JSON.parse(j.stdout).error.message).toMatch(/Missing 1 required arg:\n {2}module/)
  })

  it('a bad flag value says what was expected', async () => {
    const r = await runCli(['sandbox', 'start', '--port', 'abc'], {env, cwd: t.cwd})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/Parsing --port\n {2}Expected an integer but received: abc/)
  })

  it('keeps every line of a multi-error message (unit)', () => {
    const e = toImpressError(Object.assign(new Error('The following errors occurred:\n  \u001B[2mMissing required flag target\n  --a cannot also be provided when using --b\u001B[22m\nSee more help with --help'), {oclif: {exit: 2}}))
    expect(e).toBeInstanceOf(UsageError)
    expect(e.message).toBe('The following errors occurred:\n  Missing required flag target\n  --a cannot also be provided when using --b')
    expect(parseMessage('Nonexistent flag: --bogus\nSee more help with --help')).toBe('Nonexistent flag: --bogus')
  })
})

describe('did you mean', () => {
  it('suggests the closest name only when it is close', () => {
    expect(closest('lamda:prune', ['lambda:prune', 'aurora:prune'])).toBe('lambda:prune')
    expect(closest('dryrun', ['dry-run', 'yes', 'json'])).toBe('dry-run')
    expect(closest('frobnicate', ['status', 'drill', 'init'])).toBeUndefined()
    expect(unknownFlagHint(['--dryrun'], ['dry-run', 'yes'])).toMatch(/Did you mean --dry-run\?/)
    expect(unknownFlagHint(['--zzzzzz'], ['dry-run', 'yes'])).toBeUndefined()
  })

  it('an unknown command exits 2 with the closest command, with and without --json', async () => {
    const r = await runCli(['lamda', 'prune'], {env, cwd: t.cwd})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/^Error: "lamda prune" is not an impress command\.$/m)
    expect(r.stderr).toMatch(/^Hint: Did you mean `impress lambda prune`\?/m)
    const j = await runCli(['drll', '--json'], {env, cwd: t.cwd})
    expect(j.exitCode).toBe(2)
    expect(JSON.parse(j.stdout).error).toMatchObject({code: 'E_USAGE', exitCode: 2, hint: expect.stringContaining('`impress drill`')})
    expect(hasStackTrace(r.stderr + j.stderr)).toBe(false)
  })

  it('an unknown flag names the flag meant', async () => {
    const r = await runCli(['lambda', 'prune', 'pdf', '--dryrun'], {env, cwd: t.cwd})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/^Hint: Did you mean --dry-run\?/m)
  })

  it('-h and -v work at the top level', async () => {
    const h = await runCli(['-h'], {env, cwd: t.cwd})
    expect(h.exitCode).toBe(0)
    expect(h.stdout).toMatch(/^USAGE/m)
    const v = await runCli(['-v'], {env, cwd: t.cwd})
    expect(v.exitCode).toBe(0)
    expect(v.stdout).toMatch(/^impress-ops\/\d+\.\d+\.\d+/)
  })
})

describe('files with several problems show all of them', () => {
  it('the configuration: every problem with its line, a suggestion for a misspelt key, human and --json', async () => {
    const dir = path.join(t.cwd, 'several')
    fs.mkdirSync(dir)
    fs.writeFileSync(path.join(dir, 'impress.config.yaml'), 'environments:\n  prod:\n    aws: {region: eu-west-1, profle: x}\n    aurora: {cluster: c, retentionDays: 99}\n    drill: {rto: banana}\n    lamda: {}\n')
    const r = await runCli(['audit', 'log'], {env, cwd: dir})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).not.toMatch(/and \d+ more/)
    expect(r.stderr).toMatch(/has 4 problems:/)
    expect(r.stderr).toMatch(/:3: environments\.prod\.aws\.profle: unknown key "profle" \(did you mean "profile"\?\)/)
    expect(r.stderr).toMatch(/:4: environments\.prod\.aurora\.retentionDays: /)
    expect(r.stderr).toMatch(/:5: environments\.prod\.drill\.rto: expected a duration/)
    expect(r.stderr).toMatch(/:6: environments\.prod\.lamda: unknown key "lamda" \(did you mean "lambda"\?\)/)
    const j = await runCli(['audit', 'log', '--json'], {env, cwd: dir})
    const problems = JSON.parse(j.stdout).error.details.problems as {line: number; path: string}[]
    expect(problems.map((p) => [p.line, p.path])).toEqual([
      [3, 'environments.prod.aws.profle'],
      [4, 'environments.prod.aurora.retentionDays'],
      [5, 'environments.prod.drill.rto'],
      [6, 'environments.prod.lamda'],
    ])
  })

  it('the roles file: every rule broken, each with its line', () => {
    const text = [
      'default: USER',
      'applications:',
      '  - name: app',
      '    api: https://api',
      '    roles:',
      '      - {name: ADMIN, permissions: [read:x, read:x]}',
      '      - {name: ADMIN, permissions: []}',
      '  - name: app',
      '    roles: []',
      '',
    ].join('\n')
    let error: unknown
    try {
      parseRolesFile(text, 'roles.yaml')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(UsageError)
    const e = error as UsageError
    expect(e.message.split('\n')[0]).toBe('roles.yaml has 4 problems:')
    expect(e.message).toContain('roles.yaml:8: duplicate application "app"')
    expect(e.message).toContain('roles.yaml:6: duplicate permission "read:x"')
    expect(e.message).toContain('roles.yaml:7: duplicate role "ADMIN"')
    expect(e.message).toContain('the default role "USER" is not defined')
    expect((e.details as {problems: unknown[]}).problems).toHaveLength(4)
  })
})

describe('exit codes by class', () => {
  it('a backup that does not exist is bad input (exit 2, E_BACKUP_NOT_FOUND), not an incomplete backup (3)', async () => {
    const r = await runCli(['firebase', 'verify', 'nosuch', '--in', path.join(t.cwd, 'store'), '--json'], {env, cwd: t.cwd})
    expect(r.exitCode).toBe(2)
    expect(JSON.parse(r.stdout).error).toMatchObject({code: 'E_BACKUP_NOT_FOUND', exitCode: 2})
    expect(JSON.parse(r.stdout).error.message).not.toMatch(/incomplete/)
  })

  it('a module with no artifact configured is a configuration error (exit 2) before anything is built or called', async () => {
    const calls: string[] = []
    const lambda = new Proxy({}, {get: (_t, name) => () => calls.push(String(name))}) as unknown as LambdaPort
    const run = runDeploy(
      {modules: [{module: 'pdf', function: 'impress-pdf', build: 'exit 1', smokePayload: {}, smokeTimeoutMs: 1000}], alias: 'live', cwd: t.cwd, dryRun: false, concurrency: 1, description: 'x'},
      {lambda},
    )
    await expect(run).rejects.toBeInstanceOf(ConfigError)
    await expect(run).rejects.toMatchObject({exitCode: 2, code: 'E_NO_ARTIFACT'})
    expect(calls).toEqual([])
  })
})
