/**
 * Find, parse and validate impress.config.yaml, and select one environment.
 * With no file anywhere up the tree, the built-in sandbox environment is used.
 */
import fs from 'node:fs'
import path from 'node:path'
import {LineCounter, parseDocument, isNode} from 'yaml'
import type {z} from 'zod'
import {ConfigError} from '../errors.js'
import {CONFIG_FILE_NAMES, defaultSandboxStateDir, impressHome} from './paths.js'
import {configSchema, type EnvironmentConfig, type ImpressConfig} from './schema.js'
import {builtinSandboxConfig, SANDBOX_ENV} from './sandbox-default.js'

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
}

export interface LoadOptions {
  cwd?: string
  configPath?: string
  envName?: string
  env?: NodeJS.ProcessEnv
}

/** Walk up from `cwd` to the file system root looking for a config file. */
export function findConfigFile(cwd: string): string | undefined {
  let dir = path.resolve(cwd)
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = path.join(dir, name)
      if (fs.existsSync(candidate)) return candidate
    }
    const parent = path.dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/** Parse and validate config text. Errors name the file, the line and the path inside it. */
export function parseConfig(text: string, file: string): ImpressConfig {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true})
  if (doc.errors.length > 0) {
    const err = doc.errors[0]
    const line = err.linePos?.[0]?.line ?? lineCounter.linePos(err.pos[0]).line
    throw new ConfigError(`${file}:${line}: invalid YAML: ${oneLine(err.message)}`, {
      hint: 'Fix the YAML syntax at that line (indentation, quotes, colons).',
      details: {file, line},
    })
  }
  let data: unknown
  try {
    data = doc.toJS({maxAliasCount: 100})
  } catch (error) {
    // e.g. an alias (*name) with no anchor: the yaml library throws a ReferenceError here.
    throw new ConfigError(`${file}: invalid YAML: ${oneLine((error as Error).message)}`, {
      hint: 'Fix the YAML (aliases need a matching &anchor), then run the command again.',
      details: {file},
      cause: error,
    })
  }
  if (data === null || data === undefined) {
    throw new ConfigError(`${file}: the file is empty; expected a mapping with "environments".`, {
      hint: 'Run `impress init` to write a starter configuration.',
      details: {file},
    })
  }
  const parsed = configSchema.safeParse(data)
  if (!parsed.success) {
    const issue = pickIssue(parsed.error.issues)
    const issuePath = issuePathOf(issue)
    const node = doc.getIn(issuePath.length > 0 ? issuePath : [], true)
    const range = isNode(node) ? node.range : undefined
    const line = range ? lineCounter.linePos(range[0]).line : undefined
    const where = issuePath.length > 0 ? issuePath.join('.') : '(top level)'
    const extra = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more)` : ''
    throw new ConfigError(`${file}${line ? `:${line}` : ''}: ${where}: ${describeIssue(issue)}${extra}`, {
      hint: 'See schema/impress.config.schema.json for every field, or run `impress init` for a starter file.',
      details: {file, line, path: where},
    })
  }
  return parsed.data
}

function pickIssue(issues: z.core.$ZodIssue[]): z.core.$ZodIssue {
  return issues[0]
}

function issuePathOf(issue: z.core.$ZodIssue): (string | number)[] {
  const p = issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k))
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) return [...p, issue.keys[0]]
  return p
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key "${issue.keys[0]}" (check its spelling)`
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return `missing; ${issue.message.replace(/^Invalid input: /, '')}`
  return oneLine(issue.message.replace(/^Invalid input: /, ''))
}

function oneLine(s: string): string {
  return s.split('\n')[0].trim()
}

/** Load the configuration and select the environment. */
export function loadEnvironment(options: LoadOptions = {}): LoadedEnvironment {
  const env = options.env ?? process.env
  const cwd = options.cwd ?? process.cwd()
  let file: string | undefined
  if (options.configPath) {
    file = path.resolve(cwd, options.configPath)
    if (!fs.existsSync(file)) {
      throw new ConfigError(`Config file not found: ${file}`, {
        hint: 'Check the --config path, or run `impress init` to write one.',
        details: {file},
      })
    }
  } else if (env.IMPRESS_CONFIG) {
    file = path.resolve(cwd, env.IMPRESS_CONFIG)
  } else {
    file = findConfigFile(cwd)
  }

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
  const available = Object.keys(config.environments)
  const name = options.envName ?? env.IMPRESS_ENV ?? config.defaultEnvironment ?? (available.length === 1 ? available[0] : undefined)
  if (!name) {
    throw new ConfigError(`${file} defines several environments (${available.join(', ')}) and none was chosen.`, {
      hint: 'Pass --env NAME, or set defaultEnvironment in the file.',
    })
  }
  const selected = config.environments[name]
  if (!selected) {
    throw new ConfigError(`Environment "${name}" is not defined in ${file}.`, {
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
  }
}
