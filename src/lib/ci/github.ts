/**
 * GitHub Actions workflows for what the security document promises happens automatically:
 * weekly backups (Aurora snapshot + Firebase), a nightly compliance check with SARIF uploaded
 * to code scanning, a monthly drill (JUnit), a weekly security report artifact. Each workflow
 * installs the project (`npm ci`) and then calls `impress` and nothing else. Secrets the
 * environment reads as `env:NAME` come from the repository's secrets of the same name.
 */
import {stringify} from 'yaml'
import type {EnvironmentConfig} from '../config/schema.js'

export interface WorkflowOptions {
  environment: string
  config: EnvironmentConfig
  /** Does the environment target the sandbox (no cloud credentials)? */
  sandbox: boolean
  nodeVersion?: string
}

export interface WorkflowFile {
  /** Relative to the repository root. */
  path: string
  name: string
  text: string
}

/** Every `env:NAME` the environment's configuration reads, sorted. */
export function secretNames(config: unknown): string[] {
  const out = new Set<string>()
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      const m = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(v)
      if (m) out.add(m[1])
    } else if (Array.isArray(v)) v.forEach(walk)
    else if (v && typeof v === 'object') Object.values(v).forEach(walk)
  }
  walk(config)
  return [...out].sort()
}

type Step = Record<string, unknown>

export function githubWorkflows(options: WorkflowOptions): WorkflowFile[] {
  const env = options.environment
  const secrets = secretNames(options.config)
  const aws = options.config.aws && !options.sandbox ? options.config.aws : undefined
  const impress = (args: string, extra: Step = {}): Step => ({run: `npx impress ${args} --env ${env}`, ...extra})
  const setup: Step[] = [
    {uses: 'actions/checkout@v4'},
    {uses: 'actions/setup-node@v4', with: {'node-version': options.nodeVersion ?? '20', cache: 'npm'}},
    {run: 'npm ci --no-audit --no-fund'},
    ...(aws ? [{name: 'AWS credentials (OIDC)', uses: 'aws-actions/configure-aws-credentials@v4', with: {'role-to-assume': '${{ vars.IMPRESS_AWS_ROLE_ARN }}', 'aws-region': aws.region}}] : []),
  ]
  const jobEnv = {
    NO_COLOR: '1',
    ...Object.fromEntries(secrets.map((s) => [s, `\${{ secrets.${s} }}`])),
  }
  const permissions = (extra: Record<string, string> = {}) => ({contents: 'read', ...(aws ? {'id-token': 'write'} : {}), ...extra})
  const workflow = (name: string, cron: string, job: string, jobPermissions: Record<string, string>, steps: Step[], timeout: number) => ({
    name,
    on: {schedule: [{cron}], workflow_dispatch: {}},
    permissions: permissions(jobPermissions),
    concurrency: {group: `impress-${job}-${env}`, 'cancel-in-progress': false},
    jobs: {[job]: {'runs-on': 'ubuntu-latest', 'timeout-minutes': timeout, env: jobEnv, steps: [...setup, ...steps]}},
  })
  const upload = (name: string, path: string): Step => ({name: `Upload ${name}`, if: 'always()', uses: 'actions/upload-artifact@v4', with: {name, path, 'if-no-files-found': 'error'}})
  const files: [string, string, ReturnType<typeof workflow>][] = [
    [
      'impress-backups.yml',
      'Weekly backups',
      workflow('impress: weekly backups', '0 3 * * 1', 'backups', {}, [impress('aurora snapshot --yes --tag reason=weekly'), impress('firebase backup --yes'), impress('firebase backups')], 180),
    ],
    [
      'impress-compliance.yml',
      'Nightly compliance check',
      workflow('impress: nightly compliance check', '0 2 * * *', 'compliance', {'security-events': 'write'}, [
        impress('compliance check --sarif compliance.sarif'),
        {name: 'Upload SARIF to code scanning', if: 'always()', uses: 'github/codeql-action/upload-sarif@v3', with: {sarif_file: 'compliance.sarif', category: 'impress-compliance'}},
      ], 30),
    ],
    [
      'impress-drill.yml',
      'Monthly disaster-recovery drill',
      workflow('impress: monthly disaster-recovery drill', '0 4 1 * *', 'drill', {}, [impress('drill --yes --junit drill-junit.xml --report-dir drill-report'), upload('drill-report', 'drill-junit.xml\ndrill-report/\n')], 300),
    ],
    [
      'impress-security-report.yml',
      'Weekly security report',
      workflow('impress: weekly security report', '0 6 * * 1', 'security-report', {}, [impress('report security --format html --out security-report.html'), upload('security-report', 'security-report.html\nsecurity-report.compliance.sarif\n')], 30),
    ],
  ]
  return files.map(([file, name, doc]) => ({
    path: `.github/workflows/${file}`,
    name,
    text: `# Written by \`impress ci init\`: ${name.toLowerCase()} of environment ${env}. Regenerate with \`impress ci init --force\`.\n${stringify(doc, {lineWidth: 0})}`,
  }))
}
