#!/usr/bin/env node
// Entry point: the only place (with src/lib/ui/process.ts) allowed to decide how the process ends.
// It runs the bundled CLI (dist/bundle/, built by `npm run build`; docs/perf/startup.md):
// dist/bundle/cli.cjs holds @oclif/core and the CLI's main, compiled with a V8 code cache.
// An unknown command is reported by src/hooks/command-not-found.ts (exit 2, with "Did you mean").
import v8 from 'node:v8'
import {fileURLToPath} from 'node:url'

// sshd runs `access authorized-keys USER` at every login: a fresh cached answer is printed
// before oclif is even loaded (src/lib/access/fast-path.ts); otherwise the full command runs.
const fastLines =
  process.argv[2] === 'access' && process.argv[3] === 'authorized-keys'
    ? await import('../dist/bundle/lib/access/fast-path.js').then(
        (m) => m.fastAuthorizedKeys(process.argv.slice(4)),
        () => undefined, // not built: the full path below says so
      )
    : undefined

if (fastLines) {
  if (fastLines.length > 0) process.stdout.write(fastLines.join('\n') + '\n')
} else {
  // The young generation grows to its usual maximum in one step rather than doubling from 1 MB:
  // loading the SDK and its code cache otherwise costs 7 scavenges and a full mark-compact on an
  // unchanged `deploy --all`, 2 scavenges with this (docs/perf/startup.md). Same maximum, same heap limit.
  v8.setFlagsFromString('--semi-space-growth-factor=16')
  // @oclif/core checks its own engines field at load (with semver); package.json's engines says Node >= 20.
  process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'
  let requireCached
  try {
    ;({requireCached} = await import('../dist/bundle/code-cache.js'))
  } catch {
    process.stderr.write('impress is not built: dist/bundle/ is missing.\nHint: Run `npm run build` (npm ci runs it).\n')
    process.exit(1)
  }
  const cli = requireCached(fileURLToPath(new URL('../dist/bundle/cli.cjs', import.meta.url)))
  await cli.exports.main(process.argv.slice(2), import.meta.url)
  // The build's warm-up run (--help) writes the cache; a run that finds none or a rejected one (another Node) rewrites it.
  cli.save(process.env.IMPRESS_CODE_CACHE === 'write')
}
