/** Verification commands, run through a shell with execa; output kept for the report. */
import type {CommandRunner} from '../ports.js'

export function shellRunner(cwd: string): CommandRunner {
  return {
    async run(command, env, signal) {
      const {execa} = await import('execa')
      const r = await execa(command, {shell: true, cwd, env: {...process.env, ...env}, cancelSignal: signal, all: true, reject: false, timeout: 30 * 60_000})
      return {exitCode: r.exitCode ?? (r.isCanceled ? 130 : 1), output: String(r.all ?? '')}
    },
  }
}
