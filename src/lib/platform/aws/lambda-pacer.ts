/**
 * Client-side pacing of Lambda control-plane calls. AWS allows 15 requests/s per
 * control-plane API per account and region (100/s for GetFunction; Invoke is limited by
 * concurrency instead), shared by every caller: a token bucket per API keeps impress under a
 * configurable budget instead of running into TooManyRequestsException.
 */
export const UNPACED = new Set(['Invoke'])
export const GET_FUNCTION_BUDGET = 50

export class Pacer {
  private readonly buckets = new Map<string, {tokens: number; at: number}>()
  private readonly queues = new Map<string, Promise<void>>()
  /** Total time spent waiting for a token (ms), for diagnostics and benchmarks. */
  waitedMs = 0

  constructor(
    readonly perSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  rateOf(api: string): number {
    return api === 'GetFunction' ? Math.max(this.perSecond, GET_FUNCTION_BUDGET) : this.perSecond
  }

  /** Wait for a token of `api` (calls of one API are served in order). */
  take(api: string): Promise<void> {
    if (UNPACED.has(api)) return Promise.resolve()
    const previous = this.queues.get(api) ?? Promise.resolve()
    const next = previous.then(() => this.acquire(api))
    this.queues.set(api, next)
    return next
  }

  private async acquire(api: string): Promise<void> {
    const rate = this.rateOf(api)
    for (;;) {
      const t = this.now()
      const b = this.buckets.get(api) ?? {tokens: rate, at: t}
      b.tokens = Math.min(rate, b.tokens + ((t - b.at) / 1000) * rate)
      b.at = t
      this.buckets.set(api, b)
      if (b.tokens >= 1) {
        b.tokens -= 1
        return
      }
      const wait = Math.ceil(((1 - b.tokens) / rate) * 1000)
      this.waitedMs += wait
      await this.sleep(wait)
    }
  }
}
