/**
 * The built-in environment used when no impress.config.yaml exists: the local sandbox
 * platform with the demo IMPRESS layout, so a new user's first command does real work.
 */
import {LAMBDA_MODULES, SANDBOX_ENV, SANDBOX_REGION} from './constants.js'
import {configSchema, type ImpressConfig} from './schema.js'

export {LAMBDA_MODULES, SANDBOX_ENV, SANDBOX_REGION} from './constants.js'

/**
 * The sandbox environment's section as written in a file: the built-in one (dir '') and the one
 * `impress init` writes (dir 'sandbox/': its demo workspace, roster and roles file sit in a
 * folder of their own beside the configuration, apart from the real environments' files).
 */
export function sandboxEnvironmentSpec(dir = ''): Record<string, unknown> {
  return {
    sandbox: {},
    aws: {region: SANDBOX_REGION},
    lambda: {
      alias: 'live',
      // Demo sources live in the workspace (written on first deploy or by init, see src/lib/lambda/demo-workspace.ts).
      modules: Object.fromEntries(
        LAMBDA_MODULES.map((m) => [m, {function: `impress-${m}`, build: `node ${dir}lambda/build.mjs ${m}`, inputs: [`${dir}lambda/build.mjs`, `${dir}lambda/${m}/src/**`], artifact: `${dir}lambda/${m}/dist`, smoke: {payload: {ping: true}}}]),
      ),
    },
    aurora: {cluster: 'impress-sandbox', retentionDays: 7, maxReplicaLagMs: 1000},
    firebase: {projectId: 'impress-sandbox', databaseURL: 'https://impress-sandbox.firebaseio.com', firestore: {exportBucket: 'gs://impress-sandbox-firestore-exports', estimatedDocumentBytes: 1024}},
    // The sandbox tenant's published demo client: not a secret (config/literal-secrets.ts skips sandbox environments).
    auth0: {domain: 'impress-sandbox.eu.auth0.com', clientId: 'impress-ops-sandbox', clientSecret: 'impress-ops-sandbox-client-secret', roles: `./${dir}roles.yaml`},
    drill: {rto: '4h', rpo: '15m', firebaseTarget: 'impress-sandbox-scratch', firestoreTarget: 'scratch'},
    owners: [
      {area: 'Security and access administration', owner: 'alice@impress.example', name: 'Alice Martin', deputy: 'dave@impress.example'},
      {area: 'Infrastructure, backups and disaster recovery', owner: 'dave@impress.example', name: 'Dave Okafor', deputy: 'alice@impress.example'},
      {area: 'Application development', owner: 'bob@impress.example', name: 'Bob Chen', deputy: 'carol@impress.example'},
    ],
    frontend: {host: 'github-pages', repo: 'impress/impress-web', branch: 'gh-pages', dir: `./${dir}build`},
    edge: {hostnames: ['www.impress.example', 'app.impress.example', 'impress-legacy.example']},
    compliance: {roster: `./${dir}team.yaml`, github: {org: 'impress'}, cloudflare: {accountId: '9a7806061c88ada191ed06f989cc3dac'}, google: {customer: 'my_customer'}, auth0: {connection: 'impress-staff'}},
  }
}

export function builtinSandboxConfig(): ImpressConfig {
  return configSchema.parse({environments: {[SANDBOX_ENV]: sandboxEnvironmentSpec()}})
}
