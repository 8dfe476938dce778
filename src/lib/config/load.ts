/**
 * Find, parse and validate impress.config.yaml, and select one environment.
 * With no file anywhere up the tree, the built-in sandbox environment is used.
 */
import fs from 'node:fs'
import path from 'node:path'
import ms from 'ms'
import {ConfigError} from '../errors.js'
import {SANDBOX_AUDIT_BUCKET, SANDBOX_AUDIT_KEY} from './constants.js'
import {defaultSandboxStateDir, impressHome, locateConfigFile} from './paths.js'

export {findConfigFile} from './paths.js'
import {configSchema, type EnvironmentConfig, type ImpressConfig} from './schema.js'
import {parseYamlFile} from './yaml-file.js'
import {builtinSandboxConfig, SANDBOX_ENV} from './sandbox-default.js'
import {didYouMean} from '../cli/suggest.js'
import {redactor} from '../redact.js'
import {findLiteralSecrets} from './literal-secrets.js'

export interface ConfigSource {
  kind: 'file' | 'builtin'
  /** Absolute path of the file, for kind 'file'. */
  path?: string
}

export interface LoadedEnvironment {
  name: string
  config: EnvironmentConfig
  source: ConfigSource
  /** Relative paths in the config resolve against this directory. */
  baseDir: string
  /** True when the environment talks to the local sandbox platform. */
  sandbox: boolean
  sandboxStateDir: string
  auditPath: string
  /** Where impress keeps journals, locks, reports and deploy records for this environment. */
  dataDir: string
  /** Every environment name in the file (for hints). */
  available: string[]
  /** Paths of secrets written literally in the file (never their values): warned about, never cached. */
  literalSecrets?: string[]
  /** How the audit log is signed and anchored (resolved from the `audit` section and the sandbox defaults). */
  audit?: AuditSettings
}

export interface AuditSettings {
  /** Secrets Manager secret holding the HMAC key; none: entries are hash-chained but not signed. */
  key?: string
  anchor?: {bucket: string; prefix: string; intervalMs: number; retainDays?: number}
}

/** The `audit` section, with a sandbox environment's defaults (the sandbox seeds that key and bucket). */
export function auditSettings(section: ImpressConfig['audit'], sandbox: boolean): AuditSettings {
  const key = section?.key ?? (sandbox ? SANDBOX_AUDIT_KEY : undefined)
  const a = section?.anchor
  const anchor = a
    ? {bucket: a.bucket, prefix: a.prefix, intervalMs: ms(a.interval as ms.StringValue), ...(a.retainDays ? {retainDays: a.retainDays} : {})}
    : sandbox
      ? {bucket: SANDBOX_AUDIT_BUCKET, prefix: 'audit/', intervalMs: 3_600_000}
      : undefined
  return {...(key ? {key} : {}), ...(anchor ? {anchor} : {})}
}

export interface LoadOptions {
  cwd?: string
  configPath?: string
  envName?: string
  env?: NodeJS.ProcessEnv
}


/** Parse and validate config text. Errors name the file, the line and the path inside it. */
export function parseConfig(text: string, file: string): ImpressConfig {
  return parseYamlFile(text, file, configSchema, {
    error: (message, options) => new ConfigError(message, options),
    schemaHint: 'See schema/impress.config.schema.json for every field, or run `impress init` for a starter file.',
    emptyMessage: {message: 'the file is empty; expected a mapping with "environments".', hint: 'Run `impress init` to write a starter configuration.'},
  }).data
}

/** Load the configuration and select the environment. */
export function loadEnvironment(options: LoadOptions = {}): LoadedEnvironment {
  const env = options.env ?? process.env
  const file = locateConfigFile(options)

  if (!file) {
    const config = builtinSandboxConfig()
    const name = options.envName ?? SANDBOX_ENV
    if (name !== SANDBOX_ENV) {
      throw new ConfigError(`Environment "${name}" is not defined: no impress.config.yaml was found, so only "${SANDBOX_ENV}" exists.`, {
        hint: 'Run `impress init` to write a configuration, or pass --config PATH.',
      })
    }
    return {
      name,
      config: config.environments[SANDBOX_ENV],
      source: {kind: 'builtin'},
      baseDir: path.join(impressHome(env), 'workspace'),
      sandbox: true,
      sandboxStateDir: defaultSandboxStateDir(env),
      auditPath: env.IMPRESS_AUDIT_LOG ? path.resolve(env.IMPRESS_AUDIT_LOG) : path.join(impressHome(env), 'audit.jsonl'),
      dataDir: path.join(impressHome(env), 'data', SANDBOX_ENV),
      available: [SANDBOX_ENV],
      audit: auditSettings(config.audit, true),
    }
  }

  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new ConfigError(`Cannot read config file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, {
      hint: 'Check that the file exists and is readable.',
      cause: error,
    })
  }
  const config = parseConfig(text, file)
  const literal = findLiteralSecrets(config)
  for (const l of literal) redactor.add(l.value)
  const available = Object.keys(config.environments)
  const name = options.envName ?? env.IMPRESS_ENV ?? config.defaultEnvironment ?? (available.length === 1 ? available[0] : undefined)
  if (!name) {
    throw new ConfigError(`${file} defines several environments (${available.join(', ')}) and none was chosen.`, {
      hint: 'Pass --env NAME, or set defaultEnvironment in the file.',
    })
  }
  const selected = config.environments[name]
  if (!selected) {
    throw new ConfigError(`Environment "${name}" is not defined in ${file}.${didYouMean(name, available)}`, {
      hint: `Use one of: ${available.join(', ')}.`,
      details: {available},
    })
  }
  const baseDir = path.dirname(file)
  const sandbox = selected.sandbox !== undefined
  return {
    name,
    config: selected,
    source: {kind: 'file', path: file},
    baseDir,
    sandbox,
    sandboxStateDir: selected.sandbox?.stateDir ? path.resolve(baseDir, selected.sandbox.stateDir) : defaultSandboxStateDir(env),
    auditPath: env.IMPRESS_AUDIT_LOG
      ? path.resolve(env.IMPRESS_AUDIT_LOG)
      : config.audit?.path
        ? path.resolve(baseDir, config.audit.path)
        : path.join(baseDir, '.impress', 'audit.jsonl'),
    dataDir: path.join(baseDir, '.impress', name),
    available,
    audit: auditSettings(config.audit, sandbox),
    ...(literal.length > 0 ? {literalSecrets: literal.map((l) => l.path)} : {}),
  }
}
