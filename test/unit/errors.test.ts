import {describe, expect, it} from 'vitest'
import {BugError, ExitCode, RefusedError, toImpressError, UsageError, ViolationError} from '../../src/lib/errors.js'

describe('toImpressError', () => {
  it('keeps typed errors and their exit codes', () => {
    expect(toImpressError(new RefusedError('x')).exitCode).toBe(ExitCode.Refused)
    expect(toImpressError(new ViolationError('x')).exitCode).toBe(ExitCode.Violations)
    expect(toImpressError(new UsageError('x')).exitCode).toBe(ExitCode.Usage)
  })

  it('maps oclif parse errors to usage (exit 2) with one line', () => {
    const e = toImpressError(Object.assign(new Error('Nonexistent flag: --bogus\nSee more help with --help'), {oclif: {exit: 2}}))
    expect(e).toBeInstanceOf(UsageError)
    expect(e.message).toBe('Nonexistent flag: --bogus')
  })

  it('maps anything unknown to a bug error asking to report it', () => {
    const e = toImpressError(new TypeError('x is undefined'))
    expect(e).toBeInstanceOf(BugError)
    expect(e.exitCode).toBe(1)
    expect(e.hint).toMatch(/report/)
  })
})
