/**
 * The sandbox's edge: what a browser reaches at the demo hostnames. Two listeners on loopback,
 * plain HTTP and HTTPS (SNI, one certificate per hostname from a throwaway CA). They behave as
 * the Cloudflare zone's settings say: Always Use HTTPS on → HTTP answers 301 to https://, off →
 * the page is served over plain HTTP; HSTS sent when the zone's security header is enabled;
 * the zone's minimum TLS version enforced. A GitHub Pages hostname serves the files of its
 * repository's deploy branch. Clients map the hostnames to these ports (never /etc/hosts):
 * the health document publishes edgeHttp, edgeHttps and edgeCa. See SPEC.md.
 */
import http, {type IncomingMessage, type ServerResponse} from 'node:http'
import https from 'node:https'
import type {AddressInfo} from 'node:net'
import path from 'node:path'
import tls, {type SecureContext} from 'node:tls'
import type {ServiceContext, ServiceFactory} from '../../types.js'
import {demoZones, type Zone, type ZonesState} from '../cloudflare/zones-seed.js'
import {demoRepos} from '../github/demo-site.js'
import {flattenTree, type GitRepo, type ReposState} from '../github/git.js'
import {productionFiles} from '../vercel/index.js'
import {demoVercel, type VercelFiles, type VercelState} from '../vercel/seed.js'
import {ensureEdgeTls, type EdgeTls} from './tls.js'

const DEFAULT_NAME = 'edge.sandbox.invalid'
const TLS_VERSIONS = {'1.0': 'TLSv1', '1.1': 'TLSv1.1', '1.2': 'TLSv1.2', '1.3': 'TLSv1.3'} as const

