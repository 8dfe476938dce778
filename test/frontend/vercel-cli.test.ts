// End-to-end: `frontend deploy / versions / rollback` with frontend.host: vercel, bin/run.js
// against an in-process sandbox (npm run build first).
import fs from 'node:fs'
import https from 'node:https'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {hasStackTrace, runCli} from '../helpers/cli.js'
import {getJson} from '../helpers/http.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {DEMO_VERCEL} from '../../src/lib/sandbox/services/vercel/seed.js'

let sb: TestSandbox
let config: string
beforeAll(async () => {
  sb = await startTestSandbox()
  config = path.join(sb.cwd, 'vercel.config.yaml')
  fs.writeFileSync(config, `environments:\n  web:\n    sandbox: {}\n    frontend:\n      host: vercel\n      dir: ./site\n      vercel: {project: ${DEMO_VERCEL.projectName}, teamId: ${DEMO_VERCEL.teamId}}\n`)
})
afterAll(async () => sb.stop())

const counts = async (): Promise<Record<string, number>> => (await getJson(`${sb.url}/_sandbox/requests?service=vercel`)).counts.vercel ?? {}
const clear = () => fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})
const cli = (args: string[], env: Record<string, string> = {}) => runCli([...args, '--config', config], {env: {...sb.env, ...env}, cwd: sb.cwd})
const json = async (args: string[]) => {
  const r = await cli([...args, '--json'])
  return {...r, doc: JSON.parse(r.stdout)}
}

describe('impress frontend on Vercel (demo project impress-app)', {timeout: 240_000}, () => {
  it('deploys only missing files, skips an unchanged redeploy, lists versions and rolls back', async () => {
    const dir = path.join(sb.cwd, 'site')
    fs.mkdirSync(path.join(dir, 'assets'), {recursive: true})
    for (let i = 0; i < 12; i++) fs.writeFileSync(path.join(dir, 'assets', `chunk-${i}.js`), `export const n = ${i}\n`)
    fs.writeFileSync(path.join(dir, 'index.html'), '<p>2.0.0</p>\n')
    // The demo's favicon is already on Vercel: not uploaded again.
    fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n')

    const before = (await json(['frontend', 'versions'])).doc
    expect(before).toMatchObject({host: 'vercel', target: expect.stringContaining('impress-app')})
    expect(before.versions).toHaveLength(3)
    expect(before.versions[0]).toMatchObject({current: true, subject: 'Release 1.2.0', deployedBy: 'alice-imp@build-host'})

    await clear()
    const first = await json(['frontend', 'deploy', '--message', 'Release 2.0.0'])
    expect(first.exitCode).toBe(0)
    expect(first.doc).toMatchObject({host: 'vercel', noop: false, files: 14, uploaded: 13, unchanged: 1, head: before.head, message: 'Release 2.0.0'})
    expect(first.doc.version).toMatch(/^dpl_/)
    expect(await counts()).toMatchObject({'deployments.createDeployment': 2, 'deployments.uploadFile': 13})

    await clear()
    const again = await json(['frontend', 'deploy'])
    expect(again.doc).toMatchObject({noop: true, uploaded: 0})
    expect(again.doc.version).toBeUndefined()
    const c = await counts()
    expect(c['deployments.uploadFile'] ?? 0).toBe(0)
    expect(c['deployments.createDeployment'] ?? 0).toBe(0)

    fs.writeFileSync(path.join(dir, 'index.html'), '<p>2.0.1</p>\n')
    await clear()
    const patch = await json(['frontend', 'deploy'])
    expect(patch.doc).toMatchObject({uploaded: 1, upload: [{path: 'index.html'}], head: first.doc.version})
    expect(await counts()).toMatchObject({'deployments.uploadFile': 1, 'deployments.createDeployment': 2})

    const versions = (await json(['frontend', 'versions'])).doc
    expect(versions.versions.slice(0, 2).map((v: {id: string}) => v.id)).toEqual([patch.doc.version, first.doc.version])
    expect(versions.versions[0]).toMatchObject({current: true, files: 14, deployedBy: expect.stringMatching(/.+@.+/)})
    expect(versions.versions[1]).toMatchObject({current: false, subject: 'Release 2.0.0'})

    // --to something that is not a production deployment: exit 2 naming the nearest.
    const bad = await cli(['frontend', 'rollback', '--to', `${first.doc.version.slice(0, 12)}zz`, '--yes'])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toMatch(new RegExp(`not a production deployment.*Nearest: ${first.doc.version}`))
    expect(hasStackTrace(bad.stderr)).toBe(false)
    // No terminal, no --yes: refused, production unchanged.
    expect((await cli(['frontend', 'rollback', '--to', first.doc.version])).exitCode).toBe(4)
    const rb = await json(['frontend', 'rollback', '--to', first.doc.version, '--yes'])
    expect(rb.exitCode).toBe(0)
    expect(rb.doc).toMatchObject({head: patch.doc.version, to: {id: first.doc.version}, version: first.doc.version, noop: false})
    const project = await getJson(`${sb.url}/vercel/v9/projects/${DEMO_VERCEL.projectId}?teamId=${DEMO_VERCEL.teamId}`, {headers: {authorization: 'Bearer vercel-sandbox-token'}})
    expect(project.targets.production.id).toBe(first.doc.version)
    // The production domain on the sandbox edge serves the rolled-back deployment's files.
    const h = await getJson(`${sb.url}/_sandbox/health`)
    const u = new URL(h.endpoints.edgeHttps)
    const served = await new Promise<string>((resolve, reject) => {
      https
        .get({host: u.hostname, port: u.port, path: '/', servername: DEMO_VERCEL.domain, headers: {host: DEMO_VERCEL.domain}, ca: fs.readFileSync(h.endpoints.edgeCa)}, (res) => {
          let text = ''
          res.on('data', (d) => (text += d))
          res.on('end', () => resolve(text))
        })
        .on('error', reject)
    })
    expect(served).toBe('<p>2.0.0</p>\n')
    const audit = await cli(['audit', 'log', '--json'])
    expect(audit.stdout).toContain('frontend rollback')
  })

  it('a wrong token: exit 2 with a hint, the token never printed', async () => {
    const wrong = path.join(sb.cwd, 'wrong.config.yaml')
    fs.writeFileSync(wrong, fs.readFileSync(config, 'utf8').replace('host: vercel', 'host: vercel\n      token: env:IMPRESS_TEST_VERCEL_TOKEN'))
    const secret = 'vrc_wrong_secret_token_1234567890'
    const r = await runCli(['frontend', 'versions', '--config', wrong], {env: {...sb.env, IMPRESS_TEST_VERCEL_TOKEN: secret}, cwd: sb.cwd})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/Vercel refused the token/)
    expect(r.stderr).toMatch(/Hint: .*frontend\.token/)
    expect(`${r.stdout}${r.stderr}`).not.toContain(secret)
    expect(hasStackTrace(r.stderr)).toBe(false)
  })
})
