/**
 * The sandbox edge's throwaway certificate authority: an EC P-256 CA and one certificate per
 * demo hostname (90 days), made with the openssl CLI on first start and kept beside the
 * sandbox state (not inside it: a reset keeps them, the running servers hold them).
 */
import {execFile} from 'node:child_process'
import {X509Certificate} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'

const run = promisify(execFile)
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
/** Renew a certificate when it expires within this many days. */
const RENEW_DAYS = 30

export interface EdgeTls {
  caFile: string
  ca: string
  hosts: Map<string, {key: string; cert: string}>
}

function fresh(certFile: string, days = RENEW_DAYS): boolean {
  try {
    const c = new X509Certificate(fs.readFileSync(certFile))
    return Date.parse(c.validTo) - Date.now() > days * 86_400_000
  } catch {
    return false
  }
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args)
  } catch (error) {
    const e = error as NodeJS.ErrnoException & {stderr?: string}
    if (e.code === 'ENOENT') throw new Error('the sandbox edge needs the openssl CLI on PATH (Debian package openssl) to make its certificates')
    throw new Error(`openssl ${args[0]} failed: ${(e.stderr ?? e.message).trim().split('\n').pop()}`)
  }
}

export async function ensureEdgeTls(dir: string, hostnames: string[]): Promise<EdgeTls> {
  fs.mkdirSync(dir, {recursive: true})
  const caFile = path.join(dir, 'ca.crt')
  const caKey = path.join(dir, 'ca.key')
  let renewedCa = false
  if (!fresh(caFile, 365) || !fs.existsSync(caKey)) {
    // Written aside and renamed: clients read ca.crt while the sandbox starts.
    await openssl(['req', '-x509', ...EC, '-keyout', caKey, '-out', `${caFile}.tmp`, '-days', '3650', '-subj', '/CN=impress sandbox edge CA (throwaway)', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'])
    fs.renameSync(`${caFile}.tmp`, caFile)
    renewedCa = true
  }
  const hosts = new Map<string, {key: string; cert: string}>()
  for (const host of hostnames) {
    const key = path.join(dir, `${host}.key`)
    const cert = path.join(dir, `${host}.crt`)
    if (renewedCa || !fresh(cert) || !fs.existsSync(key)) {
      await openssl(['req', '-x509', '-CA', caFile, '-CAkey', caKey, ...EC, '-keyout', key, '-out', cert, '-days', '90', '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`, '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'extendedKeyUsage=serverAuth'])
    }
    hosts.set(host, {key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8')})
  }
  return {caFile, ca: fs.readFileSync(caFile, 'utf8'), hosts}
}