export const edgeService: ServiceFactory = (ctx: ServiceContext) => {
  const zones = () => ctx.state.open<ZonesState>('cloudflare', 'zones', () => demoZones(Date.now()))
  const repos = () => ctx.state.open<ReposState>('github', 'repos', () => demoRepos(Date.now()))
  const vercel = () => ctx.state.open<VercelState>('vercel', 'api', () => demoVercel(Date.now()).state)
  const vercelFiles = () => ctx.state.open<VercelFiles>('vercel', 'files', () => demoVercel(Date.now()).files)
  const servers: (http.Server | https.Server)[] = []
  const sockets = new Set<import('node:net').Socket>()
  let material: EdgeTls | undefined
  let pending: Promise<EdgeTls | undefined> | undefined
  let tlsError: string | undefined
  const contexts = new Map<string, SecureContext>()

  const zoneOf = (host: string): Zone | undefined => zones().data.zones.find((z) => z.hostnames.includes(host))
  const hostOf = (req: IncomingMessage) => (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase()

  const serve = (req: IncomingMessage, res: ServerResponse, secure: boolean) => {
    const host = hostOf(req)
    const zone = zoneOf(host)
    if (!zone) {
      res.writeHead(409, {'content-type': 'text/plain'})
      res.end(`Error 1001: DNS resolution error (${host || 'no Host header'} is not a hostname of the sandbox edge)\n`)
      return
    }
    if (!secure && zone.settings.always_use_https === 'on') {
      res.writeHead(301, {location: `https://${host}${req.url ?? '/'}`, 'content-length': 0})
      res.end()
      return
    }
    const hsts = zone.settings.security_header.strict_transport_security
    const headers: Record<string, string> = {'content-type': 'text/html; charset=utf-8', server: 'cloudflare'}
    if (secure && hsts.enabled) headers['strict-transport-security'] = `max-age=${hsts.max_age}${hsts.include_subdomains ? '; includeSubDomains' : ''}${hsts.preload ? '; preload' : ''}`
    const site = repos().data.repos.find((r) => r.pages?.cname === host)
    // A Vercel project's production domain serves the deployment the domain points at.
    const deployed = site ? undefined : productionFiles(vercel().data, vercelFiles().data, host)
    const file = site ? pagesFile(site, req.url ?? '/') : deployed ? staticFile(deployed, req.url ?? '/') : {status: 200, body: Buffer.from(`<!doctype html><title>${host}</title><p>${host} (sandbox edge)</p>\n`)}
    res.writeHead(file.status, {...headers, 'content-length': file.body.length})
    res.end(req.method === 'HEAD' ? undefined : file.body)
  }

  const secureContext = (host: string): SecureContext | undefined => {
    const pair = material?.hosts.get(host)
    if (!pair) return undefined
    const min = TLS_VERSIONS[zoneOf(host)?.settings.min_tls_version ?? '1.2']
    const key = `${host} ${min}`
    let c = contexts.get(key)
    if (!c) contexts.set(key, (c = tls.createSecureContext({key: pair.key, cert: pair.cert, minVersion: min})))
    return c
  }

  return {
    name: 'edge',
    // Served on its own listeners (not the API host): the hostnames' HTTP redirect and HTTPS answers only.
    catalog: {title: 'Edge hostnames (HTTP/HTTPS listeners of the demo frontend)', protocol: 'rest', reference: 'https://developers.cloudflare.com/ssl/edge-certificates/additional-options/always-use-https/', operations: {}},
    matches: () => false,
    operation: () => 'none',
    handle() {},
    renderError() {},
    describe: () => ({hostnames: zones().data.zones.flatMap((z) => z.hostnames), ...(tlsError ? {tlsError} : {})}),
    async start() {
      const hostnames = zones().data.zones.flatMap((z) => z.hostnames)
      const dir = path.join(path.dirname(ctx.state.dir), 'edge-tls')
      // Certificates are made in the background (openssl, ≈50 ms a certificate) so that the
      // sandbox starts as fast as before; handshakes wait for them. Without openssl the edge
      // serves plain HTTP only and says why in /_sandbox/platform.
      pending = ensureEdgeTls(dir, [...hostnames, DEFAULT_NAME]).then(
        (m) => (material = m),
        (error: Error) => {
          tlsError = error.message
          return undefined
        },
      )
      const plain = http.createServer((req, res) => serve(req, res, false))
      const secure = https.createServer({minVersion: 'TLSv1', SNICallback: (name, cb) => void pending!.then(() => cb(null, secureContext(name.toLowerCase()) ?? secureContext(DEFAULT_NAME)))}, (req, res) => serve(req, res, true))
      const listen = (s: http.Server | https.Server) =>
        new Promise<number>((resolve, reject) => {
          s.once('error', reject)
          s.on('connection', (sock) => {
            sockets.add(sock)
            sock.on('close', () => sockets.delete(sock))
          })
          s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port))
        })
      const [httpPort, httpsPort] = [await listen(plain), await listen(secure)]
      servers.push(plain, secure)
      return {edgeHttp: `http://127.0.0.1:${httpPort}`, edgeHttps: `https://127.0.0.1:${httpsPort}`, edgeCa: path.join(dir, 'ca.crt')}
    },
    async stop() {
      await pending
      for (const s of sockets) s.destroy()
      await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))))
    },
  }
}

function staticFile(files: Map<string, Buffer>, url: string): {status: number; body: Buffer} {
  let p = decodeURIComponent(new URL(url, 'http://x').pathname).replace(/^\/+/, '')
  if (p === '' || p.endsWith('/')) p += 'index.html'
  const body = files.get(p) ?? files.get(`${p}/index.html`)
  return body ? {status: 200, body} : {status: 404, body: Buffer.from('The page could not be found.\n\nNOT_FOUND\n')}
}

function pagesFile(repo: GitRepo, url: string): {status: number; body: Buffer} {
  const branch = repo.pages!.source.branch
  const head = repo.refs[`refs/heads/${branch}`]
  const commit = head ? repo.objects[head] : undefined
  const files = commit?.type === 'commit' ? flattenTree(repo, commit.tree) : new Map()
  const base = repo.pages!.source.path === '/docs' ? 'docs/' : ''
  let p = decodeURIComponent(new URL(url, 'http://x').pathname).replace(/^\/+/, '')
  if (p === '' || p.endsWith('/')) p += 'index.html'
  const blob = (file: string) => {
    const e = files.get(`${base}${file}`)
    const o = e ? repo.objects[e.sha] : undefined
    return o?.type === 'blob' ? Buffer.from(o.content, 'base64') : undefined
  }
  const found = blob(p) ?? blob(`${p}/index.html`) ?? blob(`${p}.html`)
  if (found) return {status: 200, body: found}
  return {status: 404, body: blob('404.html') ?? Buffer.from('<!doctype html><title>404</title><p>File not found</p>\n')}
}
