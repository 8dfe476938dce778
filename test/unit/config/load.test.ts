import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {findConfigFile, loadEnvironment, parseConfig} from '../../../src/lib/config/load.js'
import {resolveSecret} from '../../../src/lib/config/secret-ref.js'
import {defaultAnswers, starterConfig} from '../../../src/lib/config/starter.js'
import {ConfigError, ExitCode, ImpressError} from '../../../src/lib/errors.js'
import {Redactor} from '../../../src/lib/redact.js'
import {tmpDir} from '../../helpers/tmp.js'

const VALID = `environments:
  prod:
    aws: { region: eu-west-1, profile: impress-prod }
    aurora:
      cluster: impress-prod
      retentionDays: 7
`

describe('parseConfig', () => {
  it('accepts a valid file and fills defaults', () => {
    const c = parseConfig(VALID, 'impress.config.yaml')
    expect(c.environments.prod.aurora).toEqual({cluster: 'impress-prod', retentionDays: 7, maxReplicaLagMs: 1000, keepNewest: 1})
  })

  it('names the file, the line and the path of a bad value', () => {
    const text = VALID.replace('retentionDays: 7', 'retentionDays: 70')
    const err = catchError(() => parseConfig(text, 'cfg.yaml'))
    expect(err).toBeInstanceOf(ConfigError)
    expect(err.exitCode).toBe(ExitCode.Usage)
    expect(err.message).toMatch(/^cfg\.yaml:6: environments\.prod\.aurora\.retentionDays: /)
    expect(err.message).toContain('35')
  })

  it('names an unknown key with its line', () => {
    const err = catchError(() => parseConfig(VALID.replace('profile:', 'profil:'), 'cfg.yaml'))
    expect(err.message).toBe('cfg.yaml:3: environments.prod.aws.profil: unknown key "profil" (did you mean "profile"?)')
  })

  it('reports a missing required value', () => {
    const err = catchError(() => parseConfig('environments:\n  prod:\n    aurora: {retentionDays: 3}\n', 'c.yaml'))
    expect(err.message).toMatch(/environments\.prod\.aurora\.cluster/)
  })

  it('reports YAML syntax errors with a line', () => {
    const err = catchError(() => parseConfig('environments:\n  prod:\n   - a\n  b: [\n', 'c.yaml'))
    expect(err.message).toMatch(/^c\.yaml:\d+: invalid YAML/)
  })

  it('property: any malformed document gives a ConfigError (exit 2) with one line per problem, never another error', () => {
    const scalar = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null))
    const value = fc.letrec((tie) => ({
      node: fc.oneof({depthSize: 'small'}, scalar, fc.array(tie('node'), {maxLength: 3}), fc.dictionary(fc.string({maxLength: 8}), tie('node'), {maxKeys: 3})),
    })).node
    // Random YAML text, and random structures dropped into a valid file at random places.
    const text = fc.oneof(
      fc.string({maxLength: 200}),
      value.map((v) => JSON.stringify({environments: {prod: {aurora: v}}})),
      value.map((v) => JSON.stringify({environments: v})),
      value.map((v) => JSON.stringify(v)),
      fc.tuple(fc.constantFrom('retentionDays', 'cluster', 'maxReplicaLagMs', 'bogus'), scalar).map(([k, v]) => `environments:\n  prod:\n    aurora:\n      cluster: x\n      ${k}: ${JSON.stringify(v)}\n`),
    )
    fc.assert(
      fc.property(text, (t) => {
        try {
          parseConfig(t, 'f.yaml')
          return true // valid input is fine too
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError)
          const e = error as ConfigError
          expect(e.exitCode).toBe(2)
          const lines = e.message.split('\n')
          expect(lines[0].startsWith('f.yaml')).toBe(true)
          if (lines.length > 1) {
            // Several problems: a count, then every problem on its own line.
            expect(lines[0]).toBe(`f.yaml has ${lines.length - 1} problems:`)
            for (const l of lines.slice(1)) expect(l).toMatch(/^ {2}f\.yaml(:\d+)?: ./)
          }
          expect(e.hint.length).toBeGreaterThan(0)
          return true
        }
      }),
      {numRuns: 400},
    )
  })

  it('the starter file written by init is valid', () => {
    const c = parseConfig(starterConfig(defaultAnswers()), 'x.yaml')
    expect(Object.keys(c.environments)).toEqual(['sandbox', 'prod'])
  })
})

describe('loadEnvironment', () => {
  it('walks up from the working directory and selects the environment', () => {
    const root = tmpDir('cfg-')
    fs.writeFileSync(path.join(root, 'impress.config.yaml'), VALID)
    const deep = path.join(root, 'a', 'b')
    fs.mkdirSync(deep, {recursive: true})
    expect(findConfigFile(deep)).toBe(path.join(root, 'impress.config.yaml'))
    const env = loadEnvironment({cwd: deep, env: {}})
    expect(env.name).toBe('prod')
    expect(env.sandbox).toBe(false)
    expect(env.auditPath).toBe(path.join(root, '.impress', 'audit.jsonl'))
    const err = catchError(() => loadEnvironment({cwd: deep, envName: 'staging', env: {}}))
    expect(err.message).toMatch(/"staging" is not defined/)
    expect(err.hint).toMatch(/prod/)
  })

  it('falls back to the built-in sandbox environment when no file exists', () => {
    const dir = tmpDir('nocfg-')
    const env = loadEnvironment({cwd: dir, env: {IMPRESS_HOME: dir}})
    expect(env.name).toBe('sandbox')
    expect(env.sandbox).toBe(true)
    expect(env.sandboxStateDir).toBe(path.join(dir, 'sandbox'))
    expect(Object.keys(env.config.lambda!.modules)).toEqual(['etl', 'request', 'compute', 'message', 'pdf'])
  })

  it('rejects a missing --config file', () => {
    const err = catchError(() => loadEnvironment({configPath: '/nonexistent/impress.config.yaml'}))
    expect(err.exitCode).toBe(2)
    expect(err.message).toContain('/nonexistent/impress.config.yaml')
  })
})

describe('env: references', () => {
  it('reads the variable at use time and registers it for redaction', () => {
    const r = new Redactor()
    expect(resolveSecret('env:MY_SECRET', 'environments.prod.auth0.clientSecret', {env: {MY_SECRET: 's3cr3t-value'}, redactor: r})).toBe('s3cr3t-value')
    expect(r.redactText('token=s3cr3t-value')).toBe('token=[REDACTED]')
  })

  it('a missing variable is a config error naming the variable and the path', () => {
    const err = catchError(() => resolveSecret('env:NOPE_NOT_SET', 'environments.prod.auth0.clientSecret', {env: {}}))
    expect(err.exitCode).toBe(2)
    expect(err.message).toContain('NOPE_NOT_SET')
    expect(err.message).toContain('environments.prod.auth0.clientSecret')
  })
})

function catchError(fn: () => unknown): ImpressError {
  try {
    fn()
  } catch (error) {
    return error as ImpressError
  }
  throw new Error('expected an error')
}

describe('parseConfig regressions found by the property test', () => {
  it('an unresolved alias is a config error, not a crash', () => {
    expect(() => parseConfig('*!', 'f.yaml')).toThrow(ConfigError)
    expect(() => parseConfig('environments: *nope\n', 'f.yaml')).toThrow(/invalid YAML/)
  })
})
