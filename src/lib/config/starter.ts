/**
 * The starter impress.config.yaml that `impress init` writes, from a few answers, and the files
 * its sandbox environment reads (demo Lambda workspace, roster, roles file under ./sandbox/), so
 * that every command runs on the sandbox as written.
 */
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {stringify} from 'yaml'
import {ensureDemoRoster} from '../compliance/demo-roster.js'
import {ensureDemoWorkspace} from '../lambda/demo-workspace.js'
import {ensureSandboxRolesFile} from '../roles/sandbox-roles.js'
import {LAMBDA_MODULES} from './constants.js'
import {sandboxEnvironmentSpec} from './sandbox-default.js'

/** Where the sandbox environment of a written configuration keeps its files, relative to the file. */
export const STARTER_SANDBOX_DIR = 'sandbox/'
const SCHEMA_FILE = 'schema/impress.config.schema.json'

export interface StarterAnswers {
  envName: string
  region: string
  profile: string
  auroraCluster: string
  firebaseProject: string
  auth0Domain: string
}

export function defaultAnswers(): StarterAnswers {
  return {envName: 'prod', region: 'eu-west-1', profile: 'impress-prod', auroraCluster: 'impress-prod', firebaseProject: 'impress-prod', auth0Domain: 'impress.eu.auth0.com'}
}

/**
 * The `$schema` reference of a configuration written in `configDir`: the project's own
 * node_modules/impress-ops when impress-ops is installed there, else the schema of the impress
 * that runs, as a path relative to the configuration's folder (absolute across drives).
 */
export function schemaReference(configDir: string): string {
  const local = path.join(configDir, 'node_modules', 'impress-ops', SCHEMA_FILE)
  let dir = path.dirname(fileURLToPath(import.meta.url))
  let own: string | undefined
  for (let i = 0; i < 6 && !own; i++, dir = path.dirname(dir)) if (fs.existsSync(path.join(dir, SCHEMA_FILE)) && fs.existsSync(path.join(dir, 'package.json'))) own = path.join(dir, SCHEMA_FILE)
  const target = fs.existsSync(local) ? local : (own ?? local)
  const rel = path.relative(configDir, target).split(path.sep).join('/')
  return path.isAbsolute(rel) ? rel : rel.startsWith('.') ? rel : `./${rel}`
}

/** Write what the sandbox environment reads, beside the configuration; never overwrites. Returns the files written. */
export function writeStarterSandboxFiles(configDir: string): string[] {
  const root = path.join(configDir, STARTER_SANDBOX_DIR)
  const written = ensureDemoWorkspace(root, [...LAMBDA_MODULES])
  for (const [file, ensure] of [[path.join(root, 'team.yaml'), ensureDemoRoster], [path.join(root, 'roles.yaml'), ensureSandboxRolesFile]] as const) if (ensure(file)) written.push(file)
  return written
}

export function starterConfig(a: StarterAnswers, schema = './node_modules/impress-ops/schema/impress.config.schema.json'): string {
  const doc = {
    defaultEnvironment: 'sandbox',
    environments: {
      sandbox: sandboxEnvironmentSpec(STARTER_SANDBOX_DIR),
      [a.envName]: {
        aws: {region: a.region, profile: a.profile},
        lambda: {
          alias: 'live',
          modules: Object.fromEntries(
            LAMBDA_MODULES.map((m) => [m, {function: `impress-${m}`, build: `npm run build:${m}`, artifact: `dist/${m}.zip`, smoke: {payload: {ping: true}}}]),
          ),
        },
        aurora: {cluster: a.auroraCluster, retentionDays: 7, maxReplicaLagMs: 1000},
        firebase: {projectId: a.firebaseProject, databaseURL: `https://${a.firebaseProject}.firebaseio.com`, credentials: 'env:GOOGLE_APPLICATION_CREDENTIALS', backups: './backups'},
        auth0: {domain: a.auth0Domain, clientId: 'env:AUTH0_CLIENT_ID', clientSecret: 'env:AUTH0_CLIENT_SECRET', roles: './roles.yaml'},
        drill: {rto: '4h', rpo: '15m', verify: []},
        notify: {webhook: 'env:IMPRESS_NOTIFY_WEBHOOK'},
      },
    },
  }
  return (
    `# yaml-language-server: $schema=${schema}\n` +
    '# impress configuration: one section per environment. Secrets never live here: env:NAME reads a variable.\n' +
    stringify(doc, {lineWidth: 0})
  )
}
