/** The starter impress.config.yaml that `impress init` writes, from a few answers. */
import {stringify} from 'yaml'
import {LAMBDA_MODULES} from './constants.js'

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

export function starterConfig(a: StarterAnswers): string {
  const doc = {
    defaultEnvironment: 'sandbox',
    environments: {
      sandbox: {
        sandbox: {},
        aws: {region: 'eu-west-1'},
        lambda: {alias: 'live', modules: Object.fromEntries(LAMBDA_MODULES.map((m) => [m, {function: `impress-${m}`, smoke: {payload: {ping: true}}}]))},
        aurora: {cluster: 'impress-sandbox', retentionDays: 7, maxReplicaLagMs: 1000},
        firebase: {projectId: 'impress-sandbox', databaseURL: 'https://impress-sandbox.firebaseio.com'},
        drill: {rto: '4h', rpo: '15m', firebaseTarget: 'impress-sandbox-scratch'},
      },
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
    '# yaml-language-server: $schema=./node_modules/impress-ops/schema/impress.config.schema.json\n' +
    '# impress configuration: one section per environment. Secrets never live here: env:NAME reads a variable.\n' +
    stringify(doc, {lineWidth: 0})
  )
}
