// Build cache: a module with declared inputs skips its build when nothing it reads changed.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, afterEach, beforeEach, describe, expect, it} from 'vitest'
import {BuildCache, inputsDigest, matchInputs} from '../../src/lib/lambda/build-cache.js'
import {ConfigError} from '../../src/lib/errors.js'
import {hasStackTrace, runCli} from '../helpers/cli.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

describe('inputsDigest / BuildCache (unit)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-build-cache-'))
  afterAll(() => fs.rmSync(dir, {recursive: true, force: true}))
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), {recursive: true})
    fs.writeFileSync(path.join(dir, rel), text)
  }

  it('changes with a file’s content, a new file, a renamed file or the command; not otherwise', async () => {
    write('src/a.js', 'a')
    write('src/lib/b.js', 'b')
    write('other/c.js', 'c')
    const d = (cmd = 'build') => inputsDigest(dir, ['src/**'], cmd).then((r) => r.digest)
    const base = await d()
    expect((await inputsDigest(dir, ['src/**'], 'build')).files).toBe(2)
    expect(await d()).toBe(base)
    write('other/c.js', 'changed outside the inputs')
    expect(await d()).toBe(base)
    expect(await d('build --prod')).not.toBe(base)
    write('src/a.js', 'a2')
    const edited = await d()
    expect(edited).not.toBe(base)
    write('src/a.js', 'a')
    expect(await d()).toBe(base)
    write('src/new.js', '')
    expect(await d()).not.toBe(base)
    fs.rmSync(path.join(dir, 'src/new.js'))
    fs.renameSync(path.join(dir, 'src/lib/b.js'), path.join(dir, 'src/lib/b2.js'))
    expect(await d()).not.toBe(base)
  })

  it('globs that match nothing are a configuration error (exit 2), not a silent cache hit', async () => {
    await expect(inputsDigest(dir, ['nope/**'], 'build')).rejects.toBeInstanceOf(ConfigError)
  })

  it('plain paths and dir/** (read directly) match exactly what tinyglobby matches', async () => {
    const {glob} = await import('tinyglobby')
    for (const f of ['t/a.js', 't/.hidden', 't/d/e/f.txt', 't/.dot/g', 't/node_modules/x/y.js', 't/d/node_modules/z.js', 't/.git/HEAD', 't/d/.git/config', 'one.txt', 'sub/file-root']) write(f, f)
    const patterns = [['t/**'], ['t/d/**'], ['one.txt'], ['t/a.js', 't/d/**'], ['sub/file-root/**'], ['missing/**'], ['missing.txt'], ['t'], ['t/**', 'one.txt', 't/d/e/f.txt']]
    for (const p of patterns) {
      const expected = await glob(p, {cwd: dir, dot: true, onlyFiles: true, ignore: ['**/node_modules/**', '**/.git/**'], expandDirectories: false})
      expect((await matchInputs(dir, p)).sort(), p.join(' ')).toEqual(expected.sort())
    }
    // Anything else goes to tinyglobby itself.
    expect((await matchInputs(dir, ['t/*.js', 't/d/**/*.txt'])).sort()).toEqual(['t/a.js', 't/d/e/f.txt'])
  })

  it('records survive a round trip; a corrupt record reads as none', () => {
    const cache = new BuildCache(path.join(dir, 'builds'))
    expect(cache.read('etl')).toBeUndefined()
    cache.write('etl', {inputs: 'x', artifactSha256: 'y', files: 1, builtAt: '2026-11-23T00:00:00.000Z'})
    expect(cache.read('etl')).toMatchObject({inputs: 'x', artifactSha256: 'y'})
    fs.writeFileSync(path.join(dir, 'builds', 'etl.json'), '{not json')
    expect(cache.read('etl')).toBeUndefined()
  })
})

// Seven CLI deploys, four with builds: minutes under a full suite on the shared 2-core machine.
describe('impress deploy with declared build inputs (e2e)', {timeout: 240_000}, () => {
  let sb: TestSandbox
  const cli = (args: string[]) => runCli(args, {env: sb.env, cwd: sb.cwd})
  const lambdaDir = () => path.join(sb.home, 'workspace', 'lambda')
  const byModule = (stdout: string) => Object.fromEntries((JSON.parse(stdout).modules as {module: string; build?: string; status: string}[]).map((m) => [m.module, m]))

  beforeEach(async () => {
    sb = await startTestSandbox({timeScale: 0.001})
  })
  afterEach(async () => {
    await sb.stop()
  })

  it('skips unchanged builds, rebuilds what changed, a tampered artifact, and everything with --rebuild', async () => {
    const first = await cli(['deploy', '--all', '--json'])
    expect(first.exitCode, first.stderr).toBe(0)
    for (const m of Object.values(byModule(first.stdout))) expect(m).toMatchObject({build: 'ran', status: 'deployed'})

    // Nothing changed: no build process runs (the demo build prints "built <module>").
    const second = await cli(['deploy', '--all', '--json'])
    expect(second.exitCode, second.stderr).toBe(0)
    for (const m of Object.values(byModule(second.stdout))) expect(m).toMatchObject({build: 'cached', status: 'unchanged'})
    expect(second.stderr).not.toMatch(/built /)
    expect(second.stderr).toMatch(/\[etl\] build skipped: 2 input file\(s\) unchanged/)

    // A source edit: that module builds and deploys; the others stay cached.
    fs.appendFileSync(path.join(lambdaDir(), 'etl', 'src', 'index.js'), '// edited\n')
    const third = await cli(['deploy', '--all', '--json'])
    expect(third.exitCode, third.stderr).toBe(0)
    const t = byModule(third.stdout)
    expect(t.etl).toMatchObject({build: 'ran', status: 'deployed'})
    expect(t.pdf).toMatchObject({build: 'cached', status: 'unchanged'})

    // The artifact changed by hand (inputs unchanged): rebuilt, so what ships is what the sources give.
    fs.writeFileSync(path.join(lambdaDir(), 'request', 'dist', 'index.js'), 'exports.handler = async () => { throw new Error("hand-edited") }\n')
    const fourth = await cli(['deploy', 'request', '--json'])
    expect(fourth.exitCode, fourth.stderr).toBe(0)
    expect(byModule(fourth.stdout).request).toMatchObject({build: 'ran', status: 'unchanged'})
    expect(fourth.stderr).toMatch(/not what the last build produced/)

    const fifth = await cli(['deploy', '--all', '--rebuild', '--json'])
    expect(fifth.exitCode, fifth.stderr).toBe(0)
    for (const m of Object.values(byModule(fifth.stdout))) expect(m).toMatchObject({build: 'ran', status: 'unchanged'})
  })

  it('inputs that match no file: exit 2 with a hint, no stack trace, nothing deployed', async () => {
    const cfg = path.join(sb.cwd, 'impress.config.yaml')
    fs.writeFileSync(
      cfg,
      [
        'environments:',
        '  dev:',
        '    sandbox: {}',
        '    aws: {region: eu-west-1}',
        '    lambda:',
        '      modules:',
        '        etl: {function: impress-etl, build: "true", inputs: ["missing/**"], artifact: missing-dist}',
        '',
      ].join('\n'),
    )
    const r = await cli(['deploy', 'etl', '--config', cfg])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/match no file/)
    expect(r.stderr).toMatch(/Hint:/)
    expect(hasStackTrace(r.stderr)).toBe(false)
  })
})
