/**
 * The reliability campaign's bad-input harness (issue 17). fast-check builds malformed inputs of
 * five kinds (the configuration, the roster team.yaml, the roles file, backup manifests and
 * chunks, durations and times on the command line); each one is handed to the real CLI
 * (bin/run.js, a child process) against an in-process sandbox, and the run must:
 *   - exit 2 (bad input), or 3 for a corrupt backup (verify / restore);
 *   - say so in exactly one `Error:` line and one `Hint:` line on stderr (--json: one JSON error
 *     document on stdout), with no stack trace;
 *   - write nothing: the files under IMPRESS_HOME and the workspace are unchanged, except the
 *     audit log of a mutating command, which may gain exactly one entry recording the rejected
 *     attempt (result failed or violations, the same exit code), and caches (CACHE_FILE); and
 *     the sandbox receives no request that changes the platform.
 * The CI slice (input.test.ts) runs a few cases per kind with a fixed seed; the campaign
 * (input.campaign.ts, `npm run reliability`) runs hundreds and writes the figures.
 */
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {gunzipSync, gzipSync} from 'node:zlib'
import fc from 'fast-check'
import {parse as parseYaml, stringify as stringifyYaml} from 'yaml'
import {demoRosterYaml} from '../../src/lib/compliance/demo-roster.js'
import {SANDBOX_ROLES_YAML} from '../../src/lib/roles/sandbox-roles.js'
import {hasStackTrace, runCli, type CliResult} from '../helpers/cli.js'
import type {TestSandbox} from '../helpers/sandbox.js'

export type InputKind = 'config' | 'roster' | 'roles' | 'backup' | 'time'
export const INPUT_KINDS: InputKind[] = ['config', 'roster', 'roles', 'backup', 'time']

/** One malformed input and the command that reads it. */
export interface InputCase {
  kind: InputKind
  /** What was broken, for the figures (e.g. "wrong type at environments.sandbox.aurora.retentionDays"). */
  label: string
  /** The mutation family (wrong-type, unknown-key, broken-yaml, …), for the tallies. */
  family: string
  args: string[]
  json: boolean
  /** Files to write before the run (kind config: the case directory's config; roster/roles: the workspace's). */
  write?: {config?: string; roster?: string; roles?: string}
  /** kind backup: which backup to copy, and how to break the copy. */
  backup?: {source: 'rtdb' | 'firestore'; corrupt: Corruption}
  /** Acceptable exit codes. */
  expect: number[]
}

export type Corruption =
  | {type: 'truncate-chunk'; fraction: number}
  | {type: 'flip-byte'; fraction: number; mask: number}
  | {type: 'delete-chunk'}
  | {type: 'manifest-truncated'; fraction: number}
  | {type: 'manifest-hash'; field: 'chunk' | 'digest' | 'key'; hex: string}
  | {type: 'manifest-type'; field: string; value: unknown}
  | {type: 'content-edit'; fraction: number}

export interface InputWorld {
  sb: TestSandbox
  /** The built-in environment's workspace (roster, roles file, backups). */
  workspace: string
  /** Backup directories made once, fault-free, to corrupt copies of. */
  backups: {rtdb: string; firestore: string}
  originals: {roster: string; roles: string}
  cases: number
}

export interface InputRun {
  c: InputCase
  exitCode: number
  ok: boolean
  /** Why the run breaks the property (empty when ok). */
  problems: string[]
  /** The first line of stderr's error, for the figures. */
  error: string
  ms: number
}

// ---------------------------------------------------------------- the world

async function cli(w: InputWorld, args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(args, {env: {...w.sb.env, ...env}, cwd, timeout: 120_000})
}

