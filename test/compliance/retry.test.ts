import {describe, expect, it} from 'vitest'
import {rateLimitWait, withRateLimitRetry} from '../../src/lib/platform/github/retry.js'
import {keyPolicyViolation} from '../../src/lib/compliance/keys.js'

describe('GitHub rate-limit handling', () => {
  it('reads retry-after, x-ratelimit-reset and the secondary-limit message; other 403s are not retried', () => {
    expect(rateLimitWait({status: 429, response: {headers: {'retry-after': '3'}}})).toBe(3000)
    expect(rateLimitWait({status: 403, response: {headers: {'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '110'}}}, 100_000)).toBe(10_000)
    expect(rateLimitWait({status: 403, message: 'You have exceeded a secondary rate limit'})).toBe(60_000)
    expect(rateLimitWait({status: 403, message: 'Must be an organization owner'})).toBeUndefined()
    expect(rateLimitWait({status: 500})).toBeUndefined()
  })

  it('retries with scaled waits, then gives up after maxRetries', async () => {
    const waits: number[] = []
    let calls = 0
    const limited = Object.assign(new Error('limited'), {status: 429, response: {headers: {'retry-after': '2'}}})
    const ok = await withRateLimitRetry({maxRetries: 3, timeScale: 0.5, sleep: async (ms) => void waits.push(ms)}, async () => {
      if (++calls < 3) throw limited
      return 'done'
    })
    expect([ok, calls, waits]).toEqual(['done', 3, [1000, 1000]])
    calls = 0
    await expect(withRateLimitRetry({maxRetries: 1, timeScale: 0, sleep: async () => {}}, async () => {
      calls++
      throw limited
    })).rejects.toThrow('limited')
    expect(calls).toBe(2)
  })
})

describe('SSH key policy', () => {
  it('type and size, configurable', () => {
    const rsa3072 = {types: {rsa: 3072}, perDeveloper: 1}
    expect(keyPolicyViolation({type: 'rsa', bits: 3072}, rsa3072)).toBeUndefined()
    expect(keyPolicyViolation({type: 'rsa', bits: 2048}, rsa3072)).toMatch(/below the minimum of 3072/)
    expect(keyPolicyViolation({type: 'ed25519', bits: 256}, rsa3072)).toMatch(/not allowed/)
    expect(keyPolicyViolation({type: 'ed25519', bits: 256}, {types: {rsa: 4096, ed25519: 256}, perDeveloper: 1})).toBeUndefined()
  })
})
