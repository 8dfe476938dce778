/**
 * The terminal: where every byte the tool prints goes through. stdout carries the result
 * (one JSON document with --json); stderr carries progress, notes and errors. Colour only on
 * a TTY and never with NO_COLOR. Every write is redacted.
 */
import {Chalk, type ChalkInstance} from 'chalk'
import {redactor as defaultRedactor, type Redactor} from '../redact.js'

export interface IoOptions {
  json?: boolean
  verbose?: boolean
  stdout?: NodeJS.WritableStream & {isTTY?: boolean}
  stderr?: NodeJS.WritableStream & {isTTY?: boolean}
  stdin?: NodeJS.ReadableStream & {isTTY?: boolean}
  env?: NodeJS.ProcessEnv
  redactor?: Redactor
}

export function colorEnabled(stream: {isTTY?: boolean}, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true
  if (env.TERM === 'dumb') return false
  return Boolean(stream.isTTY)
}

export class Io {
  readonly json: boolean
  readonly verbose: boolean
  /** Colours for stdout. */
  readonly color: ChalkInstance
  /** Colours for stderr. */
  readonly errColor: ChalkInstance
  private readonly stdout: NodeJS.WritableStream & {isTTY?: boolean}
  private readonly stderr: NodeJS.WritableStream & {isTTY?: boolean}
  private readonly stdin: NodeJS.ReadableStream & {isTTY?: boolean}
  private readonly env: NodeJS.ProcessEnv
  readonly redactor: Redactor

  constructor(options: IoOptions = {}) {
    this.json = Boolean(options.json)
    this.verbose = Boolean(options.verbose)
    this.stdout = options.stdout ?? process.stdout
    this.stderr = options.stderr ?? process.stderr
    this.stdin = options.stdin ?? process.stdin
    this.env = options.env ?? process.env
    this.redactor = options.redactor ?? defaultRedactor
    this.color = new Chalk({level: colorEnabled(this.stdout, this.env) ? 1 : 0})
    this.errColor = new Chalk({level: colorEnabled(this.stderr, this.env) ? 1 : 0})
  }

  /** True when a person can answer a prompt: stdin and stderr are terminals and not CI. */
  get interactive(): boolean {
    const ci = this.env.CI !== undefined && this.env.CI !== '' && this.env.CI !== 'false' && this.env.CI !== '0'
    return Boolean(this.stdin.isTTY) && Boolean(this.stderr.isTTY) && !ci
  }

  get stderrIsTTY(): boolean {
    return Boolean(this.stderr.isTTY)
  }

  get errStream(): NodeJS.WritableStream {
    return this.stderr
  }

  /** Human result output on stdout; silent with --json (the JSON document is the result). */
  out(text = ''): void {
    if (this.json) return
    this.stdout.write(this.redactor.redactText(text) + '\n')
  }

  /**
   * A streamed result line on stdout (also in --json mode, for JSON-lines output such as
   * `impress logs --json`): one write per line, so an interrupt never leaves half a line;
   * waits for the pipe to drain, so memory stays flat however much is printed.
   */
  async line(text: string): Promise<void> {
    if (this.stdout.write(this.redactor.redactText(text) + '\n')) return
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stdout.off('drain', done)
        this.stdout.off('close', done)
        resolve()
      }
      this.stdout.once('drain', done)
      this.stdout.once('close', done)
    })
  }

  get stdoutIsTTY(): boolean {
    return Boolean(this.stdout.isTTY)
  }

  /** The one JSON document of --json mode. */
  writeJson(value: unknown): void {
    this.stdout.write(JSON.stringify(this.redactor.redactValue(value), null, 2) + '\n')
  }

  /** Progress and notes: stderr, so stdout stays clean. */
  info(text: string): void {
    this.stderr.write(this.redactor.redactText(text) + '\n')
  }

  warn(text: string): void {
    this.stderr.write(this.redactor.redactText(`${this.errColor.yellow('Warning:')} ${text}`) + '\n')
  }

  debug(text: string): void {
    if (this.verbose) this.stderr.write(this.redactor.redactText(this.errColor.dim(text)) + '\n')
  }

  /** An error: one line of what went wrong, one line of what to do. */
  error(message: string, hint?: string, chain: string[] = []): void {
    const lines = [`${this.errColor.red('Error:')} ${message}`]
    if (hint) lines.push(`${this.errColor.dim('Hint:')} ${hint}`)
    for (const c of chain) lines.push(this.errColor.dim(`  caused by: ${c}`))
    this.stderr.write(this.redactor.redactText(lines.join('\n')) + '\n')
  }
}
