/**
 * Typed errors and the one place where an error becomes an exit code.
 *
 * Every error the tool raises on purpose is an ImpressError: it carries a stable code,
 * a one-line message (what went wrong), a one-line hint (what to do) and an exit code.
 * Anything else that reaches the top is a bug, reported as such.
 */

export const ExitCode = {
  Ok: 0,
  Failed: 1,
  Usage: 2,
  Violations: 3,
  Refused: 4,
  Interrupted: 130,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

export interface ImpressErrorOptions {
  hint?: string
  cause?: unknown
  /** Extra structured data for --json output (never secrets). */
  details?: Record<string, unknown>
}

export class ImpressError extends Error {
  readonly code: string
  readonly exitCode: ExitCode
  readonly hint: string
  readonly details?: Record<string, unknown>

  constructor(code: string, exitCode: ExitCode, message: string, options: ImpressErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = new.target.name
    this.code = code
    this.exitCode = exitCode
    this.hint = options.hint ?? 'Run the command with --help to see how it is used.'
    this.details = options.details
  }
}

/** Bad flags, arguments or input data (a nonexistent backup, module or target included). */
export class UsageError extends ImpressError {
  constructor(message: string, options: ImpressErrorOptions & {code?: string} = {}) {
    super(options.code ?? 'E_USAGE', ExitCode.Usage, message, options)
  }
}

/** The configuration file is missing, unreadable or invalid. */
export class ConfigError extends ImpressError {
  constructor(message: string, options: ImpressErrorOptions & {code?: string} = {}) {
    super(options.code ?? 'E_CONFIG', ExitCode.Usage, message, {hint: 'Fix the configuration file, then run the command again.', ...options})
  }
}

/** The operation was attempted and failed. */
export class OperationError extends ImpressError {
  constructor(message: string, options: ImpressErrorOptions & {code?: string} = {}) {
    super(options.code ?? 'E_FAILED', ExitCode.Failed, message, options)
  }
}

/** A check ran and found violations (compliance findings, missed drill targets, drift). */
export class ViolationError extends ImpressError {
  constructor(message: string, options: ImpressErrorOptions & {code?: string} = {}) {
    super(options.code ?? 'E_VIOLATIONS', ExitCode.Violations, message, options)
  }
}

/** The tool refused to act: confirmation missing, a lock is held, a safety rule. */
export class RefusedError extends ImpressError {
  constructor(message: string, options: ImpressErrorOptions & {code?: string} = {}) {
    super(options.code ?? 'E_REFUSED', ExitCode.Refused, message, options)
  }
}

/** The user interrupted the command (Ctrl-C, SIGTERM). */
export class InterruptedError extends ImpressError {
  constructor(message = 'Interrupted.', options: ImpressErrorOptions = {}) {
    super('E_INTERRUPTED', ExitCode.Interrupted, message, {
      hint: 'Run the command again; long operations resume from their journal.',
      ...options,
    })
  }
}

/** Something that should never happen: a bug in impress. */
export class BugError extends ImpressError {
  constructor(message: string, options: ImpressErrorOptions = {}) {
    super('E_BUG', ExitCode.Failed, message, {
      hint: 'This is a bug in impress: re-run with --verbose and report the output.',
      ...options,
    })
  }
}

interface OclifLikeError {
  oclif?: {exit?: number}
  code?: string
  message: string
}

/** Map anything thrown to an ImpressError. The only place that decides exit codes. */
export function toImpressError(error: unknown): ImpressError {
  if (error instanceof ImpressError) return error
  const e = error as OclifLikeError
  if (e && typeof e === 'object' && typeof e.message === 'string') {
    // oclif's parser errors (unknown flag, missing argument, bad option value).
    const parserCodes = new Set(['EEXIT'])
    const isParse =
      /Nonexistent flag|Unexpected argument|Missing required|Expected .* to be one of|Missing \d+ required arg|flag.*expects|Parsing --|is not a valid|must also be provided|cannot also be provided|exclusive/i.test(
        e.message,
      ) || (e.oclif?.exit === 2 && !parserCodes.has(e.code ?? ''))
    if (isParse) {
      return new UsageError(parseMessage(e.message), {hint: 'See the command\'s --help for its flags and arguments.', cause: error})
    }
    if (e.code === 'ERR_USE_AFTER_CLOSE' || (error as Error).name === 'ExitPromptError' || (error as Error).name === 'AbortPromptError') {
      return new InterruptedError('Interrupted at a prompt.', {cause: error})
    }
    if ((error as Error).name === 'AbortError') {
      return new InterruptedError('Interrupted.', {cause: error})
    }
  }
  const message = error instanceof Error ? firstLine(error.message) : String(error)
  return new BugError(`Unexpected error: ${message}`, {cause: error})
}

/**
 * The whole of an oclif parse error (which argument is missing, which flag, what was expected):
 * colour stripped, blank lines and oclif's own "See more help with --help" dropped (our hint says
 * it), continuation lines indented under the first.
 */
export function parseMessage(text: string): string {
  const lines = stripAnsi(text)
    .split('\n')
    .map((l) => l.replace(/\t/g, '  ').trimEnd())
    .filter((l) => l.trim().length > 0 && !/^See more help with --help$/.test(l.trim()))
  if (lines.length === 0) return ''
  const [head, ...rest] = lines
  return [head.trim(), ...rest.map((l) => `  ${l.trim()}`)].join('\n')
}

// eslint-disable-next-line no-control-regex
const stripAnsi = (text: string): string => text.replace(/\u001B\[[0-9;]*m/g, '')

export function firstLine(text: string): string {
  const line = text.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? ''
  // oclif prefixes some messages with ANSI colour; strip it.
  // eslint-disable-next-line no-control-regex
  return line.replace(/\u001B\[[0-9;]*m/g, '')
}

/** The cause chain, for --verbose. */
export function causeChain(error: unknown): string[] {
  const chain: string[] = []
  let current: unknown = (error as Error)?.cause
  let depth = 0
  while (current !== undefined && current !== null && depth < 10) {
    if (current instanceof Error) {
      chain.push(`${current.name}: ${current.message.split('\n')[0]}`)
      current = current.cause
    } else {
      chain.push(String(current))
      current = undefined
    }
    depth++
  }
  return chain
}
