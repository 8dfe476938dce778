// The sandbox's Vercel REST API over real HTTP: raw fetch for the protocol details, the
// impress adapter (platform/vercel/deployments.ts) for the flows it runs.
import {createHash} from 'node:crypto'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {VercelDeployments} from '../../src/lib/platform/vercel/deployments.js'
import {DEMO_VERCEL, SANDBOX_VERCEL_TOKEN} from '../../src/lib/sandbox/services/vercel/seed.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

let sb: TestSandbox
let api: string
beforeAll(async () => {
  sb = await startTestSandbox()
  api = `${sb.url}/vercel`
})
afterAll(async () => sb.stop())
beforeEach(async () => {
  await fetch(`${sb.url}/_sandbox/reset`, {method: 'POST'})
})

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex')
const team = `teamId=${DEMO_VERCEL.teamId}`
const call = async (method: string, path: string, init: {body?: unknown; raw?: Buffer; headers?: Record<string, string>; token?: string} = {}) => {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: {authorization: `Bearer ${init.token ?? SANDBOX_VERCEL_TOKEN}`, ...(init.body ? {'content-type': 'application/json'} : {}), ...init.headers},
    body: (init.raw as Uint8Array<ArrayBuffer> | undefined) ?? (init.body ? JSON.stringify(init.body) : undefined),
  })
  const text = await res.text()
  return {status: res.status, body: text ? JSON.parse(text) : undefined}
}
const port = (token = SANDBOX_VERCEL_TOKEN) => new VercelDeployments({token, project: DEMO_VERCEL.projectName, teamId: DEMO_VERCEL.teamId, baseUrl: api, pageSize: 2, timeScale: 0.001})

