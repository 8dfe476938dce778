// End-to-end tests run the built CLI (dist/). Fail early with a clear message if it is missing.
//
// The whole run gets its own temporary directory (TMPDIR, and TMUX_TMPDIR for tmux sockets),
// inherited by the test workers and every CLI and sandbox process they start. At the end the
// teardown reports what the tests left there (directories by prefix, sandboxes still running,
// tmux servers), stops leftover sandboxes, and removes the directory: a run leaves nothing in /tmp.
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {stopSandboxesUnder} from './sandbox-procs.js'

export default function setup(): () => void {
  if (!fs.existsSync(new URL('../../dist/commands', import.meta.url)) || !fs.existsSync(new URL('../../oclif.manifest.json', import.meta.url))) {
    throw new Error('dist/ is missing: run `npm run build` (npm ci does it through prepare) before the tests.')
  }
  const previous = {TMPDIR: process.env.TMPDIR, TMUX_TMPDIR: process.env.TMUX_TMPDIR}
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-test-run-'))
  process.env.TMPDIR = runDir
  process.env.TMUX_TMPDIR = runDir
  return () => {
    const leftovers = leftoverReport(runDir)
    for (const [k, v] of Object.entries(previous)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
    fs.rmSync(runDir, {recursive: true, force: true})
    if (leftovers.length > 0) {
      process.stderr.write(`\nTest hygiene: the tests left behind (removed now; fix the tests that leak them):\n${leftovers.map((l) => `  ${l}`).join('\n')}\n`)
      if (process.env.IMPRESS_STRICT_TEST_HYGIENE) throw new Error('The test run left processes or temporary files behind (see above).')
    }
  }
}

/** What the run left: temp entries by name prefix, sandboxes still answering (stopped here), tmux servers. */
export function leftoverReport(runDir: string): string[] {
  const out: string[] = []
  const byPrefix = new Map<string, number>()
  for (const name of fs.readdirSync(runDir)) {
    if (name.startsWith('tmux-')) {
      for (const socket of fs.readdirSync(path.join(runDir, name))) {
        try {
          execFileSync('tmux', ['-S', path.join(runDir, name, socket), 'kill-server'], {stdio: 'ignore'})
          out.push(`tmux server still running: ${path.join(name, socket)}`)
        } catch {
          out.push(`tmux socket file left (no server): ${path.join(name, socket)}`)
        }
      }
      continue
    }
    const prefix = name.replace(/[A-Za-z0-9]{6}$/, '').replace(/[-_]?$/, '-') || name
    byPrefix.set(prefix, (byPrefix.get(prefix) ?? 0) + 1)
  }
  for (const {pid, where} of stopSandboxesUnder(runDir)) out.push(`sandbox process ${pid} still running (${path.relative(runDir, where)})`)
  for (const [prefix, n] of [...byPrefix].sort((a, b) => b[1] - a[1])) out.push(`${n} × ${prefix}* in the temporary directory`)
  return out
}

