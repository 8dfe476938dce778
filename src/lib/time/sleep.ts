/**
 * The one abortable wait. An abort of `signal` ends it early: it rejects with what `abortWith`
 * returns (default: the signal's reason), or resolves when `abortWith` is null (the caller
 * checks the signal itself afterwards).
 */
export function sleep(ms: number, signal?: AbortSignal, abortWith: ((signal: AbortSignal) => unknown) | null = (s) => s.reason): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const end = (s: AbortSignal) => (abortWith === null ? resolve() : reject(abortWith(s)))
    if (signal?.aborted) return end(signal)
    const onAbort = () => {
      clearTimeout(t)
      end(signal!)
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, {once: true})
  })
}
