/**
 * `impress ci init` end to end (bin/run.js): the workflows parse as YAML, match the workflow
 * syntax (a strict JSON Schema of the subset we write), run `impress` and nothing else (each
 * invocation names a real command and real flags, from oclif.manifest.json), schedule valid
 * crons, and wire SARIF, JUnit and the report as promised; existing files are never overwritten
 * without --force, and --dry-run writes nothing.
 */
import fs from 'node:fs'
import path from 'node:path'
import AjvModule from 'ajv'
import {afterAll, describe, expect, it} from 'vitest'
import {parse, stringify} from 'yaml'
import {runCli, tempHome} from '../helpers/cli.js'

const schema = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'github-workflow.schema.json'), 'utf8'))
// ajv is CommonJS: its class is the default export's `default` under Node's ESM interop
const Ajv = ((AjvModule as unknown as {default?: typeof AjvModule}).default ?? AjvModule) as unknown as new (o: object) => {compile(s: object): ((d: unknown) => boolean) & {errors?: unknown}}
const validate = new Ajv({allErrors: true, allowUnionTypes: true}).compile(schema)
const manifest = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../oclif.manifest.json'), 'utf8')) as {commands: Record<string, {flags: Record<string, {type: string; char?: string}>}>}
const FILES = ['impress-backups.yml', 'impress-compliance.yml', 'impress-drill.yml', 'impress-security-report.yml']
const ACTIONS = ['actions/checkout@v4', 'actions/setup-node@v4', 'actions/upload-artifact@v4', 'github/codeql-action/upload-sarif@v3', 'aws-actions/configure-aws-credentials@v4']

const t = tempHome('impress-ci-')
afterAll(() => t.cleanup())
const cli = (args: string[], cwd = t.cwd) => runCli(['ci', 'init', ...args], {env: {IMPRESS_HOME: t.home}, cwd})

type Step = {name?: string; uses?: string; run?: string; if?: string; with?: Record<string, string>}
type Workflow = {on: {schedule: {cron: string}[]}; permissions: Record<string, string>; jobs: Record<string, {env: Record<string, string>; steps: Step[]}>}

/** One cron field: *, n, a-b, lists, and /step, within [lo, hi]. */
function cronField(field: string, lo: number, hi: number): boolean {
  return field.split(',').every((part) => {
    const [range, step] = part.split('/')
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) return false
    if (range === '*') return true
    const m = /^(\d+)(?:-(\d+))?$/.exec(range)
    if (!m) return false
    const a = Number(m[1])
    const b = m[2] === undefined ? a : Number(m[2])
    return a >= lo && b <= hi && a <= b
  })
}
const validCron = (cron: string) => {
  const f = cron.split(' ')
  return f.length === 5 && cronField(f[0], 0, 59) && cronField(f[1], 0, 23) && cronField(f[2], 1, 31) && cronField(f[3], 1, 12) && cronField(f[4], 0, 6)
}

/** `npx impress a b --x v --y`: the command id must exist and every flag must be one of its flags. */
function checkImpress(run: string): {id: string; flags: Record<string, string | true>} {
  const words = run.trim().split(/\s+/)
  expect(words.slice(0, 2)).toEqual(['npx', 'impress'])
  const rest = words.slice(2)
  const positional = rest.slice(0, rest.findIndex((w) => w.startsWith('-')) === -1 ? rest.length : rest.findIndex((w) => w.startsWith('-')))
  const id = [...positional.keys()].map((i) => positional.slice(0, positional.length - i).join(':')).find((k) => manifest.commands[k])
  expect(id, run).toBeDefined()
  const command = manifest.commands[id!]
  const flags: Record<string, string | true> = {}
  const args = rest.slice(positional.length)
  for (let i = 0; i < args.length; i++) {
    const name = args[i].replace(/^--?/, '').split('=')[0]
    const flag = command.flags[name]
    expect(flag, `${run}: --${name} is not a flag of impress ${id}`).toBeDefined()
    flags[name] = flag.type === 'option' ? args[++i] : true
    expect(flags[name], `${run}: --${name} needs a value`).toBeDefined()
  }
  return {id: id!, flags}
}

function load(dir: string): Record<string, Workflow> {
  return Object.fromEntries(FILES.map((f) => [f, parse(fs.readFileSync(path.join(dir, '.github', 'workflows', f), 'utf8')) as Workflow]))
}

function checkWorkflows(workflows: Record<string, Workflow>, env: string): Map<string, {id: string; flags: Record<string, string | true>; step: Step; file: string}[]> {
  const calls = new Map<string, {id: string; flags: Record<string, string | true>; step: Step; file: string}[]>()
  for (const [file, wf] of Object.entries(workflows)) {
    expect(validate(wf), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true)
    for (const s of wf.on.schedule) expect(validCron(s.cron), `${file}: cron ${s.cron}`).toBe(true)
    for (const job of Object.values(wf.jobs)) {
      for (const step of job.steps) {
        if (step.uses) expect(ACTIONS, `${file}: ${step.uses}`).toContain(step.uses)
        if (!step.run) continue
        if (step.run === 'npm ci --no-audit --no-fund') continue
        const call = checkImpress(step.run)
        expect(call.flags.env, step.run).toBe(env)
        calls.set(call.id, [...(calls.get(call.id) ?? []), {...call, step, file}])
      }
    }
  }
  return calls
}

