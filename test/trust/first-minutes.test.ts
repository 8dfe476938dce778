/** The first five minutes: README's test command is CI's, and it finds or installs what the tests need. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {execa} from 'execa'
import {afterAll, describe, expect, it} from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '../..')
const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-trust-path-'))
afterAll(() => fs.rmSync(bin, {recursive: true, force: true}))

describe('npm test on a fresh machine', () => {
  it('npm test runs the tool check first, and .ci/run installs nothing of its own (README line = CI line)', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
    expect(pkg.scripts.pretest).toBe('bash scripts/test-tools.sh')
    const ci = fs.readFileSync(path.join(ROOT, '.ci/run'), 'utf8')
    expect(ci).not.toMatch(/apt-get/)
    expect(ci).toMatch(/^npm test$/m)
    expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain('npm ci && npm test')
  })

  it('with a tool missing and no way to install it, fails naming the exact install command', async () => {
    for (const b of ['bash', 'id']) fs.symlinkSync((await execa('bash', ['-c', `command -v ${b}`])).stdout.trim(), path.join(bin, b))
    // A PATH with no tmux, aws, ssh-keygen, apt-get or sudo, and no chromium.
    const r = await execa(path.join(bin, 'bash'), [path.join(ROOT, 'scripts/test-tools.sh')], {env: {PATH: bin, CHROMIUM_PATH: '/nonexistent'}, extendEnv: false, reject: false})
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toMatch(/tmux chromium awscli openssh-client/)
  })

  it('with every tool present it passes silently', async () => {
    const r = await execa('bash', [path.join(ROOT, 'scripts/test-tools.sh')], {reject: false})
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
  })
})

describe('deploy into a protected environment', () => {
  it('without a terminal and without --yes it refuses (exit 4) before building anything, like rollback', async () => {
    const {runCli, tempHome} = await import('../helpers/cli.js')
    const t = tempHome('impress-trust-protected-')
    try {
      fs.writeFileSync(
        path.join(t.cwd, 'impress.config.yaml'),
        'environments:\n  prod:\n    protected: true\n    sandbox: {url: "http://127.0.0.1:9"}\n    aws: {region: eu-west-1}\n    lambda: {modules: {pdf: {function: impress-pdf, build: "touch built", artifact: pdf.zip}}}\n',
      )
      const r = await runCli(['deploy', 'pdf', '--json'], {env: {IMPRESS_HOME: t.home}, cwd: t.cwd})
      expect(r.exitCode).toBe(4)
      expect(JSON.parse(r.stdout).error).toMatchObject({code: 'E_NEEDS_YES', exitCode: 4})
      expect(JSON.parse(r.stdout).error.message).toContain('protected environment prod')
      expect(fs.existsSync(path.join(t.cwd, 'built'))).toBe(false)
    } finally {
      t.cleanup()
    }
  })
})

describe('impress init --yes', () => {
  it('the sandbox environment it writes rehearses Firebase in the drill, and its "Next:" command runs as written', async () => {
    const {parseConfig} = await import('../../src/lib/config/load.js')
    const {defaultAnswers, starterConfig} = await import('../../src/lib/config/starter.js')
    const config = parseConfig(starterConfig(defaultAnswers()), 'impress.config.yaml')
    expect(config.environments.sandbox.drill?.firebaseTarget).toBeTruthy()
    const init = fs.readFileSync(path.join(ROOT, 'src/commands/init.ts'), 'utf8')
    const next = /Next: (impress [^`(]*)/.exec(init)![1].trim()
    // The command comes first (`impress --env x sandbox start` is not a command).
    expect(next).toMatch(/^impress [a-z]+( [a-z]+)*( --[a-z]+)* --env sandbox/)
    // the sandbox modules have a build and an artifact (deploy works: test/trust2/init-drill.test.ts)
    for (const m of Object.values(config.environments.sandbox.lambda?.modules ?? {})) expect(m).toMatchObject({build: expect.any(String), artifact: expect.any(String)})
  })
})
