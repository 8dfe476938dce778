/**
 * The one base class every impress command extends. It declares the global flags, loads the
 * environment lazily, builds the context, renders errors (one line + hint, exit code from
 * errors.ts), handles Ctrl-C/SIGTERM, and writes the audit entry of mutating commands.
 */
import {Command, Flags, type Interfaces} from '@oclif/core'
import type {AuditEntry} from '../audit/chain.js'
import {auditActor, auditGate, recordAudit} from '../audit/record.js'
import {literalSecretWarning} from '../config/literal-secrets.js'
import {environmentCacheFile, readCachedEnvironment, writeCachedEnvironment} from '../config/cache.js'
import type {LoadedEnvironment} from '../config/load.js'
import {Context} from '../context.js'
import {BugError, causeChain, ConfigError, ExitCode, ImpressError, InterruptedError, parseMessage, toImpressError, UsageError} from '../errors.js'
import {checkOutputPaths, type OutputKind} from './output-paths.js'
import {unknownFlagHint} from './suggest.js'
import {redactArgv, redactor} from '../redact.js'
import {confirmDestructive} from '../ui/confirm.js'
import {Io} from '../ui/output.js'
import {exitNow} from '../ui/process.js'

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof ImpressCommand)['baseFlags'] & T['flags']>
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/** Flags of commands that change something: spread into a mutating command's `flags`. */
export const mutatingFlags = {
  'dry-run': Flags.boolean({description: 'Show the plan and change nothing.', helpGroup: 'SAFETY'}),
  yes: Flags.boolean({char: 'y', description: 'Confirm destructive steps without asking (required without a terminal).', helpGroup: 'SAFETY'}),
}