describe('impress ci init --provider github', () => {
  it('writes four workflows that call impress only, with valid syntax, crons and wiring', async () => {
    const r = await cli(['--provider', 'github'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/wrote \.github\/workflows\/impress-compliance\.yml: Nightly compliance check/)
    const wfs = load(t.cwd)
    const calls = checkWorkflows(wfs, 'sandbox')
    expect([...calls.keys()].sort()).toEqual(['aurora:snapshot', 'compliance:check', 'drill', 'firebase:backup', 'firebase:backups', 'report:security'])
    expect(wfs['impress-backups.yml'].on.schedule[0].cron).toMatch(/^\d+ \d+ \* \* \d$/) // weekly
    expect(wfs['impress-compliance.yml'].on.schedule[0].cron).toMatch(/^\d+ \d+ \* \* \*$/) // nightly
    expect(wfs['impress-drill.yml'].on.schedule[0].cron).toMatch(/^\d+ \d+ \d+ \* \*$/) // monthly
    // nightly compliance: the SARIF it writes is uploaded to code scanning, even when the check exits 3
    const compliance = wfs['impress-compliance.yml']
    const sarif = compliance.jobs.compliance.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'))!
    expect(sarif.with!.sarif_file).toBe(calls.get('compliance:check')![0].flags.sarif)
    expect(sarif.if).toBe('always()')
    expect(compliance.permissions['security-events']).toBe('write')
    // the drill's JUnit and the report are uploaded as artifacts
    const junit = calls.get('drill')![0].flags.junit as string
    expect(wfs['impress-drill.yml'].jobs.drill.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!.with!.path).toContain(junit)
    expect(calls.get('drill')![0].flags.yes).toBe(true)
    const report = calls.get('report:security')![0]
    expect(report.flags.format).toBe('html')
    expect(wfs['impress-security-report.yml'].jobs['security-report'].steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!.with!.path).toContain(report.flags.out as string)
  })

  it('refuses to overwrite without --force (exit 4, files unchanged); --force overwrites; --dry-run prints and writes nothing', async () => {
    const file = path.join(t.cwd, '.github', 'workflows', 'impress-drill.yml')
    fs.writeFileSync(file, '# mine\n')
    const refused = await cli([])
    expect(refused.exitCode).toBe(4)
    expect(refused.stderr).toMatch(/impress-drill\.yml.*already exist/)
    expect(refused.stderr).toMatch(/Hint: Pass --force/)
    expect(fs.readFileSync(file, 'utf8')).toBe('# mine\n')
    const dry = await cli(['--dry-run'])
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(dry.stdout).toMatch(/--- \.github\/workflows\/impress-drill\.yml \(overwrite\)\n# Written by `impress ci init`/)
    expect(fs.readFileSync(file, 'utf8')).toBe('# mine\n')
    const forced = await cli(['--force', '--json'])
    expect(forced.exitCode, forced.stderr).toBe(0)
    expect(JSON.parse(forced.stdout).files).toContainEqual({path: '.github/workflows/impress-drill.yml', action: 'overwrite'})
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^# Written by `impress ci init`/)
  })

  it('a cloud environment: env: secrets come from repository secrets, AWS through OIDC; no secret value is written', async () => {
    const dir = path.join(t.cwd, 'cloud')
    fs.mkdirSync(dir)
    const config = {
      environments: {
        prod: {
          aws: {region: 'eu-west-1'},
          aurora: {cluster: 'impress-prod'},
          auth0: {domain: 'impress.eu.auth0.com', clientId: 'env:AUTH0_CLIENT_ID', clientSecret: 'env:AUTH0_CLIENT_SECRET'},
          notify: {webhook: 'env:IMPRESS_NOTIFY_WEBHOOK'},
          owners: [{area: 'Security', owner: 'alice@impress.example'}],
        },
      },
    }
    fs.writeFileSync(path.join(dir, 'impress.config.yaml'), stringify(config))
    const r = await runCli(['ci', 'init', '--env', 'prod', '--dir', dir], {env: {IMPRESS_HOME: t.home, AUTH0_CLIENT_SECRET: 'do-not-write-this-secret'}, cwd: dir})
    expect(r.exitCode, r.stderr).toBe(0)
    const wfs = load(dir)
    checkWorkflows(wfs, 'prod')
    for (const [file, wf] of Object.entries(wfs)) {
      const job = Object.values(wf.jobs)[0]
      expect(job.env, file).toMatchObject({AUTH0_CLIENT_ID: '${{ secrets.AUTH0_CLIENT_ID }}', AUTH0_CLIENT_SECRET: '${{ secrets.AUTH0_CLIENT_SECRET }}', IMPRESS_NOTIFY_WEBHOOK: '${{ secrets.IMPRESS_NOTIFY_WEBHOOK }}'})
      expect(job.steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'))!.with).toMatchObject({'aws-region': 'eu-west-1'})
      expect(wf.permissions['id-token']).toBe('write')
      expect(fs.readFileSync(path.join(dir, '.github', 'workflows', file), 'utf8')).not.toContain('do-not-write-this-secret')
    }
  })
})
