// The GitHub git data / Pages and Cloudflare zones / security events emulations through the
// real SDK clients (octokit, cloudflare) over HTTP, the edge endpoint over real TLS, and git
// itself agreeing with the sandbox's object ids.
import {execFile, execFileSync} from 'node:child_process'
import {promisify} from 'node:util'
import fs from 'node:fs'
import https from 'node:https'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import {Octokit} from '@octokit/rest'
import Cloudflare from 'cloudflare'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {DEMO_ZONE_IDS} from '../../src/lib/sandbox/services/cloudflare/zones-seed.js'

let sb: TestSandbox
let gh: Octokit
let cf: Cloudflare
const repo = {owner: 'impress', repo: 'impress-web'}

beforeAll(async () => {
  sb = await startTestSandbox()
  gh = new Octokit({auth: 'ghp_sandboxowner', baseUrl: `${sb.url}/github`, log: {debug() {}, info() {}, warn() {}, error() {}}})
  cf = new Cloudflare({apiToken: 'cf-sandbox-token', baseURL: `${sb.url}/cloudflare/client/v4`, maxRetries: 0})
})
afterAll(async () => sb.stop())
beforeEach(async () => {
  await fetch(`${sb.url}/_sandbox/reset`, {method: 'POST'})
})

/** git asynchronously: the sandbox answering it runs in this process. */
async function gitAsync(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const {stdout} = await promisify(execFile)('git', args, {cwd, env: {...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: cwd, ...env}})
  return stdout.trim()
}

function git(cwd: string, args: string[], env: Record<string, string> = {}, input?: string): string {
  return execFileSync('git', args, {cwd, env: {...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: cwd, ...env}, input}).toString().trim()
}

describe('GitHub git data (octokit → sandbox)', () => {
  it('blob, tree (base_tree, nested paths, deletion) and commit ids are the ones git computes', async () => {
    const head = await gh.rest.git.getRef({...repo, ref: 'heads/gh-pages'})
    const base = await gh.rest.git.getCommit({...repo, commit_sha: head.data.object.sha})
    const blob = await gh.rest.git.createBlob({...repo, content: Buffer.from('hello\n\0binary').toString('base64'), encoding: 'base64'})
    expect(blob.status).toBe(201)
    const tree = await gh.rest.git.createTree({
      ...repo,
      base_tree: base.data.tree.sha,
      tree: [
        {path: 'assets/img/logo.bin', mode: '100644', type: 'blob', sha: blob.data.sha},
        {path: 'run.sh', mode: '100755', type: 'blob', content: '#!/bin/sh\necho hi\n'},
        {path: '404.html', mode: '100644', type: 'blob', sha: null},
      ],
    })
    const date = '2026-11-30T10:11:12Z'
    // A root commit, so that git can check it without the parent objects.
    const commit = await gh.rest.git.createCommit({...repo, message: 'Test commit\n\nBody\n', tree: tree.data.sha, parents: [], author: {name: 'Tess', email: 'tess@impress.example', date}})
    const files = await gh.rest.git.getTree({...repo, tree_sha: tree.data.sha, recursive: 'true'})
    const paths = files.data.tree.map((e) => e.path)
    expect(paths).toContain('assets/img/logo.bin')
    expect(paths).toContain('assets/img')
    expect(paths).not.toContain('404.html')

    // The same files through git: identical blob, tree and commit ids.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-git-'))
    try {
      git(dir, ['init', '-q'])
      for (const e of files.data.tree.filter((x) => x.type === 'blob')) {
        const b = await gh.rest.git.getBlob({...repo, file_sha: e.sha!})
        const file = path.join(dir, 'w', e.path!)
        fs.mkdirSync(path.dirname(file), {recursive: true})
        fs.writeFileSync(file, Buffer.from(b.data.content, 'base64'))
        expect(git(dir, ['hash-object', '-w', file])).toBe(e.sha)
        git(dir, ['update-index', '--add', '--cacheinfo', `${e.mode},${e.sha},${e.path}`])
      }
      expect(git(dir, ['write-tree'])).toBe(tree.data.sha)
      const env = {GIT_AUTHOR_NAME: 'Tess', GIT_AUTHOR_EMAIL: 'tess@impress.example', GIT_AUTHOR_DATE: `${Date.parse(date) / 1000} +0000`, GIT_COMMITTER_NAME: 'Tess', GIT_COMMITTER_EMAIL: 'tess@impress.example', GIT_COMMITTER_DATE: `${Date.parse(date) / 1000} +0000`}
      // git commit-tree ends the message with the newline we gave; the sandbox stores it as sent.
      expect(git(dir, ['commit-tree', tree.data.sha, '-F', '-'], env, 'Test commit\n\nBody\n')).toBe(commit.data.sha)
    } finally {
      fs.rmSync(dir, {recursive: true, force: true})
    }
  })

  it('a ref moves only by fast-forward with force:false: a commit built on an older head gets 422', async () => {
    const head = (await gh.rest.git.getRef({...repo, ref: 'heads/gh-pages'})).data.object.sha
    const tree = (await gh.rest.git.getCommit({...repo, commit_sha: head})).data.tree.sha
    const a = await gh.rest.git.createCommit({...repo, message: 'A', tree, parents: [head]})
    const b = await gh.rest.git.createCommit({...repo, message: 'B', tree, parents: [head]})
    expect((await gh.rest.git.updateRef({...repo, ref: 'heads/gh-pages', sha: a.data.sha, force: false})).data.object.sha).toBe(a.data.sha)
    const race = await gh.rest.git.updateRef({...repo, ref: 'heads/gh-pages', sha: b.data.sha, force: false}).catch((e: {status: number; message: string}) => e)
    expect(race).toMatchObject({status: 422})
    expect((race as {message: string}).message).toMatch(/not a fast forward/)
    expect((await gh.rest.git.getRef({...repo, ref: 'heads/gh-pages'})).data.object.sha).toBe(a.data.sha)
    // force:true overwrites (impress never sends it).
    expect((await gh.rest.git.updateRef({...repo, ref: 'heads/gh-pages', sha: b.data.sha, force: true})).status).toBe(200)
    await expect(gh.rest.git.updateRef({...repo, ref: 'heads/nope', sha: b.data.sha})).rejects.toMatchObject({status: 422})
    await expect(gh.rest.git.createRef({...repo, ref: 'refs/heads/gh-pages', sha: b.data.sha})).rejects.toMatchObject({status: 422})
  })

  it('lists the deploy branch history with Link pagination; Pages GET/PUT; unmodelled routes are 501', async () => {
    const commits = await gh.paginate(gh.rest.repos.listCommits, {...repo, sha: 'gh-pages', per_page: 2})
    expect(commits).toHaveLength(3)
    expect(commits[0].commit.message).toMatch(/Impress-Deploy: deploy/)
    const pages = await gh.rest.repos.getPages(repo)
    expect(pages.data).toMatchObject({cname: 'www.impress.example', https_enforced: true, source: {branch: 'gh-pages', path: '/'}})
    expect((await gh.rest.repos.updateInformationAboutPagesSite({...repo, https_enforced: false})).status).toBe(204)
    expect((await gh.rest.repos.getPages(repo)).data.https_enforced).toBe(false)
    await expect(gh.rest.repos.updateInformationAboutPagesSite({...repo, https_enforced: 'yes' as unknown as boolean})).rejects.toMatchObject({status: 422})
    await expect(gh.rest.git.getRef({owner: 'impress', repo: 'nope', ref: 'heads/main'})).rejects.toMatchObject({status: 404})
    await expect(gh.rest.git.deleteRef({...repo, ref: 'heads/gh-pages'})).rejects.toMatchObject({status: 501})
    const anon = new Octokit({baseUrl: `${sb.url}/github`, log: {debug() {}, info() {}, warn() {}, error() {}}})
    await expect(anon.rest.git.getRef({...repo, ref: 'heads/gh-pages'})).rejects.toMatchObject({status: 401})
  })
})

