/** Output paths are checked before any work starts (exit 2, nothing done); one helper for every command. */
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {checkOutputPaths, outputPathProblem} from '../../src/lib/cli/output-paths.js'
import {UsageError} from '../../src/lib/errors.js'
import {runCli, tempHome} from '../helpers/cli.js'

const t = tempHome('impress-trust-out-')
afterAll(() => t.cleanup())

describe('checkOutputPaths', () => {
  it('accepts a new file in an existing directory and a directory to be created', () => {
    expect(outputPathProblem({name: '--junit', path: path.join(t.cwd, 'x.xml'), kind: 'file'})).toBeUndefined()
    expect(outputPathProblem({name: '--report-dir', path: path.join(t.cwd, 'a', 'b'), kind: 'dir'})).toBeUndefined()
  })

  it('names every path that cannot be written, in one usage error (exit 2)', () => {
    const file = path.join(t.cwd, 'plain')
    fs.writeFileSync(file, '')
    let error: unknown
    try {
      checkOutputPaths([
        {name: '--junit', path: path.join(t.cwd, 'missing', 'x.xml'), kind: 'file'},
        {name: '--sarif', path: t.cwd, kind: 'file'},
        {name: '--report-dir', path: path.join(file, 'sub'), kind: 'dir'},
      ])
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(UsageError)
    const e = error as UsageError
    expect(e).toMatchObject({exitCode: 2, code: 'E_OUTPUT_PATH'})
    expect(e.message).toContain('Cannot write 3 outputs; nothing was done:')
    expect(e.message).toContain(`--junit ${path.join(t.cwd, 'missing', 'x.xml')}: its directory ${path.join(t.cwd, 'missing')} does not exist`)
    expect(e.message).toContain(`--sarif ${t.cwd}: is a directory`)
    expect(e.message).toContain(`${file} is not a directory`)
  })
})

describe('commands check their outputs before working', () => {
  it('drill --junit into a missing directory: exit 2 at once, no drill ran, no sandbox started', async () => {
    const junit = path.join(t.cwd, 'nope', 'drill.xml')
    const r = await runCli(['drill', '--yes', '--junit', junit, '--json'], {env: {IMPRESS_HOME: t.home}, cwd: t.cwd})
    expect(r.exitCode).toBe(2)
    expect(JSON.parse(r.stdout).error).toMatchObject({code: 'E_OUTPUT_PATH', exitCode: 2})
    expect(r.stderr).not.toMatch(/Started the sandbox/)
    expect(fs.existsSync(path.join(t.home, 'sandbox'))).toBe(false)
    expect(fs.existsSync(path.join(t.home, 'data', 'sandbox', 'journals'))).toBe(false)
  })

  it('compliance check --report and --sarif: both bad paths named, exit 2', async () => {
    const r = await runCli(['compliance', 'check', '--report', path.join(t.cwd, 'no', 'a.md'), '--sarif', path.join(t.cwd, 'no', 'b.sarif')], {env: {IMPRESS_HOME: t.home}, cwd: t.cwd})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/Cannot write 2 outputs; nothing was done:\n {2}--report .*a\.md: its directory .* does not exist\n {2}--sarif /)
  })
})
