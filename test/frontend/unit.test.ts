// Pure logic of the frontend and edge capabilities, on in-memory ports.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import {afterEach, describe, expect, it} from 'vitest'
import {certificateCheck, runEdgeCheck, settingChecks, zoneFor} from '../../src/lib/edge/check.js'
import type {ProbePort, ZonesPort} from '../../src/lib/edge/ports.js'
import {runDeploy} from '../../src/lib/frontend/deploy.js'
import {DeployRaceError} from '../../src/lib/frontend/errors.js'
import {gitBlobSha} from '../../src/lib/frontend/git-hash.js'
import {deployMessage, parseDeployMessage} from '../../src/lib/frontend/message.js'
import type {CommitInfo, DeployTarget, RemoteFile, TreeChange} from '../../src/lib/frontend/ports.js'
import {nearest, type FrontendVersion} from '../../src/lib/frontend/versions.js'

describe('deploy commit messages', () => {
  it('round-trip who, kind, source commit and restored version', () => {
    fc.assert(
      fc.property(fc.string({minLength: 1}).filter((s) => !s.includes('\n') && s.trim().length > 0), fc.constantFrom('deploy' as const, 'rollback' as const), fc.option(fc.stringMatching(/^[0-9a-f]{40}$/), {nil: undefined}), (subject, kind, source) => {
        const r = parseDeployMessage(deployMessage(subject, {kind, deployedBy: 'ann@host', sourceCommit: source, ...(kind === 'rollback' ? {restores: 'a'.repeat(40)} : {})}))
        expect(r).toMatchObject({kind, deployedBy: 'ann@host', subject: subject.trim(), ...(source ? {sourceCommit: source} : {})})
        expect(r?.sourceCommit).toBe(source)
      }),
    )
    expect(parseDeployMessage('Merge branch x\n\nSigned-off-by: a')).toBeUndefined()
  })
})

describe('nearest versions', () => {
  const v = (sha: string, date: string) => ({id: sha, sha, date}) as FrontendVersion
  it('orders by common prefix, then newest', () => {
    const list = [v('abc111', '2026-01-01T00:00:00Z'), v('abd222', '2026-02-01T00:00:00Z'), v('fff333', '2026-03-01T00:00:00Z')]
    expect(nearest('abc9', list).map((x) => x.sha)).toEqual(['abc111', 'abd222', 'fff333'])
    expect(nearest('0000', list).map((x) => x.sha)).toEqual(['fff333', 'abd222', 'abc111'])
  })
})

describe('edge rules', () => {
  const now = new Date('2026-12-01T00:00:00Z')
  it('a certificate expiring within the window fails; untrusted or wrong-name certificates fail', () => {
    expect(certificateCheck({trusted: true, nameMatches: true, validTo: '2026-12-10T00:00:00Z'}, 'a.example', now, 14)).toMatchObject({status: 'fail', detail: expect.stringMatching(/expires in 9 day/)})
    expect(certificateCheck({trusted: true, nameMatches: true, validTo: '2026-12-20T00:00:00Z'}, 'a.example', now, 14).status).toBe('pass')
    expect(certificateCheck({trusted: true, nameMatches: true, validTo: '2026-11-20T00:00:00Z'}, 'a.example', now, 14).detail).toMatch(/expired/)
    expect(certificateCheck({trusted: false, nameMatches: true, error: 'SELF_SIGNED_CERT_IN_CHAIN'}, 'a.example', now, 14)).toMatchObject({status: 'fail', detail: expect.stringMatching(/not trusted/)})
    expect(certificateCheck({trusted: true, nameMatches: false, validTo: '2027-01-01T00:00:00Z'}, 'a.example', now, 14).status).toBe('fail')
  })

  it('zone settings: flexible SSL, TLS below the minimum and HSTS off each fail', () => {
    const bad = settingChecks({alwaysUseHttps: 'on', ssl: 'flexible', minTlsVersion: '1.1', hsts: {enabled: false, maxAge: 0, includeSubdomains: false}}, '1.2')
    expect(bad.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['cloudflare.ssl', 'cloudflare.min_tls_version', 'cloudflare.hsts'])
    expect(settingChecks({alwaysUseHttps: 'on', ssl: 'strict', minTlsVersion: '1.2', hsts: {enabled: true, maxAge: 1, includeSubdomains: false}}, '1.3').find((c) => c.id === 'cloudflare.min_tls_version')?.status).toBe('fail')
  })

  it('a host belongs to the longest matching zone, never to a mere suffix', () => {
    const zones = [{id: '1', name: 'example.com'}, {id: '2', name: 'shop.example.com'}]
    expect(zoneFor('www.shop.example.com', zones)?.id).toBe('2')
    expect(zoneFor('example.com', zones)?.id).toBe('1')
    expect(zoneFor('badexample.com', zones)).toBeUndefined()
  })

  it('an unreachable probe or Cloudflare is unknown (exit 1), not a pass; a redirect elsewhere fails', async () => {
    const zones: ZonesPort = {list: async () => [{id: 'z', name: 'example.com'}], settings: async () => ({alwaysUseHttps: 'on', ssl: 'full', minTlsVersion: '1.2', hsts: {enabled: true, maxAge: 10, includeSubdomains: true}}), events: async () => []}
    const down: ProbePort = {http: async () => Promise.reject(new Error('connect ECONNREFUSED')), tls: async () => ({trusted: true, nameMatches: true, validTo: '2027-06-01T00:00:00Z'})}
    const r = await runEdgeCheck({hostnames: ['www.example.com'], minTls: '1.2', expiryDays: 14}, {zones, probe: down, now: () => now})
    expect(r.exitCode).toBe(1)
    expect(r.unknown).toMatchObject([{hostname: 'www.example.com', check: 'probe.http_redirect'}])
    const elsewhere: ProbePort = {http: async () => ({status: 301, location: 'https://evil.example.net/'}), tls: down.tls}
    const r2 = await runEdgeCheck({hostnames: ['www.example.com'], minTls: '1.2', expiryDays: 14}, {probe: elsewhere, now: () => now})
    expect(r2.exitCode).toBe(3)
    expect(r2.failures.map((f) => f.check)).toEqual(['probe.http_redirect'])
    expect(r2.unknown.map((f) => f.check)).toEqual(['cloudflare.zone'])
  })
})

