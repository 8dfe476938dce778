/** The one sanctioned way (with bin/run.js) to end the process at once, e.g. on a second Ctrl-C. */
export function exitNow(code: number): never {
  process.exit(code)
}
