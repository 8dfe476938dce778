// End-to-end: bin/run.js against an in-process sandbox (npm run build first).
import fs from 'node:fs'
import https from 'node:https'
import path from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {BIN, hasStackTrace, runCli} from '../helpers/cli.js'
import {getJson} from '../helpers/http.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {DEMO_ZONE_IDS} from '../../src/lib/sandbox/services/cloudflare/zones-seed.js'

let sb: TestSandbox
beforeAll(async () => {
  sb = await startTestSandbox()
})
afterAll(async () => sb.stop())
beforeEach(async () => {
  await fetch(`${sb.url}/_sandbox/reset`, {method: 'POST'})
})

function site(name: string, files: Record<string, string>): string {
  const dir = path.join(sb.cwd, name)
  fs.rmSync(dir, {recursive: true, force: true})
  for (const [p, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), {recursive: true})
    fs.writeFileSync(path.join(dir, p), text)
  }
  return dir
}

async function counts(): Promise<Record<string, number>> {
  return (await getJson(`${sb.url}/_sandbox/requests?service=github`)).counts.github ?? {}
}
const cli = (args: string[]) => runCli(args, {env: sb.env, cwd: sb.cwd})
const json = async (args: string[]) => {
  const r = await cli([...args, '--json'])
  return {...r, doc: JSON.parse(r.stdout)}
}

// ≈10 CLI calls per test: 180 s each (a call takes 3–7 s wall at a load average of 16).
describe('impress frontend deploy / versions / rollback (demo impress-web on gh-pages)', {timeout: 180_000}, () => {
  it('deploys changed files only, makes no commit when nothing changed, and rolls back with a new commit', async () => {
    const files = Object.fromEntries(Array.from({length: 30}, (_, i) => [`assets/chunk-${i}.js`, `export const n = ${i}\n`]))
    const dir = site('build', {...files, 'index.html': '<p>v2</p>\n', CNAME: 'www.impress.example\n'})
    const before = (await json(['frontend', 'versions'])).doc
    expect(before.versions).toHaveLength(3)

    const first = await json(['frontend', 'deploy', '--dir', dir, '--message', 'Release 2.0.0'])
    expect(first.exitCode).toBe(0)
    // CNAME is byte-identical to the deployed one: not uploaded; the five old files are removed.
    expect(first.doc).toMatchObject({noop: false, files: 32, unchanged: 1, blobsUploaded: 31})
    expect(first.doc.remove.sort()).toEqual(['.nojekyll', '404.html', 'assets/app.css', 'assets/app.js'].sort())
    expect(first.doc.message).toMatch(/^Release 2\.0\.0\n\nDeployed-by: .+@.+\n/)

    await fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})
    const again = await json(['frontend', 'deploy', '--dir', dir])
    expect(again.exitCode).toBe(0)
    expect(again.doc).toMatchObject({noop: true, blobsUploaded: 0})
    expect(again.doc.commit).toBeUndefined()
    const c = await counts()
    expect(c['git/create-blob'] ?? 0).toBe(0)
    expect(c['git/create-tree'] ?? 0).toBe(0)
    expect(c['git/create-commit'] ?? 0).toBe(0)
    expect(c['git/update-ref'] ?? 0).toBe(0)

    // One file changed: one blob, one commit.
    fs.writeFileSync(path.join(dir, 'index.html'), '<p>v2.0.1</p>\n')
    await fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})
    const patch = await json(['frontend', 'deploy', '--dir', dir])
    expect(patch.doc).toMatchObject({blobsUploaded: 1, upload: [{path: 'index.html'}], remove: []})
    expect(await counts()).toMatchObject({'git/create-blob': 1, 'git/create-commit': 1, 'git/update-ref': 1})

    const versions = (await json(['frontend', 'versions'])).doc
    expect(versions.versions.map((v: {sha: string}) => v.sha).slice(0, 2)).toEqual([patch.doc.commit, first.doc.commit])
    expect(versions.versions[0]).toMatchObject({current: true, kind: 'deploy', files: 32})

    // --to something that is not a deploy: exit 2 listing the nearest versions.
    const bad = await cli(['frontend', 'rollback', '--to', `${first.doc.commit.slice(0, 6)}ff00`, '--yes'])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toMatch(new RegExp(`not a deployed version.*Nearest: ${first.doc.commit.slice(0, 10)}`))
    expect(hasStackTrace(bad.stderr)).toBe(false)

    // Without a terminal and without --yes: refused (exit 4), nothing moved.
    expect((await cli(['frontend', 'rollback', '--to', first.doc.commit])).exitCode).toBe(4)
    const rb = await json(['frontend', 'rollback', '--to', first.doc.commit, '--yes'])
    expect(rb.exitCode).toBe(0)
    expect(rb.doc).toMatchObject({head: patch.doc.commit, to: {sha: first.doc.commit}, noop: false})
    const after = (await json(['frontend', 'versions'])).doc
    expect(after.versions).toHaveLength(6)
    expect(after.versions[0]).toMatchObject({sha: rb.doc.commit, kind: 'rollback', restores: first.doc.commit, tree: after.versions.find((v: {sha: string}) => v.sha === first.doc.commit).tree})
    // The Pages hostname on the sandbox edge serves the rolled-back files over HTTPS.
    const h = await getJson(`${sb.url}/_sandbox/health`)
    const served = await new Promise<string>((resolve, reject) => {
      const u = new URL(h.endpoints.edgeHttps)
      https
        .get({host: u.hostname, port: u.port, path: '/', servername: 'www.impress.example', headers: {host: 'www.impress.example'}, ca: fs.readFileSync(h.endpoints.edgeCa)}, (res) => {
          let text = ''
          res.on('data', (d) => (text += d))
          res.on('end', () => resolve(text))
        })
        .on('error', reject)
    })
    expect(served).toBe('<p>v2</p>\n')
  })

  it('a racing deploy is refused by the ref precondition (exit 4) and loses nothing', async () => {
    const a = site('a', {'index.html': 'A\n'})
    const b = site('b', {'index.html': 'B\n'})
    // Hold the first ref update for a while: the second deploy reads the same head and lands first.
    await fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({service: 'github', operation: 'git/update-ref', kind: 'latency', ms: 6000, times: 1})})
    const first = execa(process.execPath, [BIN, 'frontend', 'deploy', '--dir', a, '--json'], {cwd: sb.cwd, env: {CI: 'true', ...sb.env}, reject: false, stdin: 'ignore'})
    for (let i = 0; i < 200 && !(await counts())['git/update-ref']; i++) await new Promise((r) => setTimeout(r, 50))
    const second = await json(['frontend', 'deploy', '--dir', b])
    const held = await first
    const results = [
      {exitCode: held.exitCode, out: String(held.stdout)},
      {exitCode: second.exitCode, out: second.stdout},
    ]
    const winner = results.find((r) => r.exitCode === 0)!
    const loser = results.find((r) => r.exitCode !== 0)!
    expect(loser.exitCode).toBe(4)
    expect(JSON.parse(loser.out).error).toMatchObject({code: 'E_DEPLOY_RACE', exitCode: 4})
    const head = (await json(['frontend', 'versions'])).doc
    expect(head.head).toBe(JSON.parse(winner.out).commit)
    expect(head.versions).toHaveLength(4)
    // In the intended order the held (first) deploy is the one refused.
    expect(held.exitCode).toBe(4)
  })
})