/** Fault-free set-up: the workspace files written on first use, one RTDB and one Firestore backup. */
export async function makeWorld(sb: TestSandbox): Promise<InputWorld> {
  const workspace = path.join(sb.home, 'workspace')
  const w: InputWorld = {sb, workspace, backups: {rtdb: '', firestore: ''}, originals: {roster: '', roles: ''}, cases: 0}
  for (const args of [['firebase', 'backup', '--json'], ['firebase', 'backup', '--firestore', '--json']]) {
    const r = await cli(w, args, sb.cwd)
    if (r.exitCode !== 0) throw new Error(`${args.join(' ')}: exit ${r.exitCode}: ${r.stderr.slice(-500)}`)
    w.backups[args.includes('--firestore') ? 'firestore' : 'rtdb'] = JSON.parse(r.stdout).location
  }
  // Writes the demo roster and roles file into the workspace, and the config cache.
  for (const args of [['compliance', 'check', '--json'], ['roles', 'plan', '--json']]) await cli(w, args, sb.cwd)
  w.originals.roster = fs.readFileSync(path.join(workspace, 'team.yaml'), 'utf8')
  w.originals.roles = fs.readFileSync(path.join(workspace, 'roles.yaml'), 'utf8')
  return w
}

// ---------------------------------------------------------------- what "nothing written" means

/** Every file under the directories (path → size and modification time), the sandbox's own state aside. */
function snapshot(dirs: string[], skip: (p: string) => boolean): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (d: string) => {
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(d, {withFileTypes: true})
    } catch {
      return
    }
    for (const e of entries) {
      const p = path.join(d, e.name)
      if (skip(p)) continue
      if (e.isDirectory()) walk(p)
      else {
        const st = fs.statSync(p)
        out.set(p, `${st.size}:${st.mtimeMs}`)
      }
    }
  }
  for (const d of dirs) walk(d)
  return out
}

const AUDIT_FILE = /(^|\/)audit\.jsonl(\.head|\.anchor)?$/
/**
 * Caches are not state (deleting them is always safe): the validated form of a configuration that
 * is valid while a variable it reads is unset, and the AWS identity a mutating command looks up.
 */
const CACHE_FILE = /\/cache\/config\/[0-9a-f]+\.json$|\/identity\/[0-9a-f]+\.json$/

/** A request that changes the platform (the audit log's own signing-key read and anchor aside). */
export function isMutating(r: {service: string; operation: string; method: string; path: string}): boolean {
  if (r.service === 's3' && /impress-audit-anchors/.test(r.path)) return false
  if (r.method === 'GET' || r.method === 'HEAD') return false
  const op = r.operation.replace(/^(POST|PUT|PATCH|DELETE|GET) /, '')
  if (/^(Get|List|Describe|Filter|Head|Query|Scan|Search|Lookup|BatchGet|Select|Count|StartQuery|GetQueryResults|GenerateCredentialReport)/.test(op)) return false
  // Reads sent as POST: a token exchange, Firestore queries and batch reads.
  if (/oauth\/token|runQuery|runAggregationQuery|batchGet|listCollectionIds|listDocuments/i.test(op)) return false
  return true
}

const countLines = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l)).length

/** The property, checked on one finished run. */
function judge(c: InputCase, r: CliResult, before: Map<string, string>, after: Map<string, string>, auditBefore: Map<string, string>, requests: {service: string; operation: string; method: string; path: string}[]): string[] {
  const problems: string[] = []
  if (!c.expect.includes(r.exitCode)) problems.push(`exit ${r.exitCode}, expected ${c.expect.join(' or ')}`)
  if (hasStackTrace(r.stderr) || hasStackTrace(r.stdout)) problems.push('a stack trace')
  if (/Unexpected error|This is a bug in impress/.test(r.stderr + r.stdout)) problems.push('reported as a bug')
  if (c.json) {
    let doc: {error?: {exitCode?: number; message?: string; hint?: string}} | undefined
    try {
      doc = JSON.parse(r.stdout)
    } catch {
      problems.push('--json: stdout is not one JSON document')
    }
    if (doc && (doc.error?.exitCode !== r.exitCode || !doc.error?.message || !doc.error?.hint)) problems.push('--json: no {error: {message, hint, exitCode}} document')
  } else {
    const errors = countLines(r.stderr, /^Error: /)
    const hints = countLines(r.stderr, /^Hint: /)
    if (errors !== 1) problems.push(`${errors} "Error:" lines`)
    if (hints !== 1) problems.push(`${hints} "Hint:" lines`)
  }
  for (const [p, v] of after) {
    if (before.get(p) === v) continue
    if (AUDIT_FILE.test(p) || CACHE_FILE.test(p)) continue
    problems.push(`wrote ${p}`)
  }
  for (const p of before.keys()) if (!after.has(p)) problems.push(`deleted ${p}`)
  // The audit log: at most one new entry, the rejected attempt itself.
  for (const [p] of after) {
    if (!/audit\.jsonl$/.test(p) || before.get(p) === after.get(p)) continue
    const old = auditBefore.get(p) ?? ''
    const now = fs.readFileSync(p, 'utf8')
    if (!now.startsWith(old)) {
      problems.push(`audit log ${p} rewritten`)
      continue
    }
    const added = now.slice(old.length).split('\n').filter(Boolean)
    const entries = added.map((l) => JSON.parse(l) as {result?: string; exitCode?: number})
    if (entries.length > 1 || entries.some((e) => e.exitCode !== r.exitCode || !['failed', 'violations'].includes(e.result ?? ''))) problems.push(`audit log gained ${JSON.stringify(entries.map((e) => [e.result, e.exitCode]))}`)
  }
  const changes = requests.filter(isMutating)
  if (changes.length > 0) problems.push(`mutating requests: ${changes.map((q) => `${q.service} ${q.operation}`).join(', ')}`)
  return problems
}

