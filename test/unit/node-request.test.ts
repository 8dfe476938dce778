/** nodeRequest / readBody (src/lib/platform/http/node-request.ts) against a real local HTTP server. */
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {gzipSync} from 'node:zlib'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BodyTooLarge, nodeRequest, readBody} from '../../src/lib/platform/http/node-request.js'

const big = Buffer.from(JSON.stringify({items: 'x'.repeat(200_000)}))
let server: http.Server
let base = ''
const seen: {method?: string; body?: string; encoding?: string}[] = []

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString()))
    req.on('end', () => {
      seen.push({method: req.method, body, encoding: req.headers['accept-encoding']})
      if (req.url === '/gzip') {
        res.writeHead(200, {'content-encoding': 'gzip'})
        res.end(gzipSync(big))
      } else if (req.url === '/chunked') {
        // No content-length: the cap is found while reading.
        res.writeHead(200)
        for (let i = 0; i < 20; i++) res.write(big.subarray(i * 10_000, (i + 1) * 10_000))
        res.end(big.subarray(200_000))
      } else if (req.url === '/cut') {
        res.writeHead(200, {'content-length': String(big.length)})
        res.write(big.subarray(0, 1000), () => res.destroy())
      } else {
        res.writeHead(200, {'content-length': String(big.length)})
        res.end(big)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('nodeRequest / readBody', () => {
  it('reads a whole answer, plain, chunked or gzip-compressed (and asks for compression)', async () => {
    for (const p of ['/plain', '/chunked', '/gzip']) {
      const body = await readBody(await nodeRequest(`${base}${p}`, {method: 'GET'}))
      expect(body.equals(big), p).toBe(true)
    }
    expect(seen.at(-1)?.encoding).toContain('gzip')
  })

  it('sends a body with its method', async () => {
    const res = await nodeRequest(`${base}/plain`, {method: 'PATCH', body: '{"a":"é"}', headers: {'content-type': 'application/json'}})
    await readBody(res)
    expect(seen.at(-1)).toMatchObject({method: 'PATCH', body: '{"a":"é"}'})
  })

  it('stops at the cap, from the declared length, while reading, and after decompressing', async () => {
    for (const p of ['/plain', '/chunked', '/gzip']) {
      await expect(readBody(await nodeRequest(`${base}${p}`, {method: 'GET'}), 100_000), p).rejects.toBeInstanceOf(BodyTooLarge)
    }
    // Under the cap the same answers are read whole.
    expect((await readBody(await nodeRequest(`${base}/gzip`, {method: 'GET'}), big.length)).length).toBe(big.length)
  })

  it('fails on an answer cut short (never returns a truncated body)', async () => {
    await expect(readBody(await nodeRequest(`${base}/cut`, {method: 'GET'}))).rejects.toThrow(/^aborted$|closed before the whole answer arrived/)
  })

  it('honours an abort signal', async () => {
    const c = new AbortController()
    c.abort()
    await expect(nodeRequest(`${base}/plain`, {method: 'GET', signal: c.signal})).rejects.toMatchObject({name: 'AbortError'})
  })
})
