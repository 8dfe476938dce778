/** status says "unreachable" only for a network failure; --check does not pass a status it could not gather. */
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {ConfigError, OperationError, UsageError} from '../../src/lib/errors.js'
import {classifySectionError, runStatus} from '../../src/lib/status/run.js'
import {runCli, tempHome} from '../helpers/cli.js'

const t = tempHome('impress-trust-status-')
afterAll(() => t.cleanup())

describe('status sections that could not be gathered', () => {
  it('classifies the cause: network → unreachable, configuration/input → not configured, else failed', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {code: 'ECONNREFUSED'})
    expect(classifySectionError(new OperationError('The sandbox does not respond', {cause: new TypeError('fetch failed', {cause: refused})}))).toBe('unreachable')
    expect(classifySectionError(new UsageError('Cannot read the roles file roles.yaml: ENOENT'))).toBe('not-configured')
    expect(classifySectionError(new ConfigError('Environment "prod" has no lambda section.'))).toBe('not-configured')
    expect(classifySectionError(new Error('AccessDenied'))).toBe('failed')
  })

  it('lists them apart from policy problems', async () => {
    const r = await runStatus('x', [
      {name: 'a', gather: async () => ({rows: [['k', 'v']], problems: []})},
      {name: 'roles', gather: async () => Promise.reject(new UsageError('Cannot read the roles file roles.yaml: ENOENT'))},
    ], new AbortController().signal)
    expect(r.problems).toEqual([])
    expect(r.unavailable).toEqual([{name: 'roles', state: 'not-configured', error: 'Cannot read the roles file roles.yaml: ENOENT'}])
  })

  it('end to end: an environment that does not answer is "unreachable", a missing roles file "not configured", and --check fails', async () => {
    fs.writeFileSync(path.join(t.cwd, 'impress.config.yaml'), 'environments:\n  sb:\n    sandbox: {url: "http://127.0.0.1:9"}\n    aws: {region: eu-west-1}\n    lambda: {modules: {pdf: {function: impress-pdf, artifact: x.zip}}}\n    auth0: {domain: x.eu.auth0.com, clientId: a, clientSecret: b}\n')
    const r = await runCli(['status', '--check', '--json'], {env: {IMPRESS_HOME: t.home}, cwd: t.cwd})
    expect(r.exitCode).not.toBe(0)
    const doc = JSON.parse(r.stdout)
    const lambda = doc.sections.find((s: {name: string}) => s.name === 'lambda')
    const roles = doc.sections.find((s: {name: string}) => s.name === 'roles')
    expect(lambda).toMatchObject({ok: false, state: 'unreachable'})
    expect(roles).toMatchObject({ok: false, state: 'not-configured'})
    const human = await runCli(['status'], {env: {IMPRESS_HOME: t.home}, cwd: t.cwd})
    expect(human.stdout).toMatch(/^roles {2}not configured \(Cannot read the roles file/m)
    expect(human.stdout).not.toMatch(/^roles .*unreachable/m)
  })
})