export abstract class ImpressCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    env: Flags.string({description: 'Environment from the configuration file to act on.', helpGroup: 'GLOBAL', env: 'IMPRESS_ENV'}),
    config: Flags.string({description: 'Path of impress.config.yaml (default: found by walking up from the working directory).', helpGroup: 'GLOBAL'}),
    verbose: Flags.boolean({description: 'Show more detail, and the cause chain of errors.', helpGroup: 'GLOBAL'}),
    profile: Flags.string({description: 'AWS profile (overrides aws.profile; default: the standard credential chain).', helpGroup: 'GLOBAL'}),
  }

  /** Mutating commands are audited (and take --dry-run/--yes through `mutatingFlags`). */
  static mutating = false
  /**
   * The audit gate (the log's tail against its signed head, one key read) runs while the command
   * reads, instead of before it starts: such a command must await `auditGateReady()` before it
   * changes anything, and before it returns (so it still refuses, exit 4, on a broken log).
   */
  static deferAuditGate = false
  private auditGatePromise?: Promise<void>

  /** Flags that name an output file or directory: checked before run() starts (output-paths.ts). */
  static outputs: Record<string, OutputKind> = {}

  protected flags!: CommandFlags<T>
  protected args!: CommandArgs<T>
  protected io!: Io
  /** Extra fields for this run's audit entry (never secrets: they are redacted anyway). */
  protected auditDetails: Record<string, unknown> = {}
  /** Set once a destructive step was confirmed: the audit log is anchored after this command. */
  private auditDestructive = false
  private readonly started = Date.now()
  private loadedEnv?: LoadedEnvironment
  private cachedEnv?: LoadedEnvironment
  private configCacheFile?: string
  private configLoader?: typeof import('../config/load.js')
  private context?: Context
  private readonly abort = new AbortController()
  private signalCount = 0
  private readonly onSignal = (signal: NodeJS.Signals) => this.handleSignal(signal)


  protected override async init(): Promise<void> {
    // The bundle keeps one AWS SDK code cache per command (scripts/bundle/vendor.mjs).
    ;(globalThis as Record<symbol, unknown>)[Symbol.for('impress-ops.command')] = this.id
    // Before parsing, so a parse error still renders through our catch with the right mode.
    this.io = new Io({json: this.jsonEnabled(), verbose: this.argv.includes('--verbose')})
    await super.init()
    const {flags, args} = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (this.ctor as typeof ImpressCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    })
    this.flags = flags as CommandFlags<T>
    this.args = args as CommandArgs<T>
    this.io = new Io({json: this.jsonEnabled(), verbose: Boolean(this.flags.verbose)})
    const outputs = Object.entries((this.ctor as typeof ImpressCommand).outputs).flatMap(([flag, kind]) => {
      const value = (this.flags as Record<string, unknown>)[flag]
      return typeof value === 'string' ? [{name: `--${flag}`, path: value, kind}] : []
    })
    checkOutputPaths(outputs)
    // The environment is read on first use; an unchanged configuration comes from the cache
    // (config/cache.ts) without loading the YAML parser and the schema; otherwise the loader is
    // imported now and runs when the command first asks (so a command that never does, like
    // `init`, is not stopped by a broken file).
    this.configCacheFile = environmentCacheFile({configPath: this.flags.config as string | undefined, envName: this.flags.env as string | undefined}, this.config.version)
    this.cachedEnv = readCachedEnvironment(this.configCacheFile)
    if (!this.cachedEnv) this.configLoader = await import('../config/load.js')
    process.on('SIGINT', this.onSignal)
    process.on('SIGTERM', this.onSignal)
    // A mutating command does not start on an audit log that does not verify (exit 4; see docs/audit.md).
    if ((this.ctor as typeof ImpressCommand).mutating) {
      const gate = auditGate(this.environment.auditPath, this.ctx.auditPorts())
      if (!(this.ctor as typeof ImpressCommand).deferAuditGate) await gate
      else {
        gate.catch(() => undefined) // seen when the command awaits auditGateReady()
        this.auditGatePromise = gate
      }
    }
  }

  /** Resolves once the audit log may be appended to (a deferred gate passed); rejects with the refusal (exit 4). */
  protected auditGateReady(): Promise<void> {
    return this.auditGatePromise ?? Promise.resolve()
  }

  /** The selected environment (loaded on first use). */
  protected get environment(): LoadedEnvironment {
    if (!this.loadedEnv) {
      if (this.cachedEnv) {
        this.loadedEnv = this.cachedEnv
      } else {
        if (!this.configLoader) throw new BugError('the configuration loader was not imported before the environment was read')
        this.loadedEnv = this.configLoader.loadEnvironment({configPath: this.flags?.config, envName: this.flags?.env})
        for (const p of this.loadedEnv.literalSecrets ?? []) this.io.warn(literalSecretWarning(this.loadedEnv.source.path ?? 'the configuration', p))
        writeCachedEnvironment(this.configCacheFile, this.loadedEnv)
      }
    }
    return this.loadedEnv
  }

  /** The lazy dependency context. */
  protected get ctx(): Context {
    this.context ??= new Context({env: this.environment, io: this.io, signal: this.abort.signal, version: this.config.version, awsProfile: this.flags?.profile, prefetchAwsActor: (this.ctor as typeof ImpressCommand).mutating})
    return this.context
  }

  /** Aborted on the first Ctrl-C or SIGTERM; long operations stop cleanly when it fires. */
  protected get signal(): AbortSignal {
    return this.abort.signal
  }

  /** Show nothing more, ask (or require --yes), or refuse with exit 4. */
  protected async confirm(action: string): Promise<void> {
    await confirmDestructive(this.io, {yes: Boolean((this.flags as Record<string, unknown>).yes), action})
    this.auditDestructive = true
  }

  protected get dryRun(): boolean {
    return Boolean((this.flags as Record<string, unknown>)['dry-run'])
  }

  private handleSignal(signal: NodeJS.Signals): void {
    this.signalCount++
    if (this.signalCount === 1 && (this.ctor as unknown as {handlesInterrupt?: boolean}).handlesInterrupt) {
      this.io.info(`\n${signal === 'SIGINT' ? 'Interrupted' : 'Terminated'}: stopping cleanly (press Ctrl-C again to force).`)
      this.abort.abort(new InterruptedError())
      return
    }
    this.abort.abort(new InterruptedError())
    this.io.error('Interrupted.', 'Run the command again when ready.')
    exitNow(ExitCode.Interrupted)
  }

  /** --json output goes through the redactor like everything else. */
  override logJson(json: unknown): void {
    this.io.writeJson(json)
  }

  protected override async catch(err: Error & {exitCode?: number}): Promise<void> {
    // oclif's exit (this.exit) and help/version exits pass through.
    if ((err as {code?: string}).code === 'EEXIT' || (err as {oclif?: {exit?: number}}).oclif?.exit === 0) throw err
    const e = this.signal.aborted && !(err instanceof ImpressError) ? new InterruptedError('Interrupted.', {cause: err}) : (this.credentialsError(err) ?? this.unknownFlagError(err) ?? toImpressError(err))
    this.failure = e
    process.exitCode = e.exitCode
    const io = this.io ?? new Io({json: this.argv.includes('--json')})
    if (io.json) {
      io.writeJson({error: {code: e.code, message: e.message, hint: e.hint, exitCode: e.exitCode, ...(e.details ? {details: e.details} : {})}})
    }
    const verbose = io.verbose || this.argv.includes('--verbose')
    io.error(e.message, e.hint, verbose ? causeChain(e) : [])
  }

  private failure?: ImpressError

  /** oclif's "Nonexistent flag" with the closest flag this command has ("Did you mean --dry-run?"). */
  private unknownFlagError(err: unknown): ImpressError | undefined {
    const unknown = (err as {flags?: unknown}).flags
    if (!Array.isArray(unknown) || !/Nonexistent flag/.test((err as Error).message)) return undefined
    const ctor = this.ctor as typeof ImpressCommand
    const hint = unknownFlagHint(unknown.map(String), [...Object.keys(ctor.flags ?? {}), ...Object.keys(ctor.baseFlags ?? {}), 'json', 'help'])
    return hint ? new UsageError(parseMessage((err as Error).message), {hint, cause: err}) : undefined
  }

  /** No AWS credentials anywhere in the cause chain: a setup problem (exit 2), said plainly. */
  private credentialsError(err: unknown): ImpressError | undefined {
    for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as Error).cause, depth++) {
      if ((e as Error).name === 'CredentialsProviderError') {
        const profile = this.flags?.profile ?? this.loadedEnv?.config.aws?.profile
        return new ConfigError(`No AWS credentials for environment "${this.loadedEnv?.name ?? '?'}"${profile ? ` (profile ${profile})` : ''}.`, {
          hint: profile ? `Run \`aws sso login --profile ${profile}\` (or configure that profile), or pass --profile NAME.` : 'Set AWS_PROFILE or pass --profile NAME, or run `aws configure`.',
          cause: err,
        })
      }
    }
    return undefined
  }

  /**
   * End with a non-zero exit code but still return the result (a drill that missed its target,
   * a check with findings): --json prints the full result document, humans see the error line.
   */
  protected concludeWith(error: ImpressError): void {
    this.failure = error
    process.exitCode = error.exitCode
    if (!this.io.json) this.io.error(error.message, error.hint)
  }

  protected override async finally(err: Error | undefined): Promise<void> {
    process.off('SIGINT', this.onSignal)
    process.off('SIGTERM', this.onSignal)
    try {
      if ((this.ctor as typeof ImpressCommand).mutating && this.loadedEnv) await this.writeAudit()
    } catch (error) {
      this.io?.warn(`Could not write the audit log: ${(error as Error).message}`)
    } finally {
      this.context?.dispose()
    }
    return super.finally(err)
  }

  private async writeAudit(): Promise<void> {
    const env = this.loadedEnv!
    const e = this.failure
    const result: AuditEntry['result'] = !e
      ? this.dryRun
        ? 'dry-run'
        : 'ok'
      : e.exitCode === ExitCode.Refused
        ? 'refused'
        : e.exitCode === ExitCode.Interrupted
          ? 'interrupted'
          : e.exitCode === ExitCode.Violations
            ? 'violations'
            : 'failed'
    const cloud = await this.context?.awsActor()
    const entry = {
      time: new Date(this.started).toISOString(),
      actor: auditActor(cloud),
      command: this.id?.replace(/:/g, ' ') ?? 'unknown',
      args: redactArgv(this.argv, redactor),
      env: env.name,
      result,
      exitCode: e?.exitCode ?? 0,
      durationMs: Date.now() - this.started,
      ...(e ? {error: redactor.redactText(e.message)} : {}),
      ...(Object.keys(this.auditDetails).length > 0 ? {details: redactor.redactValue(this.auditDetails)} : {}),
    }
    await recordAudit(env.auditPath, entry, this.ctx.auditPorts(), {destructive: this.auditDestructive && !this.dryRun})
  }
}
