/**
 * `impress report security` end to end: bin/run.js against an in-process sandbox with the
 * demo platform (its deliberate violations), a fix turning a claim from fails to holds, an
 * injected fault making a service's claims unknown, the HTML in headless Chromium, the PDF,
 * and a planted secret that appears in no output.
 */
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {stringify} from 'yaml'
import {builtinSandboxConfig} from '../../src/lib/config/sandbox-default.js'
import {CHROMIUM, withPage} from '../helpers/browser.js'
import {hasStackTrace, runCli} from '../helpers/cli.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

let sb: TestSandbox
beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.001})
})
afterAll(async () => {
  await sb?.stop()
})

const report = (args: string[], env: Record<string, string> = {}) => runCli(['report', 'security', ...args], {env: {...sb.env, ...env}, cwd: sb.cwd, timeout: 90_000})
type Doc = {summary: {failing: string[]; unknownIds: string[]; holds: number; fails: number; unknown: number; claims: number}; sections: {claims: {id: string; status: string; detail: string}[]}[]}
const claim = (doc: Doc, id: string) => doc.sections.flatMap((s) => s.claims).find((c) => c.id === id)!
const AURORA = ['db.aurora-replica', 'db.replica-lag', 'db.restore-window', 'db.aurora-snapshot']
let holdsBefore = 0

