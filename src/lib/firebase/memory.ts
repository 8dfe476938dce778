/**
 * Peak memory of a long backup. What the backup holds is bounded (a page or two of parsed
 * JSON, a 256 KB line buffer, the gzip stream), but V8 sizes its heap by allocation rate: a
 * backup allocates its whole size in short-lived strings and objects, and the heap limit (and
 * so RSS) drifts up with the size of the database. A full collection after each chunk brings
 * the heap back to what is live (measured: 1 GB of RTDB data stays under 300 MB RSS).
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