describe('sandbox Vercel REST API', () => {
  it('auth: 401 with the Vercel error shape for a missing or wrong token; 403 for a team the token cannot act for', async () => {
    const none = await fetch(`${api}/v9/projects/${DEMO_VERCEL.projectId}?${team}`)
    expect(none.status).toBe(401)
    expect(await none.json()).toMatchObject({error: {code: 'forbidden', message: expect.any(String), missingToken: true}})
    const wrong = await call('GET', `/v9/projects/${DEMO_VERCEL.projectId}?${team}`, {token: 'nope'})
    expect(wrong).toMatchObject({status: 401, body: {error: {code: 'forbidden', message: 'Not authorized', invalidToken: true}}})
    expect((await call('GET', `/v9/projects/${DEMO_VERCEL.projectId}?teamId=team_other`)).status).toBe(403)
    // Without teamId the user's own scope: the team's project is not there.
    expect(await call('GET', `/v9/projects/${DEMO_VERCEL.projectId}`)).toMatchObject({status: 404, body: {error: {code: 'not_found'}}})
  })

  it('upload checks the digest and size; create lists missing files, then succeeds and becomes production', async () => {
    const a = Buffer.from('<p>new</p>\n')
    const b = Buffer.from('console.log(2)\n')
    const files = [
      {file: 'index.html', sha: sha1(a), size: a.length},
      {file: 'js/app.js', sha: sha1(b), size: b.length},
    ]
    const create = () => call('POST', `/v13/deployments?${team}`, {body: {name: DEMO_VERCEL.projectName, project: DEMO_VERCEL.projectId, target: 'production', files, meta: {who: 'test'}}})
    const first = await create()
    expect(first).toMatchObject({status: 400, body: {error: {code: 'missing_files', message: 'Missing files'}}})
    expect(first.body.error.missing.sort()).toEqual([sha1(a), sha1(b)].sort())

    expect((await call('POST', `/v2/files?${team}`, {raw: a, headers: {'x-vercel-digest': sha1(b)}})).status).toBe(400)
    expect((await call('POST', `/v2/files?${team}`, {raw: a, headers: {'x-vercel-digest': sha1(a), 'x-now-size': '999'}})).status).toBe(400)
    expect((await call('POST', `/v2/files?${team}`, {raw: a, headers: {}})).status).toBe(400)
    expect(await call('POST', `/v2/files?${team}`, {raw: a, headers: {'x-vercel-digest': sha1(a), 'x-now-size': String(a.length)}})).toMatchObject({status: 200, body: {}})
    const second = await create()
    expect(second.body.error.missing).toEqual([sha1(b)])
    await call('POST', `/v2/files?${team}`, {raw: b, headers: {'x-now-digest': sha1(b)}})
    const ok = await create()
    expect(ok).toMatchObject({status: 200, body: {readyState: 'READY', target: 'production', meta: {who: 'test'}, projectId: DEMO_VERCEL.projectId}})
    expect(ok.body.id).toMatch(/^dpl_[0-9A-Za-z]{28}$/)
    expect(ok.body.alias).toContain(DEMO_VERCEL.domain)
    const project = await call('GET', `/v9/projects/${DEMO_VERCEL.projectName}?${team}`)
    expect(project.body.targets.production.id).toBe(ok.body.id)
    expect((await call('GET', `/v13/deployments/${ok.body.url}?${team}`)).body.id).toBe(ok.body.id)
    // Inline file data and git deployments are refused, never half-done.
    expect((await call('POST', `/v13/deployments?${team}`, {body: {name: 'x', project: DEMO_VERCEL.projectId, files: [{file: 'a', data: 'hi'}]}})).status).toBe(501)
    expect((await call('POST', `/v13/deployments?${team}`, {body: {name: 'x', gitSource: {type: 'github'}}})).body.error.code).toBe('not_implemented')
  })

  it('lists production deployments newest first with until pagination; the adapter walks the pages', async () => {
    const page1 = await call('GET', `/v6/deployments?projectId=${DEMO_VERCEL.projectId}&target=production&limit=2&${team}`)
    expect(page1.body.deployments).toHaveLength(2)
    expect(page1.body.pagination.next).toBe(page1.body.deployments[1].createdAt)
    const page2 = await call('GET', `/v6/deployments?projectId=${DEMO_VERCEL.projectId}&target=production&limit=2&until=${page1.body.pagination.next}&${team}`)
    expect(page2.body).toMatchObject({deployments: [{target: 'production'}], pagination: {next: null}})
    const all = await call('GET', `/v6/deployments?projectId=${DEMO_VERCEL.projectId}&limit=100&${team}`)
    expect(all.body.deployments.map((d: {target: string | null}) => d.target)).toContain(null)
    expect((await call('GET', `/v6/deployments?limit=500&${team}`)).status).toBe(400)
    expect((await call('GET', `/v6/deployments?app=x&${team}`)).status).toBe(501)

    const list = await port().productionDeployments(DEMO_VERCEL.projectId, 10)
    expect(list.map((d) => d.createdAt)).toEqual([...list.map((d) => d.createdAt)].sort((x, y) => y - x))
    expect(list).toHaveLength(3)
    expect(list[0].meta.impressDeploy).toBe('deploy')
  })

  it('instant rollback moves production back and pauses auto-assignment until a promote', async () => {
    const p = port()
    const [current, previous] = await p.productionDeployments(DEMO_VERCEL.projectId, 3)
    expect((await p.project()).productionId).toBe(current.id)
    expect((await call('POST', `/v1/projects/${DEMO_VERCEL.projectId}/rollback/${current.id}?${team}`)).status).toBe(409)
    await p.rollback(DEMO_VERCEL.projectId, previous.id, 'test')
    const project = await call('GET', `/v9/projects/${DEMO_VERCEL.projectId}?${team}`)
    expect(project.body).toMatchObject({targets: {production: {id: previous.id}}, lastRollbackTarget: {fromDeploymentId: current.id, toDeploymentId: previous.id}, lastAliasRequest: {type: 'rollback'}})
    // A new production deployment is STAGED, not served, until promoted.
    const made = await p.createDeployment({name: DEMO_VERCEL.projectName, projectId: DEMO_VERCEL.projectId, files: [{file: 'index.html', sha: sha1(Buffer.from('x')), size: 1}], meta: {}})
    expect(made.ok).toBe(false)
    await p.uploadFile(sha1(Buffer.from('x')), Buffer.from('x'))
    const d = await p.createDeployment({name: DEMO_VERCEL.projectName, projectId: DEMO_VERCEL.projectId, files: [{file: 'index.html', sha: sha1(Buffer.from('x')), size: 1}], meta: {}})
    if (!d.ok) throw new Error('expected a deployment')
    expect((await call('GET', `/v13/deployments/${d.deployment.id}?${team}`)).body.readySubstate).toBe('STAGED')
    expect((await p.project()).productionId).toBe(previous.id)
    await p.promote(DEMO_VERCEL.projectId, d.deployment.id)
    expect((await p.project()).productionId).toBe(d.deployment.id)
    expect((await call('GET', `/v13/deployments/${d.deployment.id}?${team}`)).body.readySubstate).toBe('PROMOTED')
  })

  it('the adapter turns a wrong token into a configuration error (exit 2) without the token in it', async () => {
    const err = await port('vercel-wrong-token').project().catch((error: unknown) => error)
    expect(err).toMatchObject({code: 'E_VERCEL_AUTH', exitCode: 2})
    expect(String((err as Error).message)).not.toContain('vercel-wrong-token')
    expect(await new VercelDeployments({token: SANDBOX_VERCEL_TOKEN, project: 'nope', teamId: DEMO_VERCEL.teamId, baseUrl: api}).project().catch((error: unknown) => error)).toMatchObject({code: 'E_VERCEL_PROJECT', exitCode: 2})
  })
})
