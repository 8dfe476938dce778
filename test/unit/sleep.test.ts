// The one abortable wait (src/lib/time/sleep.ts), in its three abort modes.
import {describe, expect, it} from 'vitest'
import {InterruptedError} from '../../src/lib/errors.js'
import {sleep} from '../../src/lib/time/sleep.js'

describe('sleep', () => {
  it('waits the given time without a signal', async () => {
    const t0 = Date.now()
    await sleep(30)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25)
  })

  it('an abort rejects with the signal’s reason by default, early', async () => {
    const ac = new AbortController()
    const t0 = Date.now()
    const p = sleep(10_000, ac.signal)
    setTimeout(() => ac.abort(new InterruptedError('stop')), 10)
    await expect(p).rejects.toThrow('stop')
    expect(Date.now() - t0).toBeLessThan(5_000)
  })

  it('rejects with what abortWith makes, also when the signal is already aborted', async () => {
    const ac = new AbortController()
    ac.abort()
    await expect(sleep(10_000, ac.signal, () => new InterruptedError())).rejects.toBeInstanceOf(InterruptedError)
  })

  it('resolves early on abort when abortWith is null', async () => {
    const ac = new AbortController()
    const t0 = Date.now()
    const p = sleep(10_000, ac.signal, null)
    setTimeout(() => ac.abort(), 10)
    await expect(p).resolves.toBeUndefined()
    expect(Date.now() - t0).toBeLessThan(5_000)
  })
})