// ---------------------------------------------------------------- running one case

async function control(sb: TestSandbox, method: string, p: string): Promise<unknown> {
  const r = await fetch(`${sb.url}${p}`, {method})
  if (!r.ok) throw new Error(`${method} ${p}: HTTP ${r.status}`)
  return r.json()
}

export async function runCase(w: InputWorld, c: InputCase): Promise<InputRun> {
  const n = ++w.cases
  const caseDir = path.join(w.sb.cwd, 'cases', String(n))
  fs.mkdirSync(caseDir, {recursive: true})
  let cwd = w.sb.cwd
  const args = [...c.args]
  if (c.write?.config !== undefined) {
    fs.writeFileSync(path.join(caseDir, 'impress.config.yaml'), c.write.config)
    fs.writeFileSync(path.join(caseDir, 'roles.yaml'), SANDBOX_ROLES_YAML)
    cwd = caseDir
  }
  if (c.write?.roster !== undefined) fs.writeFileSync(path.join(w.workspace, 'team.yaml'), c.write.roster)
  if (c.write?.roles !== undefined) fs.writeFileSync(path.join(w.workspace, 'roles.yaml'), c.write.roles)
  if (c.backup) {
    const dir = path.join(caseDir, path.basename(w.backups[c.backup.source]))
    fs.cpSync(w.backups[c.backup.source], dir, {recursive: true})
    corrupt(dir, c.backup.corrupt)
    for (let i = 0; i < args.length; i++) if (args[i] === '{backup}') args[i] = dir
  }
  if (c.json) args.push('--json')
  const skip = (p: string) => p === path.join(w.sb.home, 'sandbox')
  const dirs = [w.sb.home, w.sb.cwd]
  const before = snapshot(dirs, skip)
  const auditBefore = new Map([...before.keys()].filter((p) => /audit\.jsonl$/.test(p)).map((p) => [p, fs.readFileSync(p, 'utf8')]))
  await control(w.sb, 'DELETE', '/_sandbox/requests')
  const started = Date.now()
  const r = await cli(w, args, cwd)
  const ms = Date.now() - started
  const after = snapshot(dirs, skip)
  const {log} = (await control(w.sb, 'GET', '/_sandbox/requests?log=1')) as {log: {service: string; operation: string; method: string; path: string}[]}
  const problems = judge(c, r, before, after, auditBefore, log)
  // Put the inputs back for the next case.
  if (c.write?.roster !== undefined) fs.writeFileSync(path.join(w.workspace, 'team.yaml'), w.originals.roster)
  if (c.write?.roles !== undefined) fs.writeFileSync(path.join(w.workspace, 'roles.yaml'), w.originals.roles)
  fs.rmSync(caseDir, {recursive: true, force: true})
  const error = (c.json ? (safeJson(r.stdout)?.error?.message as string | undefined) : r.stderr.split('\n').find((l) => l.startsWith('Error: '))?.slice(7)) ?? r.stderr.slice(-200)
  return {c: {...c, args}, exitCode: r.exitCode, ok: problems.length === 0, problems, error: String(error).split('\n')[0].slice(0, 200), ms}
}

