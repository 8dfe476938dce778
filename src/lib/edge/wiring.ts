/**
 * Build the edge ports of an environment: Cloudflare zones (cloud or the sandbox's
 * /cloudflare/client/v4), the GitHub Pages site of frontend.repo, and the network probe. In
 * the sandbox the probe maps every configured hostname to the sandbox's loopback edge and
 * trusts its throwaway CA (published in the sandbox's health document); elsewhere it uses
 * DNS and the system roots, plus edge.probe.resolve / edge.probe.ca when given.
 */
import fs from 'node:fs'
import path from 'node:path'
import {resolveSecret} from '../config/secret-ref.js'
import type {Context} from '../context.js'
import {ConfigError, OperationError} from '../errors.js'
import {runEdgeCheck, type EdgeCheckReport} from './check.js'
import type {PagesPort, ProbePort, ZonesPort} from './ports.js'

const SANDBOX_CLOUDFLARE_TOKEN = 'cf-sandbox-token'

export function edgeSection(ctx: Context) {
  const e = ctx.env.config.edge
  if (!e) throw new ConfigError(`Environment "${ctx.env.name}" has no edge section.`, {hint: 'Add environments.<env>.edge with `hostnames: [www.example.com, …]`.'})
  return e
}

export interface EdgeWiring {
  hostnames: string[]
  minTls: '1.2' | '1.3'
  expiryDays: number
  zones?: ZonesPort
  pages?: PagesPort
  probe: ProbePort
}

export async function edgeWiring(ctx: Context): Promise<EdgeWiring> {
  const e = edgeSection(ctx)
  const sandbox = ctx.env.sandbox ? await ctx.sandbox() : undefined
  const token = e.cloudflare?.token ? resolveSecret(e.cloudflare.token, `environments.${ctx.env.name}.edge.cloudflare.token`) : sandbox ? SANDBOX_CLOUDFLARE_TOKEN : process.env.CLOUDFLARE_API_TOKEN
  let zones: ZonesPort | undefined
  if (token) {
    const {CloudflareZones} = await import('../platform/cloudflare/zones.js')
    zones = new CloudflareZones({token, baseURL: sandbox ? `${sandbox.url}/cloudflare/client/v4` : undefined, pageSize: sandbox ? 5 : 50})
  }
  let pages: PagesPort | undefined
  if (ctx.env.config.frontend?.host === 'github-pages') {
    const {frontendTarget} = await import('../frontend/wiring.js')
    pages = await frontendTarget(ctx)
  }
  const p = e.probe
  const resolve: Record<string, string> = {}
  let httpPort = p?.httpPort ?? 80
  let httpsPort = p?.httpsPort ?? 443
  let ca: string | undefined
  const edge = sandbox?.endpoints
  if (edge?.edgeHttp && edge.edgeHttps && edge.edgeCa) {
    for (const h of e.hostnames) resolve[h] = '127.0.0.1'
    httpPort = Number(new URL(edge.edgeHttp).port)
    httpsPort = Number(new URL(edge.edgeHttps).port)
    // The sandbox makes its CA in the background on first start: wait for it a little.
    for (let i = 0; i < 100 && !fs.existsSync(edge.edgeCa); i++) await new Promise((r) => setTimeout(r, 100))
    try {
      ca = fs.readFileSync(edge.edgeCa, 'utf8')
    } catch {
      throw new OperationError(`The sandbox edge has no CA certificate (${edge.edgeCa}).`, {code: 'E_SANDBOX_EDGE', hint: 'The sandbox needs the openssl CLI to make its certificates: install it, then `impress sandbox stop` and start again (GET /_sandbox/platform shows the error).'})
    }
  }
  Object.assign(resolve, p?.resolve ?? {})
  if (p?.ca) {
    const file = path.resolve(ctx.env.baseDir, p.ca)
    try {
      ca = fs.readFileSync(file, 'utf8')
    } catch {
      throw new ConfigError(`edge.probe.ca: cannot read ${file}.`, {hint: 'Point edge.probe.ca at a PEM certificate file, or remove it.'})
    }
  }
  const {NetworkProbe} = await import('../platform/http/tls-probe.js')
  return {hostnames: e.hostnames, minTls: e.minTls, expiryDays: e.expiryDays, zones, pages, probe: new NetworkProbe({resolve, httpPort, httpsPort, ca})}
}

/** Wire and run `edge check` for the environment (the command, the compliance rule and the report share it). */
export async function runConfiguredEdgeCheck(ctx: Context): Promise<EdgeCheckReport> {
  const w = await edgeWiring(ctx)
  return runEdgeCheck({hostnames: w.hostnames, minTls: w.minTls, expiryDays: w.expiryDays}, {zones: w.zones, pages: w.pages, probe: w.probe})
}
