/**
 * The edge probe: a real HTTP request (is http:// redirected to https://?) and a real TLS
 * handshake (is the certificate trusted, does it name the host, when does it expire?).
 * Hostnames can be mapped to addresses (like curl --resolve; the sandbox maps its demo
 * hostnames to its loopback edge) and an extra CA can be trusted besides the system roots.
 */
import dns from 'node:dns'
import http from 'node:http'
import tls from 'node:tls'
import type {HttpProbe, ProbePort, TlsProbe} from '../../edge/ports.js'

export interface ProbeOptions {
  /** hostname → IP address to connect to instead of resolving it. */
  resolve?: Record<string, string>
  httpPort: number
  httpsPort: number
  /** Extra trusted CA certificate(s), PEM. */
  ca?: string
  timeoutMs?: number
}

/**
 * A TLS context trusting the system roots plus `extra` (PEM, one or more certificates). Passing
 * `ca: [...tls.rootCertificates, extra]` to every connect makes OpenSSL parse the ~140 root PEMs
 * again each time (~30 ms of CPU per handshake). Here the context starts from the roots Node
 * parsed once (addCACert copies that store before adding to it: the process's default store is
 * left alone), and only `extra` is parsed (as win-ca/syswide-cas add a CA). Same trust as the
 * list: the bundled roots plus `extra`. Falls back to the list where addCACert is not exposed.
 */
export function trustingContext(extra: string): tls.SecureContext {
  const context = tls.createSecureContext()
  const native = (context as {context?: {addCACert?: (pem: string) => void}}).context
  if (typeof native?.addCACert !== 'function') return tls.createSecureContext({ca: [...tls.rootCertificates, extra]})
  native.addCACert(extra)
  return context
}

export class NetworkProbe implements ProbePort {
  /** Built on the first handshake, shared by the probe's handshakes. */
  private secureContext?: tls.SecureContext

  constructor(private readonly options: ProbeOptions) {}

  private address(host: string): string | undefined {
    return this.options.resolve?.[host]
  }

  http(host: string): Promise<HttpProbe> {
    const mapped = this.address(host)
    const lookup: typeof dns.lookup = ((name: string, opts: dns.LookupOptions, cb: (...a: unknown[]) => void) => {
      if (!mapped || name !== host) return dns.lookup(name, opts, cb as never)
      const family = mapped.includes(':') ? 6 : 4
      if (opts?.all) cb(null, [{address: mapped, family}])
      else cb(null, mapped, family)
    }) as typeof dns.lookup
    return new Promise((resolve, reject) => {
      const req = http.request({host, port: this.options.httpPort, path: '/', method: 'GET', lookup, agent: false, headers: {'user-agent': 'impress-edge-check'}, timeout: this.options.timeoutMs ?? 10_000}, (res) => {
        res.resume()
        resolve({status: res.statusCode ?? 0, ...(typeof res.headers.location === 'string' ? {location: res.headers.location} : {})})
      })
      req.on('timeout', () => req.destroy(new Error(`timed out after ${this.options.timeoutMs ?? 10_000} ms`)))
      req.on('error', reject)
      req.end()
    })
  }

  tls(host: string): Promise<TlsProbe> {
    if (this.options.ca) this.secureContext ??= trustingContext(this.options.ca)
    const secureContext = this.secureContext
    return new Promise((resolve, reject) => {
      const socket = tls.connect({host: this.address(host) ?? host, port: this.options.httpsPort, servername: host, ...(secureContext ? {secureContext} : {}), rejectUnauthorized: false, timeout: this.options.timeoutMs ?? 10_000}, () => {
        const cert = socket.getPeerCertificate()
        const identity = cert && Object.keys(cert).length > 0 ? tls.checkServerIdentity(host, cert) : new Error('no certificate')
        const result: TlsProbe = {
          trusted: socket.authorized,
          nameMatches: identity === undefined,
          ...(socket.authorizationError ? {error: String(socket.authorizationError)} : identity ? {error: identity.message} : {}),
          ...(cert?.valid_to ? {validTo: new Date(cert.valid_to).toISOString()} : {}),
          ...(socket.getProtocol() ? {protocol: socket.getProtocol()!} : {}),
        }
        socket.end()
        resolve(result)
      })
      socket.on('timeout', () => socket.destroy(new Error(`TLS handshake timed out after ${this.options.timeoutMs ?? 10_000} ms`)))
      socket.on('error', reject)
    })
  }
}
