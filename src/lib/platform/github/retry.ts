/**
 * GitHub's rate limits: a secondary rate limit answers 403 or 429 with `retry-after`
 * (seconds), a primary one 403/429 with `x-ratelimit-remaining: 0` and `x-ratelimit-reset`.
 * Wait as told (scaled in the sandbox) and try again, a few times.
 */
export interface RetryPolicy {
  maxRetries: number
  /** Multiplies waits (the sandbox time scale; 1 in the cloud). */
  timeScale: number
  sleep?: (ms: number) => Promise<void>
}

interface HttpErrorLike {
  status?: number
  response?: {headers?: Record<string, string | number | undefined>; data?: unknown}
  message?: string
}

/** Milliseconds to wait before retrying, or undefined when the error is not a rate limit. */
export function rateLimitWait(error: unknown, now = Date.now()): number | undefined {
  const e = error as HttpErrorLike
  if (e?.status !== 403 && e?.status !== 429) return undefined
  const h = e.response?.headers ?? {}
  const retryAfter = h['retry-after']
  if (retryAfter !== undefined && Number.isFinite(Number(retryAfter))) return Number(retryAfter) * 1000
  if (String(h['x-ratelimit-remaining']) === '0' && h['x-ratelimit-reset'] !== undefined) return Math.max(0, Number(h['x-ratelimit-reset']) * 1000 - now)
  const text = `${e.message ?? ''} ${JSON.stringify(e.response?.data ?? '')}`
  if (/secondary rate limit/i.test(text)) return 60_000
  if (e.status === 429) return 1000
  return undefined
}

export async function withRateLimitRetry<T>(policy: RetryPolicy, call: () => Promise<T>): Promise<T> {
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  for (let attempt = 0; ; attempt++) {
    try {
      return await call()
    } catch (error) {
      const wait = rateLimitWait(error)
      if (wait === undefined || attempt >= policy.maxRetries) throw error
      await sleep(Math.round(wait * policy.timeScale))
    }
  }
}
