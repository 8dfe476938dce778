/**
 * Runs a module's build command (a shell command, in the configuration's directory) with
 * execa, streaming its output line by line; a failure reports the last lines.
 */
import {OperationError} from '../errors.js'

export interface BuildResult {
  durationMs: number
}

export async function runBuild(command: string, options: {cwd: string; onLine?: (line: string) => void; signal?: AbortSignal; env?: Record<string, string>}): Promise<BuildResult> {
  const {execa} = await import('execa')
  const started = Date.now()
  const tail: string[] = []
  const child = execa(command, {shell: true, cwd: options.cwd, all: true, reject: false, cancelSignal: options.signal, env: options.env, stdin: 'ignore'})
  let buffer = ''
  child.all?.on('data', (c: Buffer) => {
    buffer += c.toString('utf8')
    const lines = buffer.split('\n')
    buffer = lines.pop() ?? ''
    for (const l of lines) {
      tail.push(l)
      if (tail.length > 10) tail.shift()
      options.onLine?.(l)
    }
  })
  const r = await child
  if (buffer) {
    tail.push(buffer)
    options.onLine?.(buffer)
  }
  if (r.exitCode !== 0 || r.failed) {
    const last = tail.filter((l) => l.trim()).slice(-5)
    throw new OperationError(`build failed (${r.isCanceled ? 'interrupted' : `exit ${r.exitCode ?? r.signal}`}): ${command}`, {
      code: 'E_BUILD',
      hint: last.length > 0 ? `Last lines: ${last.join(' | ')}` : 'The build printed nothing; run it by hand to see why.',
      details: {lastLines: last},
    })
  }
  return {durationMs: Date.now() - started}
}
