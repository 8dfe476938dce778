/**
 * Peak memory of a long backup or restore. What they hold is bounded (a page or two of parsed
 * JSON, a 256 KB line buffer, the gzip stream), but V8 sizes its heap by allocation rate: a
 * backup allocates its whole size in short-lived strings and objects, and the heap limit (and
 * so RSS) drifts up with the size of the database. A full collection brings the heap back to
 * what is live. It costs tens of milliseconds, so it runs only when the heap in use is above a
 * budget (checked every few hundred lines), not after every chunk: most of the time V8's own
 * collections keep it below (measured: 1 GB of RTDB data stays under 300 MB RSS).
 */
import v8 from 'node:v8'
import vm from 'node:vm'

let gc: (() => void) | undefined | null

/** Run a full garbage collection when the runtime allows it (no-op otherwise). */
export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc')
      gc = vm.runInNewContext('gc') as () => void
    } catch {
      gc = null
    }
  }
  gc?.()
}

/**
 * JS heap in use above which a full collection runs. The heap, not the resident set, is
 * measured: after a collection V8 keeps pages it may reuse, so RSS would stay high and ask for
 * a collection at every check. Code, buffers, the digest worker and the rest add ~150 MB to
 * the heap in RSS.
 */
export const HEAP_BUDGET_BYTES = 96 * 1024 * 1024

/** A check to call often (per line): every `every` calls, collect when the heap in use is above `budget`. */
export function memoryGuard(budget = HEAP_BUDGET_BYTES, every = 4096): () => void {
  let n = 0
  return () => {
    if (++n < every) return
    n = 0
    if (process.memoryUsage().heapUsed > budget) collectGarbage()
  }
}
