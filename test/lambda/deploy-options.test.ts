/** What `impress deploy` reads from its arguments and how it turns a bad outcome into its error (pure logic). */
import {describe, expect, it} from 'vitest'
import {OperationError, UsageError} from '../../src/lib/errors.js'
import {canaryRequest, deployFailure, deployTargets} from '../../src/lib/lambda/deploy-options.js'
import type {DeployResult} from '../../src/lib/lambda/deploy.js'

const configured = ['etl', 'request', 'pdf']

describe('deployTargets', () => {
  it('takes the named modules once each, and not the values of flags that take one', () => {
    expect(deployTargets(false, ['pdf', '--canary', '10%', '--bake', '5m', 'etl', '--concurrency', '2', '--env', 'prod', '--config', 'x.yaml', 'pdf', '--yes'], configured)).toEqual(['pdf', 'etl'])
  })
  it('takes every configured module with --all', () => {
    expect(deployTargets(true, ['--all'], configured)).toEqual(configured)
  })
  it('refuses no module at all with exit 2, listing the modules', () => {
    const e = (() => {
      try {
        deployTargets(false, ['--canary', '10%'], configured)
      } catch (error) {
        return error
      }
    })()
    expect(e).toBeInstanceOf(UsageError)
    expect((e as UsageError).exitCode).toBe(2)
    expect((e as UsageError).hint).toBe('Modules: etl, request, pdf.')
  })
})

describe('canaryRequest', () => {
  it('reads the share and the bake', () => {
    expect(canaryRequest('10%', '5m')).toEqual({weight: 0.1, bakeMs: 300_000})
    expect(canaryRequest(undefined, '30s')).toEqual({weight: undefined, bakeMs: 30_000})
  })
  it('refuses a share outside 0..100% and a bake that is not a positive duration', () => {
    expect(() => canaryRequest('150%', '5m')).toThrow(/--canary expects a share between 0% and 100%, got "150%"/)
    expect(() => canaryRequest(undefined, 'soon')).toThrow(/--bake expects a duration such as 5m, got "soon"/)
    expect(() => canaryRequest(undefined, '0s')).toThrow(UsageError)
  })
})

describe('deployFailure', () => {
  const result = (statuses: [string, string, string?][]): DeployResult =>
    ({modules: statuses.map(([module, status, hint]) => ({module, status, error: `${module} broke`, hint}))}) as unknown as DeployResult
  it('is nothing when every module deployed or was unchanged', () => {
    expect(deployFailure(result([['etl', 'deployed'], ['pdf', 'unchanged']]))).toBeUndefined()
  })
  it('names each failed or rolled-back module, exit 1, with the module\'s own hint when it is the only one', () => {
    const one = deployFailure(result([['etl', 'deployed'], ['pdf', 'rolled-back', 'Look at the smoke test.']]))
    expect(one).toBeInstanceOf(OperationError)
    expect(one!.exitCode).toBe(1)
    expect(one!.code).toBe('E_DEPLOY')
    expect(one!.message).toBe('1 of 2 module(s) not deployed: pdf (rolled-back: pdf broke)')
    expect(one!.hint).toBe('Look at the smoke test.')
    const two = deployFailure(result([['etl', 'failed'], ['pdf', 'rolled-back', 'Look at the smoke test.']]))
    expect(two!.message).toBe('2 of 2 module(s) not deployed: etl (failed: etl broke); pdf (rolled-back: pdf broke)')
    expect(two!.hint).toMatch(/alias still points to its previous version/)
  })
})
