#!/usr/bin/env node
// Entry point: the only place (with src/lib/ui/process.ts) allowed to decide how the process ends.
// An unknown command is reported by src/hooks/command-not-found.ts (exit 2, with "Did you mean").

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
    await handle(error)
  }
}