function safeJson(text: string): {error?: Record<string, unknown>} | undefined {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------- corrupting a backup copy

function corrupt(dir: string, k: Corruption): void {
  const manifestFile = path.join(dir, 'manifest.json')
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as {chunks: {file: string; sha256: string; bytes: number}[]; digest: string; keys: Record<string, {digest: string}>}
  const chunk = path.join(dir, manifest.chunks[0].file)
  const writeManifest = () => fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2))
  switch (k.type) {
    case 'truncate-chunk': {
      const b = fs.readFileSync(chunk)
      fs.writeFileSync(chunk, b.subarray(0, Math.floor(b.length * k.fraction)))
      break
    }
    case 'flip-byte': {
      const b = fs.readFileSync(chunk)
      const i = Math.min(b.length - 1, Math.floor(b.length * k.fraction))
      b[i] ^= k.mask
      fs.writeFileSync(chunk, b)
      break
    }
    case 'delete-chunk': {
      fs.rmSync(chunk)
      break
    }
    case 'manifest-truncated': {
      const text = fs.readFileSync(manifestFile, 'utf8')
      fs.writeFileSync(manifestFile, text.slice(0, Math.floor(text.lastIndexOf('}') * k.fraction)))
      break
    }
    case 'manifest-hash': {
      if (k.field === 'chunk') manifest.chunks[0].sha256 = k.hex === manifest.chunks[0].sha256 ? k.hex.replace(/./, (x) => (x === '0' ? '1' : '0')) : k.hex
      else if (k.field === 'digest') manifest.digest = k.hex === manifest.digest ? k.hex.replace(/./, (x) => (x === '0' ? '1' : '0')) : k.hex
      else {
        const key = Object.keys(manifest.keys)[0]
        manifest.keys[key].digest = k.hex === manifest.keys[key].digest ? k.hex.replace(/./, (x) => (x === '0' ? '1' : '0')) : k.hex
      }
      writeManifest()
      break
    }
    case 'manifest-type': {
      ;(manifest as unknown as Record<string, unknown>)[k.field] = k.value
      writeManifest()
      break
    }
    case 'content-edit': {
      // One character of one value changed, the chunk re-compressed and its file hash updated: only the content digests can tell.
      const text = gunzipSync(fs.readFileSync(chunk)).toString('utf8')
      const lines = text.split('\n')
      const withString = lines.map((l, i) => [l, i] as const).filter(([l]) => /:"[a-z]{2,}/i.test(l.slice(l.indexOf('"value"'))))
      const [line, i] = withString[Math.min(withString.length - 1, Math.floor(withString.length * k.fraction))]
      const at = line.indexOf('"value"')
      const m = /"[a-zA-Z]{2,}/.exec(line.slice(at + 8))!
      const pos = at + 8 + m.index + 1
      lines[i] = line.slice(0, pos) + (line[pos] === 'Q' ? 'R' : 'Q') + line.slice(pos + 1)
      const gz = gzipSync(Buffer.from(lines.join('\n')))
      fs.writeFileSync(chunk, gz)
      manifest.chunks[0].sha256 = sha256(gz)
      manifest.chunks[0].bytes = gz.length
      writeManifest()
      break
    }
  }
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex')
}

// ---------------------------------------------------------------- generic YAML mutations

type Path = (string | number)[]

/** Paths of the scalar leaves of a parsed document. */
function leaves(v: unknown, at: Path = []): Path[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => leaves(x, [...at, i]))
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => leaves(x, [...at, k]))
  return [at]
}

function getIn(v: unknown, p: Path): unknown {
  return p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)?.[k], v)
}

function setIn(v: unknown, p: Path, value: unknown): void {
  const parent = getIn(v, p.slice(0, -1)) as Record<string | number, unknown>
  parent[p.at(-1)!] = value
}

/** A value of another type than the leaf's (never one the schema could accept in its place). */
function otherType(old: unknown, pick: number): unknown {
  const options: unknown[] =
    typeof old === 'string' ? [42, 3.5, true, {bad: 1}] : typeof old === 'number' ? ['seven', true, {bad: 1}, [1]] : typeof old === 'boolean' ? ['maybe', 1, {bad: 1}] : ['x', 1]
  return options[pick % options.length]
}