describe('impress edge check / events', {timeout: 180_000}, () => {
  it('exit 3 naming the misconfigured host and check; passes once the zone setting is fixed', async () => {
    const r = await json(['edge', 'check'])
    expect(r.exitCode).toBe(3)
    expect(r.doc.failures).toEqual([
      {hostname: 'impress-legacy.example', check: 'cloudflare.always_use_https', detail: 'Always Use HTTPS is off'},
      {hostname: 'impress-legacy.example', check: 'probe.http_redirect', detail: 'http:// answers 200 over plain HTTP (no redirect to https://)'},
    ])
    expect(r.doc.hosts.find((h: {hostname: string}) => h.hostname === 'www.impress.example').checks.map((c: {id: string}) => c.id)).toContain('github_pages.https_enforced')
    const human = await cli(['edge', 'check'])
    expect(human.exitCode).toBe(3)
    expect(human.stderr).toMatch(/Not HTTPS-only: impress-legacy\.example \(cloudflare\.always_use_https\)/)

    // Fix the zone (as an operator would, through the API): the edge now redirects too.
    const patch = await fetch(`${sb.url}/cloudflare/client/v4/zones/${DEMO_ZONE_IDS.legacy}/settings/always_use_https`, {method: 'PATCH', headers: {authorization: 'Bearer cf-sandbox-token', 'content-type': 'application/json'}, body: JSON.stringify({value: 'on'})})
    expect(patch.status).toBe(200)
    const fixed = await json(['edge', 'check'])
    expect(fixed.exitCode).toBe(0)
    expect(fixed.doc.summary).toMatchObject({hosts: 3, passing: 3, failed: 0, unknown: 0})

    // Turning GitHub Pages' https_enforced off fails www.
    await fetch(`${sb.url}/github/repos/impress/impress-web/pages`, {method: 'PUT', headers: {authorization: 'token ghp_sandboxowner', 'content-type': 'application/json'}, body: JSON.stringify({https_enforced: false})})
    const pages = await json(['edge', 'check'])
    expect(pages.exitCode).toBe(3)
    expect(pages.doc.failures).toMatchObject([{hostname: 'www.impress.example', check: 'github_pages.https_enforced'}])
  })

  it('lists the security events of the last 24h and notifies the sandbox webhook with --notify', async () => {
    const r = await json(['edge', 'events', '--since', '24h', '--notify'])
    expect(r.exitCode).toBe(0)
    expect(r.doc.summary).toMatchObject({total: 15, ddos: 12})
    expect(r.doc.events.every((e: {datetime: string}) => Date.parse(e.datetime) >= Date.now() - 24 * 3_600_000)).toBe(true)
    // Each target tried is named with its result (notify's per-target results).
    expect(r.doc.notified).toEqual([
      {channel: 'webhook', ok: true, target: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/…$/)},
      {channel: 'email', ok: true, target: expect.stringMatching(/^ops@impress\.example via smtp:\/\/127\.0\.0\.1:\d+$/)},
    ])
    const hooks = (await getJson(`${sb.url}/hooks/notify`)).messages
    expect(hooks.at(-1).body.text).toMatch(/Cloudflare security events \(sandbox\): 15 since .*, 12 from DDoS mitigation/)
    // A narrower window: only the flood (2 h ago) and nothing older.
    const recent = await json(['edge', 'events', '--since', '150m'])
    expect(recent.doc.summary).toMatchObject({total: 12, ddos: 12})
    const bad = await cli(['edge', 'events', '--since', 'yesterday-ish'])
    expect(bad.exitCode).toBe(2)
  })
})