describe('git clone of the sandbox repositories (dumb HTTP)', () => {
  it('clones gh-pages after a git data API commit; git checks every object id (fsck) and the files match', async () => {
    const head = (await gh.rest.git.getRef({...repo, ref: 'heads/gh-pages'})).data.object.sha
    const base = (await gh.rest.git.getCommit({...repo, commit_sha: head})).data.tree.sha
    const tree = await gh.rest.git.createTree({...repo, base_tree: base, tree: [{path: 'docs/new.txt', mode: '100644', type: 'blob', content: 'fresh\n'}]})
    const commit = await gh.rest.git.createCommit({...repo, message: 'Add docs\n', tree: tree.data.sha, parents: [head]})
    await gh.rest.git.updateRef({...repo, ref: 'heads/gh-pages', sha: commit.data.sha})
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-clone-'))
    try {
      const url = `${sb.url.replace('http://', 'http://x-access-token:ghp_sandboxowner@')}/github/impress/impress-web.git`
      await gitAsync(dir, ['clone', '-q', '--branch', 'gh-pages', url, 'site'], {GIT_TERMINAL_PROMPT: '0'})
      const site = path.join(dir, 'site')
      expect(git(site, ['rev-parse', 'HEAD'])).toBe(commit.data.sha)
      expect(fs.readFileSync(path.join(site, 'docs/new.txt'), 'utf8')).toBe('fresh\n')
      expect(git(site, ['rev-list', '--count', 'HEAD'])).toBe('4')
      git(site, ['fsck', '--strict', '--no-dangling'])
      // Without credentials the private repository is not readable; pushing is refused.
      await expect(gitAsync(dir, ['clone', '-q', `${sb.url}/github/impress/impress-web.git`, 'anon'], {GIT_TERMINAL_PROMPT: '0'})).rejects.toThrow(/Authentication failed|could not read Username|terminal prompts disabled/)
    } finally {
      fs.rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('Cloudflare zones, settings and security events (cloudflare SDK → sandbox)', () => {
  it('lists zones, reads and edits the four modelled settings, refuses others with 501 and bad values with 400', async () => {
    const zones = await cf.zones.list({per_page: 5})
    expect(zones.result.map((z) => z.name).sort()).toEqual(['impress-legacy.example', 'impress.example'])
    const auh = await cf.zones.settings.get('always_use_https', {zone_id: DEMO_ZONE_IDS.legacy})
    expect(auh).toMatchObject({id: 'always_use_https', value: 'off'})
    const edited = await cf.zones.settings.edit('always_use_https', {zone_id: DEMO_ZONE_IDS.legacy, value: 'on'} as never)
    expect(edited).toMatchObject({value: 'on'})
    expect(await cf.zones.settings.get('security_header', {zone_id: DEMO_ZONE_IDS.main})).toMatchObject({value: {strict_transport_security: {enabled: true}}})
    await expect(cf.zones.settings.edit('ssl', {zone_id: DEMO_ZONE_IDS.main, value: 'sometimes'} as never)).rejects.toMatchObject({status: 400})
    await expect(cf.zones.settings.get('rocket_loader', {zone_id: DEMO_ZONE_IDS.main})).rejects.toMatchObject({status: 501})
  })

  it('answers the firewallEventsAdaptive GraphQL query, filtered by time; other queries are 501', async () => {
    const query = 'query Events($zoneTag: string, $filter: ZoneFirewallEventsAdaptiveFilter_InputObject, $limit: uint64) { viewer { zones(filter: {zoneTag: $zoneTag}) { firewallEventsAdaptive(filter: $filter, limit: $limit, orderBy: [datetime_DESC]) { datetime action source clientIP clientRequestHTTPHost } } } }'
    const since = new Date(Date.now() - 24 * 3_600_000).toISOString()
    const r = (await cf.post('/graphql', {body: {query, variables: {zoneTag: DEMO_ZONE_IDS.main, filter: {datetime_geq: since}, limit: 100}}})) as {data: {viewer: {zones: {firewallEventsAdaptive: {source: string; datetime: string}[]}[]}}}
    const events = r.data.viewer.zones[0].firewallEventsAdaptive
    expect(events).toHaveLength(14)
    expect(events.filter((e) => e.source === 'l7ddos')).toHaveLength(12)
    expect(Object.keys(events[0]).sort()).toEqual(['action', 'clientIP', 'clientRequestHTTPHost', 'datetime', 'source'])
    await expect(cf.post('/graphql', {body: {query: '{ viewer { accounts { id } } }'}})).rejects.toMatchObject({status: 501})
  })
})

function request(mod: typeof http | typeof https, url: string, host: string, ca?: string): Promise<{status: number; headers: http.IncomingHttpHeaders; cert?: {valid_to: string}}> {
  return new Promise((resolve, reject) => {
    const u = new URL(url)
    const req = mod.request({host: u.hostname, port: u.port, path: '/', headers: {host}, servername: host, ca} as https.RequestOptions, (res) => {
      const cert = (res.socket as import('node:tls').TLSSocket).getPeerCertificate?.()
      res.resume()
      res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, cert}))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('the sandbox edge (local HTTP + HTTPS endpoint)', () => {
  it('redirects to https where Always Use HTTPS is on, serves plain HTTP where it is off, certificates verify against the throwaway CA', async () => {
    const h = await (await fetch(`${sb.url}/_sandbox/health`)).json()
    // The CA is made in the background when the sandbox starts.
    for (let i = 0; i < 100 && !fs.existsSync(h.endpoints.edgeCa); i++) await new Promise((r) => setTimeout(r, 100))
    const ca = fs.readFileSync(h.endpoints.edgeCa, 'utf8')
    const www = await request(http, h.endpoints.edgeHttp, 'www.impress.example')
    expect(www).toMatchObject({status: 301, headers: {location: 'https://www.impress.example/'}})
    expect((await request(http, h.endpoints.edgeHttp, 'impress-legacy.example')).status).toBe(200)
    const secure = await request(https, h.endpoints.edgeHttps, 'www.impress.example', ca)
    expect(secure.status).toBe(200)
    expect(secure.headers['strict-transport-security']).toMatch(/max-age=31536000/)
    // Without the CA the certificate is not trusted; under the wrong name it does not match.
    await expect(request(https, h.endpoints.edgeHttps, 'www.impress.example')).rejects.toThrow(/self-signed|unable to (get|verify)/i)
    await expect(request(https, h.endpoints.edgeHttps, 'nope.impress.example', ca)).rejects.toThrow(/altnames|does not match/i)
    // Fixing the zone setting fixes the edge.
    await cf.zones.settings.edit('always_use_https', {zone_id: DEMO_ZONE_IDS.legacy, value: 'on'} as never)
    expect((await request(http, h.endpoints.edgeHttp, 'impress-legacy.example')).status).toBe(301)
  })
})
