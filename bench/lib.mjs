// Shared by the bench scripts: run a child process asynchronously (the sandbox runs in the
// bench's own process and must keep answering) and collect its output.
import {spawn} from 'node:child_process'

/** Resolves with {code, out, err}; rejects only when the process cannot start. */
export function runProcess(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, {...options, stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    let err = ''
    p.stdout.on('data', (d) => (out += d))
    p.stderr.on('data', (d) => (err += d))
    p.on('error', reject)
    p.on('close', (code) => resolve({code, out, err}))
  })
}

/** Start the sandbox server (dist) in its own process, as the CLI does; resolves with {url, child} once it is ready. */
export async function startSandboxProcess(stateDir, timeScale) {
  const main = new URL('../dist/lib/sandbox/main.js', import.meta.url).pathname
  const child = spawn(process.execPath, [main, '--state', stateDir, '--port', '0', '--time-scale', String(timeScale)], {stdio: ['ignore', 'pipe', 'inherit']})
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (b) => {
      const m = /ready at (http:\/\/[^\s]+)/.exec(String(b))
      if (m) resolve(m[1])
    })
    child.on('exit', () => reject(new Error('sandbox exited')))
  })
  return {url, child}
}
