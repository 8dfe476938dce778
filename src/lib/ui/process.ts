/** The one sanctioned way (with bin/run.js) to end the process at once, e.g. on a second Ctrl-C. */
export function exitNow(code: number): never {
  // eslint-disable-next-line n/no-process-exit, unicorn/no-process-exit
  process.exit(code)
}
