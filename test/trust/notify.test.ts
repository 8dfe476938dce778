/** notify test names each target it tried and each result, and never claims a channel that is not configured. */
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

describe('impress notify test', () => {
  let sb: TestSandbox
  beforeAll(async () => {
    sb = await startTestSandbox()
    fs.writeFileSync(path.join(sb.cwd, 'impress.config.yaml'), `environments:\n  sb:\n    sandbox: {url: "${sb.url}"}\n    notify: {webhook: "${sb.url}/hooks/ops"}\n`)
  })
  afterAll(async () => {
    await sb.stop()
  })

  it('with only a webhook configured: the webhook is tried and named, e-mail is "not configured", never "sent"', async () => {
    const r = await runCli(['notify', 'test'], {env: sb.env, cwd: sb.cwd})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/^webhook +http:\/\/127\.0\.0\.1:\d+\/… +sent$/m)
    expect(r.stdout).toMatch(/^email +\(not configured\) +not tried: set notify\.email and notify\.smtp$/m)
    expect(r.stdout).not.toMatch(/^email .*sent/m)
    const j = await runCli(['notify', 'test', '--json'], {env: sb.env, cwd: sb.cwd})
    expect(JSON.parse(j.stdout)).toEqual({
      channels: [{channel: 'webhook', target: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/…$/), ok: true}],
      notConfigured: [{channel: 'email', missing: 'notify.email and notify.smtp'}],
    })
  })
})
