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
