/**
 * $key page answers (answer.ts): serialised while counting exact bytes, too_big decided by that
 * count, fresh after writes, and the path for answers longer than the buffer (measured, then streamed).
 */
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {AnswerTooBig, answerPage} from '../../src/lib/sandbox/services/rtdb/answer.js'
import {jsonSize, normalize, sortedKeys, type RtdbValue} from '../../src/lib/sandbox/services/rtdb/tree.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

let sb: TestSandbox
const scratch = (p: string, q = '') => `${sb.url}${p}.json?ns=impress-sandbox-scratch&access_token=owner${q}`
const page = (extra: string) => scratch('/wide', `&orderBy=${encodeURIComponent('"$key"')}${extra}`)
const setLimit = (n: number) => fetch(scratch('/.settings/sandbox'), {method: 'PUT', body: JSON.stringify({maxResponseBytes: n})})

beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.0005})
  const wide: Record<string, unknown> = {}
  for (let i = 0; i < 3000; i++) wide[`k${String(i).padStart(5, '0')}`] = {a: 'v'.repeat(200), n: i, s: i % 2 === 0}
  expect((await fetch(scratch('/wide', '&print=silent'), {method: 'PUT', body: JSON.stringify(wide)})).status).toBe(204)
})
afterAll(async () => sb.stop())

describe('RTDB $key page answers', () => {
  it('answers too_big exactly when the page JSON is longer than the limit', async () => {
    const r = await fetch(page('&limitToFirst=1000'))
    const text = await r.text()
    expect(r.status).toBe(200)
    const bytes = Buffer.byteLength(text)
    expect(Number(r.headers.get('content-length'))).toBe(bytes)
    expect(Object.keys(JSON.parse(text) as object)).toHaveLength(1000)
    try {
      await setLimit(bytes)
      const at = await fetch(page('&limitToFirst=1000'))
      expect(at.status).toBe(200)
      expect(await at.text()).toBe(text)
      await setLimit(bytes - 1)
      const over = await fetch(page('&limitToFirst=1000'))
      expect(over.status).toBe(400)
      expect(((await over.json()) as {error: string}).error).toMatch(/exceeds the maximum size/)
      // The plain GET of the same children (measured by the size walk) agrees on the limit.
      await setLimit(bytes)
      expect((await fetch(scratch('/wide'))).status).toBe(400) // 3000 children: bigger
    } finally {
      await setLimit(256 * 1024 * 1024)
    }
  })

  it('serves a page fresh after a write under the wide node', async () => {
    const before = (await (await fetch(page(`&startAt=${encodeURIComponent('"k00010"')}&limitToFirst=2`))).json()) as Record<string, {n: number}>
    expect(Object.keys(before)).toEqual(['k00010', 'k00011'])
    await fetch(scratch('/wide/k00010/n'), {method: 'PUT', body: '-5'})
    await fetch(scratch('/wide/k000105'), {method: 'PUT', body: '"new"'})
    const after = (await (await fetch(page(`&startAt=${encodeURIComponent('"k00010"')}&limitToFirst=3`))).json()) as Record<string, RtdbValue>
    expect(Object.keys(after).sort()).toEqual(['k00010', 'k000105', 'k00011'])
    expect((after.k00010 as {n: number}).n).toBe(-5)
    expect(after.k000105).toBe('new')
    await fetch(scratch('/wide/k000105'), {method: 'DELETE'})
    // An empty selection is null.
    expect(await (await fetch(page(`&startAt=${encodeURIComponent('"zzz"')}&limitToFirst=3`))).json()).toBeNull()
  })

  it('counts non-ASCII keys and values in UTF-8 bytes', async () => {
    await fetch(scratch('/utf'), {method: 'PUT', body: JSON.stringify({'ключ': 'значение ✓', b: 'x"y\\z', c: 'plain'})})
    const r = await fetch(scratch('/utf', `&orderBy=${encodeURIComponent('"$key"')}&limitToFirst=3`))
    const text = await r.text()
    expect(JSON.parse(text)).toEqual({'ключ': 'значение ✓', b: 'x"y\\z', c: 'plain'})
    expect(Number(r.headers.get('content-length'))).toBe(Buffer.byteLength(text))
    await fetch(scratch('/utf'), {method: 'DELETE'})
  })
})

describe('answerPage beyond its buffer', () => {
  // A node of 400 children of ~1 KB, one of them a big child (~300 KB) measured by the size walk.
  const node = normalize(
    Object.fromEntries(Array.from({length: 400}, (_, i) => [`c${String(i).padStart(3, '0')}`, i === 200 ? {big: 'b'.repeat(300_000), n: 1} : {a: 'é'.repeat(500), n: i}])),
  ) as {[key: string]: RtdbValue}
  const keys = sortedKeys(node)
  const exact = Buffer.byteLength(JSON.stringify(Object.fromEntries(keys.map((k) => [k, node[k]]))))
  let server: http.Server
  let base: string
  beforeAll(async () => {
    jsonSize(node, Number.MAX_SAFE_INTEGER) // the big child's size is known, as after a plain GET
    server = http.createServer((req, res) => {
      const limit = Number(new URL(req.url!, 'http://x').searchParams.get('limit'))
      answerPage(res, node, keys, limit, {bufferBytes: 64 * 1024, groupBytes: 16 * 1024}).catch((error: unknown) => {
        res.writeHead(error instanceof AnswerTooBig ? 400 : 500)
        res.end(error instanceof AnswerTooBig ? 'too_big' : String(error))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  })
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())))

  it('measures the rest, streams the whole answer, and is exact at the limit', async () => {
    const ok = await fetch(`${base}?limit=${exact}`)
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-length')).toBeNull() // longer than the buffer: chunked
    const text = await ok.text()
    expect(Buffer.byteLength(text)).toBe(exact)
    expect(JSON.parse(text)).toEqual(node)
    const over = await fetch(`${base}?limit=${exact - 1}`)
    expect(over.status).toBe(400)
    // Within the buffer the count decides alone.
    const small = await fetch(`${base}?limit=1000`)
    expect(small.status).toBe(400)
  })
})