describe('impress report security', {timeout: 240_000}, () => {
  it('checks --out before any check runs (exit 2, no request to the platform)', async () => {
    const before = sb.host.requests.snapshot(false).total
    const r = await report(['--format', 'html', '--out', path.join(sb.cwd, 'no-such-dir', 'security.html')])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/no-such-dir does not exist/)
    expect(r.stderr).not.toMatch(/Checking/)
    expect(hasStackTrace(r.stderr)).toBe(false)
    expect(sb.host.requests.snapshot(false).total).toBe(before)
  })

  it('on the demo platform: --check exits 3 naming the failing claims (the leaver, the weak key, roles drift)', async () => {
    const r = await report(['--check'])
    expect(r.exitCode, r.stderr).toBe(3)
    expect(r.stdout).toMatch(/^# Security: IMPRESS \(sandbox\)/)
    expect(r.stdout).toMatch(/## Summary\n\n\*\*\d+ of 25 claims hold/)
    const error = r.stderr.split('\n').find((l) => l.startsWith('Error:'))!
    for (const id of ['auth.roles-as-code (fails)', 'access.leavers (fails)', 'access.ssh-keys (fails)', 'hosting.https-only (fails)', 'access.revocation (fails)']) expect(error).toContain(id)
    // the edge check names the misconfigured hostname; the leaver's revocation is nowhere in the audit log
    expect(r.stdout).toMatch(/not HTTPS-only: impress-legacy\.example \(cloudflare\.always_use_https, probe\.http_redirect\)/)
    expect(r.stdout).toMatch(/eve@impress\.example: no completed revocation recorded/)
    // issue 21's claims on the demo: two modules without alarms, two groups kept forever, message's environment without a KMS key
    for (const id of ['incidents.alarms (fails)', 'logs.searchable (fails)', 'data.encryption (fails)']) expect(error).toContain(id)
    expect(r.stdout).toContain('no retention set on compute, message')
    expect(r.stdout).toContain('no KMS key on the environment of message')
    expect(r.stdout).toMatch(/Eve Laurent left on .* but still holds GitHub account eve-imp/)
    expect(r.stdout).toMatch(/bob-imp's key SHA256:\S+: rsa 2048 bits is below the minimum of 3072/)
    expect(r.stdout).not.toMatch(/auth\.roles-as-code.*HOLDS/)
  })

  it('a service that cannot be reached makes its claims unknown, never holding; the others are still checked', async () => {
    await fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', body: JSON.stringify({service: 'rds', kind: 'error', status: 503})})
    try {
      // --check with --json: exit 3, and stdout is still the one report document
      const r = await report(['--json', '--check'])
      expect(r.exitCode, r.stderr).toBe(3)
      const doc = JSON.parse(r.stdout) as Doc
      for (const id of AURORA) {
        expect(claim(doc, id).status, id).toBe('unknown')
        expect(claim(doc, id).detail).toMatch(/^could not be checked: .*(503|Unavailable)/)
      }
      expect(doc.summary.unknownIds).toEqual(expect.arrayContaining(AURORA))
      expect(claim(doc, 'hosting.lambda-modules').status).toBe('holds')
      expect(claim(doc, 'access.leavers').status).toBe('fails')
      expect(claim(doc, 'auth.roles-as-code').status).toBe('fails')
      expect(claim(doc, 'incidents.notify-delivered').status).toBe('fails')
      holdsBefore = doc.summary.holds
    } finally {
      await fetch(`${sb.url}/_sandbox/faults`, {method: 'DELETE'})
    }
  })

  it('PDF without Chromium on PATH: exit 2 naming the package, before any check', async () => {
    const r = await report(['--format', 'pdf', '--out', path.join(sb.cwd, 'x.pdf')], {PATH: path.join(sb.cwd, 'empty-bin'), CHROMIUM_PATH: ''})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/needs Chromium/)
    expect(r.stderr).toMatch(/apt-get install chromium/)
    expect(r.stderr).not.toMatch(/Checking/)
  })

  it('after `roles apply --yes`, `notify test` and `access revoke` of the leaver those claims hold (the late revocation still fails, dated); the HTML shows its summary on top in headless Chromium; PDF through Chromium', async () => {
    const apply = await runCli(['roles', 'apply', '--yes'], {env: sb.env, cwd: sb.cwd, timeout: 90_000})
    expect(apply.exitCode, apply.stderr).toBe(0)
    const notify = await runCli(['notify', 'test'], {env: sb.env, cwd: sb.cwd})
    expect(notify.exitCode, notify.stderr).toBe(0)
    const revoke = await runCli(['access', 'revoke', 'eve@impress.example', '--yes'], {env: sb.env, cwd: sb.cwd, timeout: 90_000})
    expect(revoke.exitCode, revoke.stderr).toBe(0)
    const file = path.join(sb.cwd, 'security.html')
    const r = await report(['--format', 'html', '--out', file, '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    const after = JSON.parse(r.stdout) as Doc
    expect(claim(after, 'auth.roles-as-code')).toMatchObject({status: 'holds', detail: expect.stringMatching(/^no drift/)})
    expect(claim(after, 'auth.default-role').status).toBe('holds')
    expect(claim(after, 'incidents.notify-delivered')).toMatchObject({status: 'holds', detail: expect.stringMatching(/^delivered to webhook, email on \d{4}-/)})
    expect(claim(after, 'audit.chain').detail).toMatch(/the log verifies: [1-9]\d* recorded operation/)
    // out of the organisation, the leaver's own GitHub keys open nothing: no account, no key left
    expect(claim(after, 'access.leavers').status).toBe('holds')
    // recorded in the signed log, but weeks after the last day: still failing, with the delay
    expect(claim(after, 'access.revocation')).toMatchObject({status: 'fails', detail: expect.stringMatching(/^eve@impress\.example: revoked \d+ day\(s\) after the deadline$/)})
    // the four Aurora claims (unknown under the fault) and the four fixed ones
    expect(after.summary.holds).toBe(holdsBefore + AURORA.length + 4)

    expect(fs.existsSync(CHROMIUM), `Chromium must be installed at ${CHROMIUM}`).toBe(true)
    expect(fs.existsSync(path.join(sb.cwd, 'security.compliance.sarif'))).toBe(true)
    const html = fs.readFileSync(file, 'utf8')
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i)
    const shot = path.join(sb.cwd, 'summary.png')
    const seen = await withPage(async (page) => {
      const remote: string[] = []
      page.on('request', (q) => {
        if (!q.url().startsWith('file:')) remote.push(q.url())
      })
      await page.goto(`file://${file}`)
      const box = await page.locator('#summary').boundingBox()
      const png = await page.screenshot({path: shot, clip: {x: 0, y: 0, width: 1000, height: Math.ceil(box!.y + box!.height)}})
      // read the screenshot back: the summary's "fail" panel is painted in the failing red
      const reds = await page.evaluate(async (b64) => {
        const img = new Image()
        img.src = `data:image/png;base64,${b64}`
        await img.decode()
        const c = document.createElement('canvas')
        c.width = img.width
        c.height = img.height
        const g = c.getContext('2d')!
        g.drawImage(img, 0, 0)
        const d = g.getImageData(0, 0, c.width, c.height).data
        let n = 0
        for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - 0xb4) < 6 && Math.abs(d[i + 1] - 0x23) < 6 && Math.abs(d[i + 2] - 0x18) < 6) n++
        return n
      }, png.toString('base64'))
      return {box, reds, verdict: await page.locator('#summary .verdict').textContent(), failing: await page.locator('#summary ul.fails li').count(), fails: await page.locator('.claim[data-status="fails"]').count(), remote}
    })
    expect(seen.box!.y).toBeLessThan(250)
    expect(seen.verdict).toBe(`${after.summary.holds} of 25 claims hold; ${after.summary.fails} fail; ${after.summary.unknown} could not be checked.`)
    expect(after.summary.unknownIds).toEqual([])
    expect(seen.failing).toBe(after.summary.fails)
    expect(seen.fails).toBe(after.summary.fails)
    expect(seen.reds).toBeGreaterThan(2000)
    expect(seen.remote).toEqual([])

    const pdf = path.join(sb.cwd, 'security.pdf')
    const p = await report(['--format', 'pdf', '--out', pdf])
    expect(p.exitCode, p.stderr).toBe(0)
    expect(fs.readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-')
    expect(fs.statSync(pdf).size).toBeGreaterThan(10_000)
  })

  it('a planted secret (an env: value) appears in no format, no evidence file and no log', async () => {
    const workspace = path.join(sb.home, 'workspace')
    expect(fs.existsSync(path.join(workspace, 'team.yaml'))).toBe(true)
    const base = builtinSandboxConfig().environments.sandbox
    const secrets = {IMPRESS_TEST_AUTH0_SECRET: 'impress-ops-sandbox-client-secret', IMPRESS_TEST_HOOK: `${sb.url}/hooks/planted-hook-secret-7f3a91c2`}
    const config = {environments: {demo: {...base, sandbox: {url: sb.url}, auth0: {...base.auth0!, clientSecret: 'env:IMPRESS_TEST_AUTH0_SECRET'}, notify: {webhook: 'env:IMPRESS_TEST_HOOK'}}}}
    const configFile = path.join(workspace, 'impress.config.yaml')
    fs.writeFileSync(configFile, stringify(config))
    const cli = (args: string[]) => runCli([...args, '--config', configFile], {env: {...sb.env, ...secrets}, cwd: workspace, timeout: 90_000})
    const outputs: string[] = []
    const n = await cli(['notify', 'test'])
    expect(n.exitCode, n.stderr).toBe(0)
    outputs.push(n.stdout, n.stderr)
    const md = await cli(['report', 'security', '--format', 'md', '--verbose'])
    expect(md.exitCode, md.stderr).toBe(0)
    const j = await cli(['report', 'security', '--format', 'html', '--out', path.join(workspace, 'r.html'), '--json', '--verbose'])
    expect(j.exitCode, j.stderr).toBe(0)
    outputs.push(md.stdout, md.stderr, j.stdout, j.stderr, ...['r.html', 'r.compliance.sarif', '.impress/demo/notify-last-test.json'].map((f) => fs.readFileSync(path.join(workspace, f), 'utf8')))
    const doc = JSON.parse(j.stdout) as Doc
    // the secrets were used: the Auth0 checks ran with the secret, the webhook received the test
    expect(claim(doc, 'auth.roles-as-code').status).not.toBe('unknown')
    expect(claim(doc, 'incidents.notify-delivered').status).toBe('holds')
    const all = outputs.join('\n')
    expect(all.length).toBeGreaterThan(20_000)
    for (const v of [secrets.IMPRESS_TEST_AUTH0_SECRET, 'planted-hook-secret-7f3a91c2']) expect(all.includes(v), v).toBe(false)
  })
})