/** A deploy branch in memory, with a hook to let another deploy land before the ref update. */
class MemoryTarget implements DeployTarget {
  readonly describe = 'mem@gh-pages'
  trees = new Map<string, Map<string, RemoteFile>>()
  commits = new Map<string, CommitInfo>()
  headSha: string | null = null
  uploads = 0
  beforeMove?: () => void
  private n = 0

  async head() {
    return this.headSha ? this.commits.get(this.headSha)! : null
  }
  async files(tree: string) {
    return new Map(this.trees.get(tree))
  }
  async uploadBlob(content: Buffer) {
    this.uploads++
    return gitBlobSha(content)
  }
  async createTree(base: string | undefined, changes: TreeChange[]) {
    const files = new Map(base ? this.trees.get(base) : undefined)
    for (const c of changes) if (c.sha) files.set(c.path, {sha: c.sha, mode: c.mode, size: 1})
    else files.delete(c.path)
    const id = `t${this.n++}`
    this.trees.set(id, files)
    return id
  }
  async createCommit(message: string, tree: string, parents: string[]) {
    const who = {name: 'x', email: 'x@x', date: new Date().toISOString()}
    const c = {sha: `c${this.n++}`, tree, parents, message, author: who, committer: who}
    this.commits.set(c.sha, c)
    return c
  }
  async moveBranch(sha: string, previous: string | null) {
    this.beforeMove?.()
    if (this.headSha !== previous) throw new DeployRaceError('gh-pages', previous)
    this.headSha = sha
  }
  async history() {
    return []
  }
}

describe('runDeploy on an in-memory branch', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, {recursive: true, force: true})
  })
  const build = (files: Record<string, string>) => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-fe-'))
    dirs.push(d)
    for (const [p, t] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(d, p)), {recursive: true})
      fs.writeFileSync(path.join(d, p), t)
    }
    return d
  }

  it('uploads each distinct changed blob once, and refuses when the branch moved meanwhile', async () => {
    const target = new MemoryTarget()
    const dir = build({'a.txt': 'same', 'b/c.txt': 'same', 'd.txt': 'other'})
    const first = await runDeploy({dir, dryRun: false, deployedBy: 't'}, {target})
    expect(first).toMatchObject({files: 3, blobsUploaded: 2})
    expect(target.uploads).toBe(2)
    const dry = await runDeploy({dir: build({'a.txt': 'new'}), dryRun: true, deployedBy: 't'}, {target})
    expect(dry).toMatchObject({upload: [{path: 'a.txt'}], remove: ['b/c.txt', 'd.txt'], blobsUploaded: 0})
    expect(target.uploads).toBe(2)
    const head = target.headSha
    target.beforeMove = () => {
      target.headSha = 'someone-else'
    }
    await expect(runDeploy({dir: build({'a.txt': 'race'}), dryRun: false, deployedBy: 't'}, {target})).rejects.toMatchObject({code: 'E_DEPLOY_RACE', exitCode: 4})
    expect(head).not.toBe('someone-else')
  })

  it('an empty or missing directory is bad input (exit 2)', async () => {
    const target = new MemoryTarget()
    await expect(runDeploy({dir: build({}), dryRun: false, deployedBy: 't'}, {target})).rejects.toMatchObject({exitCode: 2})
    await expect(runDeploy({dir: '/nonexistent/build', dryRun: false, deployedBy: 't'}, {target})).rejects.toMatchObject({exitCode: 2})
  })
})

describe('compliance rule edge-https-only (from the edge check report)', () => {
  it('one finding per host: fail names the failed checks, unknown when a check could not be made, none when all pass', async () => {
    const {edgeFindings, edgeRule} = await import('../../src/lib/compliance/edge.js')
    const host = (hostname: string, statuses: ('pass' | 'fail' | 'unknown')[]) => ({hostname, ok: statuses.every((s) => s === 'pass'), checks: statuses.map((status, i) => ({id: (['cloudflare.always_use_https', 'probe.http_redirect'] as const)[i], status, detail: `d${i}`}))})
    const report = {generatedAt: '', hosts: [host('a.example', ['pass', 'pass']), host('b.example', ['fail', 'unknown']), host('c.example', ['pass', 'unknown'])], failures: [], unknown: [], summary: {hosts: 3, passing: 1, failed: 1, unknown: 1}, exitCode: 3 as const}
    const f = edgeFindings(report)
    expect(f.map((x) => [x.account, x.outcome, x.severity, x.service])).toEqual([
      ['b.example', 'fail', 'high', 'edge'],
      ['c.example', 'unknown', 'high', 'edge'],
    ])
    expect(f[0].message).toBe('b.example is not HTTPS-only: cloudflare.always_use_https (d0)')
    const failed = await edgeRule(() => Promise.reject(new Error('no zones')), (e) => (e as Error).message)
    expect(failed).toMatchObject({hosts: 0, error: 'no zones', findings: [{rule: 'edge-https-only', outcome: 'unknown'}]})
  })
})
