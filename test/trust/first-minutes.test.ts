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
