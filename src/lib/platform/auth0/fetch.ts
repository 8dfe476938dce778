/**
 * The fetch the Auth0 SDK is given. It (1) routes a sandbox domain to the loopback sandbox
 * (https://<domain>/… → <sandbox>/auth0/<domain>/…), (2) keeps within the tenant's rate
 * limit: it waits for `x-ratelimit-reset` when the budget is spent and on a 429 (the SDK's own
 * retry ignores that header, so it is disabled), (3) bounds concurrency and (4) counts requests.
 */
import {sleep} from '../../time/sleep.js'

export interface Auth0FetchOptions {
  /** Sandbox base URL (http://127.0.0.1:PORT); absent in the cloud. */
  sandboxUrl?: string
  /** Requests in flight at once. */
  concurrency?: number
  /** 429 retries per request before giving up. */
  maxRetries?: number
  signal?: AbortSignal
  /** Longest single wait for a rate-limit reset (ms). */
  maxWaitMs?: number
  onWait?: (ms: number, reason: string) => void
  now?: () => number
}

export interface Auth0FetchStats {
  requests: number
  throttled: number
  waitedMs: number
}

export type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

export function sandboxUrlFor(url: string, sandboxUrl: string): string {
  const u = new URL(url)
  return `${sandboxUrl.replace(/\/$/, '')}/auth0/${u.host}${u.pathname}${u.search}`
}

export function createAuth0Fetch(options: Auth0FetchOptions = {}, base: FetchFn = fetch): {fetch: FetchFn; stats: Auth0FetchStats} {
  const stats: Auth0FetchStats = {requests: 0, throttled: 0, waitedMs: 0}
  const now = options.now ?? Date.now
  const limit = Math.max(1, options.concurrency ?? 6)
  const maxRetries = options.maxRetries ?? 8
  const maxWait = options.maxWaitMs ?? 60_000
  let active = 0
  const queue: (() => void)[] = []
  /** Budget as last reported by the tenant. */
  let remaining = Number.POSITIVE_INFINITY
  let resetAt = 0
  /** The window's budget (x-ratelimit-limit), once known: a new window starts with it. */
  let windowLimit = Number.POSITIVE_INFINITY

  const acquire = async () => {
    if (active >= limit) await new Promise<void>((resolve) => queue.push(resolve))
    active++
  }
  const release = () => {
    active--
    queue.shift()?.()
  }
  const waitForBudget = async () => {
    while (remaining <= 0 && now() < resetAt) {
      const ms = Math.min(maxWait, resetAt - now() + 5)
      stats.waitedMs += ms
      options.onWait?.(ms, 'rate limit budget spent')
      await sleep(ms, options.signal)
      if (now() >= resetAt) remaining = windowLimit
    }
  }
  const note = (res: Response) => {
    const lim = Number(res.headers.get('x-ratelimit-limit') ?? Number.NaN)
    if (Number.isFinite(lim) && lim > 0) windowLimit = lim
    const rem = res.headers.get('x-ratelimit-remaining')
    const reset = res.headers.get('x-ratelimit-reset')
    if (rem !== null && reset !== null && Number.isFinite(Number(rem)) && Number.isFinite(Number(reset))) {
      const r = Number(reset) * 1000
      if (r > resetAt) {
        resetAt = r
        // Requests still in flight may already be counted in this new window: assume they are.
        remaining = Number(rem) - Math.max(0, active - 1)
      } else if (r === resetAt) {
        remaining = Math.min(remaining, Number(rem))
      }
    }
  }

  const wrapped: FetchFn = async (input, init) => {
    const original = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const target = options.sandboxUrl ? sandboxUrlFor(original, options.sandboxUrl) : original
    await acquire()
    try {
      for (let attempt = 0; ; attempt++) {
        await waitForBudget()
        // A reserved slot: one request spends one unit of the known budget.
        if (Number.isFinite(remaining)) remaining--
        stats.requests++
        const res = await base(target, init)
        note(res)
        if (res.status !== 429 || attempt >= maxRetries) return res
        stats.throttled++
        const reset = Number(res.headers.get('x-ratelimit-reset'))
        const retryAfter = Number(res.headers.get('retry-after'))
        const ms = Number.isFinite(reset) && reset > 0 ? Math.max(50, reset * 1000 - now() + 5) : Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 250 * 2 ** attempt
        const wait = Math.min(maxWait, ms)
        stats.waitedMs += wait
        options.onWait?.(wait, '429 Too Many Requests')
        await res.body?.cancel().catch(() => undefined)
        remaining = 0
        resetAt = Math.max(resetAt, now() + wait)
        await sleep(wait, options.signal)
        if (now() >= resetAt) remaining = windowLimit
      }
    } finally {
      release()
    }
  }
  return {fetch: wrapped, stats}
}
