#!/usr/bin/env node
// Entry point: the only place (with src/lib/ui/process.ts) allowed to decide how the process ends.

// sshd runs `access authorized-keys USER` at every login: a fresh cached answer is printed
// before oclif is even loaded (src/lib/access/fast-path.ts); otherwise the full command runs.
const fastLines =
  process.argv[2] === 'access' && process.argv[3] === 'authorized-keys'
    ? (await import('../dist/lib/access/fast-path.js')).fastAuthorizedKeys(process.argv.slice(4))
    : undefined

if (fastLines) {
  if (fastLines.length > 0) process.stdout.write(fastLines.join('\n') + '\n')
} else {
  const {flush, handle, run} = await import('@oclif/core')
  try {
    await run(process.argv.slice(2), import.meta.url)
    await flush()
  } catch (error) {
    if (error?.oclif?.exit === 127) {
      // Unknown command (reported by plugin-not-found): bad usage, exit 2 like every usage error.
      // eslint-disable-next-line no-control-regex
      const hint = String(error.message).replace(/\u001B\[[0-9;]*m/g, '')
      process.stderr.write(`Hint: ${hint}\n`)
      process.exitCode = 2
    } else {
      await handle(error)
    }
  }
}
