/** The Realtime Database REST emulation, spoken to over HTTP as the public reference describes. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const body = async (r: Response | Promise<Response>): Promise<any> => (await r).json()

let sb: TestSandbox
const url = (p: string, q = '') => `${sb.url}${p}.json?ns=impress-sandbox&access_token=owner${q}`
const scratch = (p: string, q = '') => `${sb.url}${p}.json?ns=impress-sandbox-scratch&access_token=owner${q}`

beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.0005})
})
afterAll(async () => sb.stop())

describe('RTDB REST emulation', () => {
  it('seeds IMPRESS-like data with wide nodes and answers shallow reads', async () => {
    const top = await (body(fetch(url('/', '&shallow=true'))))
    expect(top).toEqual({translations: true, texts: true, screenshare: true, presence: true, events: true})
    const langs = await (body(fetch(url('/translations', '&shallow=true'))))
    expect(Object.keys(langs).sort()).toEqual(['de', 'en', 'es', 'fr', 'it', 'pl'])
    const presence = await (body(fetch(url('/presence', '&shallow=true'))))
    expect(Object.keys(presence)).toHaveLength(50_000)
    // shallow on a leaf returns the value itself
    expect(await (body(fetch(url('/translations/en/invoice_0', '&shallow=true'))))).toBe('en:invoice 0')
  })

  it('rejects shallow mixed with query parameters', async () => {
    const r = await fetch(url('/presence', '&shallow=true&orderBy=%22$key%22&limitToFirst=2'))
    expect(r.status).toBe(400)
    expect((await body(r)).error).toMatch(/shallow/)
  })

  it('pages children with orderBy="$key", limitToFirst and startAt in key order', async () => {
    const q = (extra: string) => url('/presence', `&orderBy=${encodeURIComponent('"$key"')}${extra}`)
    const first = await (body(fetch(q('&limitToFirst=3'))))
    expect(Object.keys(first)).toEqual(['u0', 'u1', 'u10'])
    const next = await (body(fetch(q(`&limitToFirst=2&startAt=${encodeURIComponent('"u10"')}`))))
    expect(Object.keys(next)).toEqual(['u10', 'u100'])
    const r = await fetch(url('/presence', '&orderBy=%22online%22&limitToFirst=1'))
    expect(r.status).toBe(400)
    expect((await body(r)).error).toMatch(/indexOn/)
  })

  it('sorts integer keys numerically before strings', async () => {
    await fetch(scratch('/order'), {method: 'PUT', body: JSON.stringify({b: 1, 10: 1, 9: 1, a: 1, '-1': 1})})
    const r = await (body(fetch(scratch('/order', `&orderBy=${encodeURIComponent('"$key"')}&limitToFirst=5`))))
    expect(Object.keys(r).length).toBe(5)
    const page = await (body(fetch(scratch('/order', `&orderBy=${encodeURIComponent('"$key"')}&startAt=${encodeURIComponent('"a"')}&limitToFirst=5`))))
    expect(Object.keys(page).sort()).toEqual(['a', 'b'])
    await fetch(scratch('/order'), {method: 'DELETE'})
  })

  it('requires a token, knows several namespaces and 404s an unknown one', async () => {
    expect((await fetch(`${sb.url}/texts.json?ns=impress-sandbox`)).status).toBe(401)
    const bearer = await fetch(`${sb.url}/translations/de/invoice_0.json?ns=impress-sandbox`, {headers: {authorization: 'Bearer owner'}})
    expect(await body(bearer)).toBe('de:invoice 0')
    expect(await body(fetch(scratch('/')))).toBeNull()
    expect((await fetch(`${sb.url}/.json?ns=nope&access_token=owner`)).status).toBe(404)
  })

  it('answers too_big above the configured response limit', async () => {
    const set = await fetch(url('/.settings/sandbox'), {method: 'PUT', body: JSON.stringify({maxResponseBytes: 100_000})})
    expect((await body(set)).maxResponseBytes).toBe(100_000)
    const r = await fetch(url('/presence'))
    expect(r.status).toBe(400)
    expect((await body(r)).error).toBe('Data requested exceeds the maximum size that can be accessed with a single request.')
    expect((await fetch(url('/translations/en'))).status).toBe(200)
    await fetch(url('/.settings/sandbox'), {method: 'PUT', body: JSON.stringify({maxResponseBytes: 256 * 1024 * 1024})})
  })

  it('writes with PUT, multi-path PATCH, print=silent and DELETE; refuses overlapping paths and 16 MB bodies', async () => {
    // JSON arrays are refused (501), not stored as objects and read back changed (docs/sandbox-coverage.md).
    const arrays = await fetch(scratch('/a/b'), {method: 'PUT', body: JSON.stringify({x: 1, y: [1, 2]})})
    expect(arrays.status).toBe(501)
    expect(JSON.stringify(await arrays.json())).toContain('does not model JSON arrays')
    const put = await fetch(scratch('/a/b'), {method: 'PUT', body: JSON.stringify({x: 1, y: {0: 1, 1: 2}})})
    expect(await body(put)).toEqual({x: 1, y: {0: 1, 1: 2}})
    const silent = await fetch(scratch('/', '&print=silent'), {method: 'PATCH', body: JSON.stringify({'a/b/x': 2, 'c/d': 'e'})})
    expect(silent.status).toBe(204)
    expect(await (body(fetch(scratch('/'))))).toEqual({a: {b: {x: 2, y: {0: 1, 1: 2}}}, c: {d: 'e'}})
    const overlap = await fetch(scratch('/'), {method: 'PATCH', body: JSON.stringify({a: 1, 'a/b': 2})})
    expect(overlap.status).toBe(400)
    const big = await fetch(scratch('/big'), {method: 'PUT', body: JSON.stringify('x'.repeat(16 * 1024 * 1024 + 10))})
    expect(big.status).toBe(413)
    await fetch(scratch('/'), {method: 'DELETE'})
    expect(await (body(fetch(scratch('/'))))).toBeNull()
  })

  it('renders injected faults as RTDB JSON errors', async () => {
    await fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', body: JSON.stringify({service: 'rtdb', operation: 'Get', kind: 'throttle', times: 1, retryAfter: 0})})
    const r = await fetch(url('/texts', '&shallow=true'))
    expect(r.status).toBe(429)
    expect((await body(r)).error).toBeTruthy()
  })
})
