import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {defaultNotifyDeps, sendNotification} from '../../src/lib/notify/notify.js'
import {redactor} from '../../src/lib/redact.js'
import {runCli} from '../helpers/cli.js'
import {getJson} from '../helpers/http.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

describe('notifications through the sandbox sinks', () => {
  let sb: TestSandbox
  let smtp: string
  beforeAll(async () => {
    sb = await startTestSandbox()
    smtp = (await getJson(`${sb.url}/_sandbox/health`)).endpoints.smtp
  })
  afterAll(async () => {
    await sb.stop()
  })

  it('delivers a webhook (Slack shape) and an email over real SMTP, with secrets masked', async () => {
    redactor.add('super-secret-token-123')
    const results = await sendNotification(
      {event: 'drill', status: 'violations', title: 'Drill missed RTO', lines: ['RTO 5h > 4h', 'token super-secret-token-123'], fields: {RPO: '3m'}},
      {webhook: `${sb.url}/hooks/ops`, email: {to: 'ops@impress.example', smtp}},
      defaultNotifyDeps,
    )
    expect(results).toEqual([
      {channel: 'webhook', target: `${sb.url}/…`, ok: true},
      {channel: 'email', target: `ops@impress.example via ${smtp}`, ok: true},
    ])
    const hooks = (await getJson(`${sb.url}/hooks/ops`)).messages
    expect(hooks).toHaveLength(1)
    expect(hooks[0].body.text).toContain('Drill missed RTO')
    expect(hooks[0].body.attachments[0].fields).toEqual([{title: 'RPO', value: '3m', short: true}])
    expect(JSON.stringify(hooks)).not.toContain('super-secret-token-123')
    const mail = (await getJson(`${sb.url}/mail/messages`)).messages
    expect(mail.at(-1).to).toEqual(['ops@impress.example'])
    expect(mail.at(-1).raw).toContain('Subject: [impress] VIOLATIONS: Drill missed RTO')
    expect(mail.at(-1).raw).not.toContain('super-secret-token-123')
  })

  it('a failing channel is reported, never thrown', async () => {
    await fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', body: JSON.stringify({service: 'sinks', operation: 'ReceiveHook', kind: 'error', status: 500, times: 1})})
    const results = await sendNotification({event: 'x', status: 'ok', title: 't', lines: []}, {webhook: `${sb.url}/hooks/ops`, email: {to: 'a@b.example', smtp: 'smtp://127.0.0.1:1'}}, defaultNotifyDeps)
    expect(results[0]).toMatchObject({channel: 'webhook', ok: false, error: expect.stringMatching(/HTTP 500/)})
    expect(results[1]).toMatchObject({channel: 'email', ok: false, error: expect.stringMatching(/ECONNREFUSED/)})
  })

  it('impress notify test sends to the sandbox sinks by default', async () => {
    const r = await runCli(['notify', 'test', '--json'], {env: sb.env, cwd: sb.cwd})
    expect(r.exitCode).toBe(0)
    expect(JSON.parse(r.stdout).channels).toEqual([
      {channel: 'webhook', target: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/…$/), ok: true},
      {channel: 'email', target: expect.stringMatching(/^ops@impress\.example via smtp:\/\/127\.0\.0\.1:\d+$/), ok: true},
    ])
    const hooks = (await getJson(`${sb.url}/hooks/notify`)).messages
    expect(hooks.at(-1).body.text).toContain('impress test notification (sandbox)')
  })
})