interface YamlBase {
  doc: unknown
  /** Leaves whose type the schema fixes (free-form ones excluded). */
  leafFilter: (p: Path) => boolean
  /** Objects the schema declares strict (an unknown key there is an error). */
  strictObjects: Path[]
}

const mutationArb = (base: () => YamlBase) =>
  fc.oneof(
    fc.record({family: fc.constant('wrong-type'), leaf: fc.nat(), pick: fc.nat()}),
    fc.record({family: fc.constant('unknown-key'), obj: fc.nat(), key: fc.stringMatching(/^[a-z][a-zA-Z]{2,12}$/)}),
    fc.record({family: fc.constant('broken-yaml'), line: fc.nat(), how: fc.constantFrom('unclosed-quote', 'unclosed-flow', 'tab-indent', 'duplicate-key', 'undefined-alias', 'stray-colon', 'garbage')}),
  ).map((m) => applyMutation(base(), m))

function applyMutation(b: YamlBase, m: {family: string; leaf?: number; pick?: number; obj?: number; key?: string; line?: number; how?: string}): {text: string; family: string; label: string} {
  const doc = structuredClone(b.doc)
  if (m.family === 'wrong-type') {
    const all = leaves(doc).filter(b.leafFilter)
    const p = all[m.leaf! % all.length]
    const v = otherType(getIn(doc, p), m.pick!)
    setIn(doc, p, v)
    return {text: stringifyYaml(doc), family: m.family, label: `${p.join('.')} = ${JSON.stringify(v)}`}
  }
  if (m.family === 'unknown-key') {
    const p = b.strictObjects[m.obj! % b.strictObjects.length]
    const o = getIn(doc, p) as Record<string, unknown>
    const key = `x${m.key}`
    o[key] = 1
    return {text: stringifyYaml(doc), family: m.family, label: `unknown key ${[...p, key].join('.')}`}
  }
  // Broken YAML, on the text: a line holding "key: value" (a scalar) is changed.
  const text = stringifyYaml(doc)
  const lines = text.split('\n')
  const scalarLines = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s+[A-Za-z$][\w$]*: [^\s{[|>&*'"][^#]*$/.test(l) && !/^\s*- /.test(l))
  const [line, i] = scalarLines[m.line! % scalarLines.length]
  const indent = /^\s*/.exec(line)![0]
  const key = line.trim().split(':')[0]
  switch (m.how) {
    case 'unclosed-quote':
      lines[i] = `${indent}${key}: "${line.slice(line.indexOf(':') + 2)}`
      break
    case 'unclosed-flow':
      lines[i] = `${indent}${key}: [${line.slice(line.indexOf(':') + 2)}, b`
      break
    case 'tab-indent':
      lines[i] = `\t${line.trimStart()}`
      break
    case 'duplicate-key':
      lines.splice(i, 0, line)
      break
    case 'undefined-alias':
      lines[i] = `${indent}${key}: *nowhere`
      break
    case 'stray-colon':
      lines[i] = `${indent}${key}: : ${line.slice(line.indexOf(':') + 2)}`
      break
    default:
      lines[i] = `${indent}${key}: {{]]`
  }
  return {text: lines.join('\n'), family: `broken-yaml:${m.how}`, label: `line ${i + 1}: ${m.how} at ${key}`}
}

// ---------------------------------------------------------------- the five kinds

/** A configuration for the test sandbox (its `sandbox` section: the sandbox started under IMPRESS_HOME). */
export function baseConfig(): Record<string, unknown> {
  return {
    environments: {
      sandbox: {
        sandbox: {},
        aws: {region: 'eu-west-1'},
        lambda: {alias: 'live', requestsPerSecond: 10, modules: {etl: {function: 'impress-etl', artifact: 'lambda/etl/dist'}}},
        aurora: {cluster: 'impress-sandbox', retentionDays: 7, maxReplicaLagMs: 1000, keepNewest: 1},
        firebase: {projectId: 'impress-sandbox', databaseURL: 'https://impress-sandbox.firebaseio.com', backups: './backups'},
        auth0: {domain: 'impress-sandbox.eu.auth0.com', clientId: 'impress-ops-sandbox', clientSecret: 'impress-ops-sandbox-client-secret', roles: './roles.yaml'},
        drill: {rto: '4h', rpo: '15m', firebaseTarget: 'impress-sandbox-scratch'},
        notify: {email: 'ops@impress.example'},
      },
    },
  }
}

const CONFIG_STRICT: Path[] = [[], ['environments', 'sandbox'], ['environments', 'sandbox', 'aws'], ['environments', 'sandbox', 'lambda'], ['environments', 'sandbox', 'lambda', 'modules', 'etl'], ['environments', 'sandbox', 'aurora'], ['environments', 'sandbox', 'firebase'], ['environments', 'sandbox', 'auth0'], ['environments', 'sandbox', 'drill'], ['environments', 'sandbox', 'notify'], ['environments', 'sandbox', 'sandbox']]
/** Read-only commands and mutating ones: a configuration error stops all of them before anything happens. */
const CONFIG_COMMANDS = [['status'], ['aurora', 'status'], ['roles', 'plan'], ['firebase', 'backups'], ['deploy', '--all', '--dry-run'], ['aurora', 'snapshot', '--yes'], ['roles', 'apply', '--yes'], ['firebase', 'backup']]

const configArb = fc.oneof(
  {weight: 3, arbitrary: mutationArb(() => ({doc: baseConfig(), leafFilter: () => true, strictObjects: CONFIG_STRICT}))},
  // env: references: unset variables (exit 2 when the value is used) and references that are not a variable name.
  {
    weight: 1,
    arbitrary: fc
      .record({name: fc.oneof(fc.stringMatching(/^[A-Z][A-Z0-9_]{2,10}$/).map((s) => `IMPRESS_UNSET_${s}`), fc.constantFrom('', '1ABC', 'A-B', 'A B', 'A.B', 'ÄB', '$X', '{X}')), field: fc.constantFrom('clientSecret', 'clientId')})
      .map(({name, field}) => {
        const doc = baseConfig()
        setIn(doc, ['environments', 'sandbox', 'auth0', field], `env:${name}`)
        return {text: stringifyYaml(doc), family: name.startsWith('IMPRESS_UNSET_') ? 'env-ref-unset' : 'env-ref-invalid', label: `auth0.${field}: env:${name}`, env: true}
      }),
  },
)

export const caseArbs: Record<InputKind, fc.Arbitrary<InputCase>> = {
  config: fc.tuple(configArb, fc.nat(), fc.boolean()).map(([m, cmd, json]) => ({
    kind: 'config' as const,
    family: m.family,
    label: m.label,
    // an env: reference is read when used: by the Auth0 commands
    args: 'env' in m ? (cmd % 2 ? ['roles', 'plan'] : ['roles', 'apply', '--yes']) : CONFIG_COMMANDS[cmd % CONFIG_COMMANDS.length],
    json,
    write: {config: m.text},
    expect: [2],
  })),
  roster: fc
    .tuple(
      fc.oneof(
        mutationArb(() => ({doc: parseYaml(demoRosterYaml()), leafFilter: () => true, strictObjects: [[], ['members', 0], ['members', 3, 'accounts'], ['serviceAccounts', 0], ['exceptions', 1], ['policy'], ['policy', 'keys']]})),
        fc.constantFrom(
          {text: demoRosterYaml().replace(/email: bob@impress.example/, 'email: bob-at-impress'), family: 'semantic', label: 'member e-mail not an address'},
          {text: demoRosterYaml().replace(/role: developer/, 'role: superuser'), family: 'semantic', label: 'unknown role'},
          {text: demoRosterYaml().replace(/ {4}left: \S+\n/, ''), family: 'semantic', label: 'a leaver without a left date'},
          {text: demoRosterYaml().replace(/left: \S+/, 'left: 2026-13-45'), family: 'semantic', label: 'left date 2026-13-45'},
          {text: demoRosterYaml().replace(/expires: \S+/, 'expires: tomorrow'), family: 'semantic', label: 'exception expiry "tomorrow"'},
          {text: demoRosterYaml().replace(/rsa: 3072/, 'rsa: -1'), family: 'semantic', label: 'negative key size'},
          {text: '', family: 'empty', label: 'empty file'},
          {text: '- just\n- a list\n', family: 'wrong-shape', label: 'a list, not a mapping'},
        ),
      ),
      fc.constantFrom(['compliance', 'check'], ['compliance', 'keys'], ['access', 'review'], ['access', 'revoke', 'eve@impress.example', '--yes']),
      fc.boolean(),
    )
    .map(([m, args, json]) => ({kind: 'roster' as const, family: m.family, label: m.label, args: [...args], json, write: {roster: m.text}, expect: [2]})),
  roles: fc
    .tuple(
      fc.oneof(
        mutationArb(() => ({doc: parseYaml(SANDBOX_ROLES_YAML), leafFilter: (p) => p.at(-1) !== 'maxRemovals', strictObjects: [[], ['applications', 0], ['applications', 1, 'roles', 0], ['applications', 2, 'roles', 0, 'members', 1]]})),
        fc.constantFrom(
          {text: SANDBOX_ROLES_YAML.replace('name: compute-writer', 'name: compute-reader'), family: 'semantic', label: 'duplicate role name'},
          {text: SANDBOX_ROLES_YAML.replace('read:models]', 'read models]'), family: 'semantic', label: 'permission without a colon'},
          {text: SANDBOX_ROLES_YAML.replace('expires: 2025-09-30', 'expires: 2025-02-30x'), family: 'semantic', label: 'expiry not a date'},
          {text: SANDBOX_ROLES_YAML.replace('maxRemovals: 10%', 'maxRemovals: 10 percent'), family: 'semantic', label: 'maxRemovals "10 percent"'},
          {text: SANDBOX_ROLES_YAML.replace('minAdmins: 1', 'minAdmins: -1'), family: 'semantic', label: 'minAdmins -1'},
          {text: '[1, 2', family: 'broken-yaml:garbage', label: 'not YAML'},
        ),
      ),
      fc.constantFrom(['roles', 'plan'], ['roles', 'apply', '--yes'], ['roles', 'rotate', '--yes']),
      fc.boolean(),
    )
    .map(([m, args, json]) => ({kind: 'roles' as const, family: m.family, label: m.label, args: [...args], json, write: {roles: m.text}, expect: [2]})),
  backup: fc
    .tuple(
      fc.oneof(
        fc.record({type: fc.constant('truncate-chunk' as const), fraction: fc.double({min: 0, max: 0.99, noNaN: true})}),
        fc.record({type: fc.constant('flip-byte' as const), fraction: fc.double({min: 0, max: 0.999, noNaN: true}), mask: fc.integer({min: 1, max: 255})}),
        fc.record({type: fc.constant('delete-chunk' as const)}),
        fc.record({type: fc.constant('manifest-truncated' as const), fraction: fc.double({min: 0, max: 0.99, noNaN: true})}),
        fc.record({type: fc.constant('manifest-hash' as const), field: fc.constantFrom('chunk' as const, 'digest' as const, 'key' as const), hex: fc.stringMatching(/^[0-9a-f]{64}$/)}),
        fc.record({type: fc.constant('manifest-type' as const), field: fc.constantFrom('chunks', 'totals', 'keys', 'format', 'kind', 'digest'), value: fc.constantFrom(null, 'x', 7, [], {})}),
        fc.record({type: fc.constant('content-edit' as const), fraction: fc.double({min: 0, max: 0.99, noNaN: true})}),
      ),
      fc.constantFrom('rtdb' as const, 'firestore' as const),
      fc.boolean(),
      fc.boolean(),
    )
    .map(([corruption, source, restore, json]) => ({
      kind: 'backup' as const,
      family: corruption.type,
      label: `${source} ${JSON.stringify(corruption)}`,
      args: restore ? ['firebase', 'restore', '{backup}', '--yes', '--to-database', source === 'rtdb' ? 'impress-sandbox-scratch' : 'scratch'] : ['firebase', 'verify', '{backup}'],
      json,
      backup: {source, corrupt: corruption},
      expect: [2, 3],
    })),
  time: fc
    .tuple(
      fc.oneof(
        fc.stringMatching(/^[a-z ]{1,12}$/).map((v) => ({family: 'garbage', v})),
        fc.tuple(fc.integer({min: 1, max: 999}), fc.constantFrom('q', 'fortnights', 'parsecs', 'zz', 'k', 'eons', 'hh', 'dd')).map(([n, u]) => ({family: 'unknown-unit', v: `${n}${u}`})),
        fc.tuple(fc.integer({min: 1, max: 999}), fc.constantFrom('m', 'h', 'd')).map(([n, u]) => ({family: 'negative', v: `-${n}${u}`})),
        fc.tuple(fc.stringMatching(/^[1-9]\d{13,20}$/), fc.constantFrom('d', 'y', 'h', 'w')).map(([n, u]) => ({family: 'overflow', v: `${n}${u}`})),
        fc.tuple(fc.integer({min: 1970, max: 2100}), fc.constantFrom('13', '00', '99', '02', '04'), fc.constantFrom('00', '32', '30', '31')).filter(([, mo, d]) => !(mo === '04' && d === '30')).map(([y, mo, d]) => ({family: 'impossible-date', v: `${y}-${mo}-${d}`})),
        fc.tuple(fc.integer({min: 2000, max: 2030}), fc.constantFrom('T25:00:00Z', 'T12:61:00Z', 'T12:00:00+25:00', 'T1200Z')).map(([y, t]) => ({family: 'bad-time-of-day', v: `${y}-06-15${t}`})),
      ),
      fc.constantFrom(
        ['logs', '--since'],
        ['logs', '--since', '1h', '--until'],
        ['audit', 'log', '--since'],
        ['edge', 'events', '--since'],
        ['drill', '--dry-run', '--to-time'],
        ['aurora', 'restore', '--target', 'impress-input-check', '--yes', '--to-time'],
        ['aurora', 'rollback', '--yes', '--to-time'],
      ),
      fc.boolean(),
    )
    .map(([{family, v}, flagArgs, json]) => {
      const flag = flagArgs.at(-1)!
      return {kind: 'time' as const, family, label: `${flagArgs.join(' ')}=${v}`, args: [...flagArgs.slice(0, -1), `${flag}=${v}`], json, expect: [2]}
    }),
}

/** Durations (--rto, --rpo, --baseline): zero, negative, unknown units, garbage. */
export const durationArb: fc.Arbitrary<InputCase> = fc
  .tuple(
    fc.oneof(fc.constantFrom('0s', '0m', '0', '-5m', '15 fortnights', 'soon', '1e999h', 'PT4H', '4h30', ''), fc.stringMatching(/^[a-z]{1,8}$/)),
    fc.constantFrom(['drill', '--dry-run', '--rto'], ['drill', '--dry-run', '--rpo'], ['logs', '--patterns', '--baseline']),
    fc.boolean(),
  )
  .map(([v, flagArgs, json]) => ({kind: 'time' as const, family: 'duration', label: `${flagArgs.join(' ')}=${v}`, args: [...flagArgs.slice(0, -1), `${flagArgs.at(-1)}=${v}`], json, expect: [2]}))

/** Every kind's cases, `runs` of each, from one seed (the same seed gives the same cases). */
export function sampleCases(kinds: InputKind[], runs: number, seed: number): InputCase[] {
  return kinds.flatMap((k, i) => {
    const arb = k === 'time' ? fc.oneof({weight: 3, arbitrary: caseArbs.time}, {weight: 1, arbitrary: durationArb}) : caseArbs[k]
    return fc.sample(arb, {numRuns: runs, seed: seed + i})
  })
}

/** Counts per kind and outcome, for the figures. */
export function tallyInput(runs: InputRun[]): Record<string, {runs: number; ok: number; failed: number; exits: Record<string, number>}> {
  const t: Record<string, {runs: number; ok: number; failed: number; exits: Record<string, number>}> = {}
  for (const r of runs) {
    const k = (t[r.c.kind] ??= {runs: 0, ok: 0, failed: 0, exits: {}})
    k.runs++
    if (r.ok) k.ok++
    else k.failed++
    k.exits[r.exitCode] = (k.exits[r.exitCode] ?? 0) + 1
  }
  return t
}
