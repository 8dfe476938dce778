/** Run the real CLI (bin/run.js) as a child process, the way a user or CI job does. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {execa} from 'execa'
import {stopSandboxesUnder} from './sandbox-procs.js'

export const BIN = path.resolve(import.meta.dirname, '../../bin/run.js')

export interface CliResult {
  stdout: string
  stderr: string
  exitCode: number
}

export interface CliOptions {
  env?: Record<string, string | undefined>
  cwd?: string
  input?: string
  timeout?: number
}

/** A fresh, isolated IMPRESS_HOME and working directory for one test. */
export function tempHome(prefix = 'impress-test-'): {home: string; cwd: string; cleanup: () => void} {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  const home = path.join(root, 'home')
  const cwd = path.join(root, 'work')
  fs.mkdirSync(home, {recursive: true})
  fs.mkdirSync(cwd, {recursive: true})
  return {
    home,
    cwd,
    // A CLI run under this home may have started a sandbox on demand: stop it before its state goes.
    cleanup: () => {
      stopSandboxesUnder(root)
      fs.rmSync(root, {recursive: true, force: true})
    },
  }
}

export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const r = await execa(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? os.tmpdir(),
    env: {CI: 'true', NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env},
    extendEnv: true,
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : undefined,
    reject: false,
    timeout: options.timeout ?? 60_000,
    stripFinalNewline: false,
  })
  return {stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode ?? -1}
}

/** No stack trace: no "    at file:line" frames. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+:\d+:\d+\)?$/m.test(text)
}
