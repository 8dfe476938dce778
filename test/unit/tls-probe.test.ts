/**
 * The edge probe's TLS trust (src/lib/platform/http/tls-probe.ts) against a real local TLS
 * server whose certificate a throwaway CA signed: the extra CA is trusted through one shared
 * context (not by re-parsing the system roots per handshake), and adding it never leaks into
 * the process's default trust store.
 */
import fs from 'node:fs'
import type {AddressInfo} from 'node:net'
import os from 'node:os'
import path from 'node:path'
import tls from 'node:tls'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {NetworkProbe, trustingContext} from '../../src/lib/platform/http/tls-probe.js'
import {ensureEdgeTls} from '../../src/lib/sandbox/services/edge/tls.js'

const HOST = 'probe.impress.test'
let dir = ''
let ca = ''
let otherCa = ''
let server: tls.Server
let port = 0

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-tls-probe-'))
  const [edge, other] = await Promise.all([ensureEdgeTls(path.join(dir, 'a'), [HOST]), ensureEdgeTls(path.join(dir, 'b'), [])])
  ca = edge.ca
  otherCa = other.ca
  const pair = edge.hosts.get(HOST)!
  server = tls.createServer({key: pair.key, cert: pair.cert}, (s) => s.end())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
}, 30_000)
afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  fs.rmSync(dir, {recursive: true, force: true})
})

const probe = (extra?: string) => new NetworkProbe({resolve: {[HOST]: '127.0.0.1'}, httpPort: 1, httpsPort: port, ...(extra ? {ca: extra} : {})})

describe('NetworkProbe.tls trust', () => {
  it('trusts a certificate the extra CA signed, for every handshake of the probe', async () => {
    const p = probe(ca)
    const results = await Promise.all([p.tls(HOST), p.tls(HOST), p.tls(HOST)])
    for (const r of results) {
      expect(r.trusted).toBe(true)
      expect(r.nameMatches).toBe(true)
      expect(r.error).toBeUndefined()
    }
  })

  it('does not trust it with another CA, nor with the system roots alone', async () => {
    const wrong = await probe(otherCa).tls(HOST)
    expect(wrong.trusted).toBe(false)
    expect(wrong.error).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify|self.signed|local issuer/i)
    const none = await probe().tls(HOST)
    expect(none.trusted).toBe(false)
  })

  it('adding the CA leaves the default trust store as it was', async () => {
    trustingContext(ca)
    const socket = tls.connect({host: '127.0.0.1', port, servername: HOST, rejectUnauthorized: false})
    const authorized = await new Promise<boolean>((resolve, reject) => {
      socket.once('secureConnect', () => resolve(socket.authorized))
      socket.once('error', reject)
    })
    socket.destroy()
    expect(authorized).toBe(false)
  })
})
