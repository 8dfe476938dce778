/** Drive a command in a real pseudo-terminal (tmux), the way a person types at it. */
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'

export class TmuxSession {
  private readonly socket: string
  constructor(readonly name: string) {
    this.socket = `impress-test-${process.pid}-${name}`
  }

  static available(): boolean {
    try {
      execFileSync('tmux', ['-V'], {stdio: 'ignore'})
      return true
    } catch {
      return false
    }
  }

  start(command: string, cwd: string): void {
    execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', 'new-session', '-d', '-s', this.name, '-x', '160', '-y', '50', '-c', cwd, command])
  }

  send(...keys: string[]): void {
    execFileSync('tmux', ['-L', this.socket, 'send-keys', '-t', this.name, ...keys])
  }

  /** Type text literally, then Enter. */
  answer(text: string): void {
    if (text) execFileSync('tmux', ['-L', this.socket, 'send-keys', '-t', this.name, '-l', text])
    this.send('Enter')
  }

  capture(): string {
    return execFileSync('tmux', ['-L', this.socket, 'capture-pane', '-p', '-t', this.name, '-S', '-200']).toString()
  }

  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    let screen = ''
    while (Date.now() < deadline) {
      screen = this.capture()
      if (pattern.test(screen)) return screen
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`timed out waiting for ${pattern} on the terminal; screen:\n${screen}`)
  }

  /** Stops the server and removes its socket file (tmux 3.3 leaves it behind after kill-server). */
  kill(): void {
    let socketPath = ''
    try {
      socketPath = execFileSync('tmux', ['-L', this.socket, 'display-message', '-p', '#{socket_path}']).toString().trim()
      execFileSync('tmux', ['-L', this.socket, 'kill-server'], {stdio: 'ignore'})
    } catch {
      // already gone
    }
    if (socketPath) fs.rmSync(socketPath, {force: true})
  }
}
