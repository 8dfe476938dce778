/**
 * The secrets sweep of the reliability campaign (issue 17). Known values are planted in every
 * `env:` reference of the configuration (Auth0 client secret, GitHub / Cloudflare / Google tokens,
 * notification and monitoring webhooks with a token in their URL, the Firebase credentials file),
 * in the Auth0 tenant's client secrets, and in the sandbox services so they are accepted. Then
 * every command runs through bin/run.js with --verbose, with --json, and with a sandbox fault (the
 * error paths); stdout, stderr and every file impress keeps (IMPRESS_HOME: audit log, journals,
 * caches, reports; the workspace: reports, backups, deploy records) are searched for each secret,
 * raw, URL-encoded and base64: the number of hits must be 0. Secrets the run itself makes
 * (rotated Auth0 client secrets) are searched for too.
 */
import fs from 'node:fs'
import path from 'node:path'
import {parseDocument} from 'yaml'
import type {CloudflareState} from '../../src/lib/sandbox/services/cloudflare/seed.js'
import {demoCloudflare} from '../../src/lib/sandbox/services/cloudflare/seed.js'
import {demoGithub, type GithubState} from '../../src/lib/sandbox/services/github/seed.js'
import {demoGoogle, type GoogleState} from '../../src/lib/sandbox/services/google/seed.js'
import {SANDBOX_AUTH0_DOMAIN, SANDBOX_OPS_CLIENT_ID, seedTenant, type TenantState} from '../../src/lib/sandbox/services/auth0/seed.js'
import {runCli, type CliResult} from '../helpers/cli.js'
import type {TestSandbox} from '../helpers/sandbox.js'

/** The planted values: distinctive, so a hit is never a coincidence. */
export const PLANTED = {
  auth0: 'plantAuth0OpsSecret-7d1e93c5a2',
  github: 'ghp_plantGithubToken4b8e2f71c9',
  cloudflare: 'plantCloudflareToken-6a3f9d0e2b',
  google: 'ya29.plantGoogleToken-2c7b5e9f14',
  webhook: 'plantWebhookToken-9e4a1c7b3d',
  monitorHook: 'plantMonitorHookToken-5f2d8a6c1e',
  firebaseKeyId: 'plantFirebaseKeyId-3c9e7a1f5b',
  firebaseKey: 'plantFirebasePrivateKeyBody8f3a1d6c9e2b7',
}

export interface SecretsWorld {
  sb: TestSandbox
  dir: string
  env: Record<string, string>
  /** Files holding a planted value on purpose (the credentials file): not searched. */
  exempt: Set<string>
  backupId?: string
}

export interface SecretCommand {
  args: string[]
  /** Runs longer than a few seconds (the drill, the incident rehearsal): campaign only. */
  slow?: boolean
}

/** Every command of the README's table (logs --follow aside: it runs until Ctrl-C). `{backup}`: the id of a backup made first. */
export const COMMANDS: SecretCommand[] = [
  {args: ['status']},
  {args: ['deploy', '--all', '--yes']},
  {args: ['deploy', 'status']},
  {args: ['versions', 'etl']},
  {args: ['rollback', 'etl', '--yes']},
  {args: ['lambda', 'prune', '--yes']},
  {args: ['aurora', 'status']},
  {args: ['aurora', 'snapshot', '--yes']},
  {args: ['aurora', 'snapshots']},
  {args: ['aurora', 'prune', '--yes']},
  {args: ['aurora', 'restore', '--latest', '--target', 'impress-secrets-check', '--yes'], slow: true},
  {args: ['firebase', 'backup']},
  {args: ['firebase', 'backups']},
  {args: ['firebase', 'verify', '{backup}']},
  {args: ['firebase', 'restore', '{backup}', '--yes', '--to-database', 'impress-sandbox-scratch', '--overwrite']},
  {args: ['firebase', 'prune', '--yes']},
  {args: ['roles', 'export', '--stdout']},
  {args: ['roles', 'plan']},
  {args: ['roles', 'apply', '--yes']},
  {args: ['roles', 'rotate', '--yes']},
  {args: ['compliance', 'check']},
  {args: ['compliance', 'keys']},
  {args: ['access', 'authorized-keys', 'deploy']},
  {args: ['access', 'review']},
  {args: ['access', 'revoke', 'eve@impress.example', '--yes']},
  {args: ['notify', 'test']},
  {args: ['report', 'security', '--format', 'html', '--out', 'security.html']},
  {args: ['ci', 'init', '--dry-run']},
  {args: ['frontend', 'deploy', '--yes']},
  {args: ['frontend', 'versions']},
  {args: ['edge', 'check']},
  {args: ['edge', 'events', '--notify']},
  {args: ['logs', '--since', '1h', '--limit', '20']},
  {args: ['logs', '--patterns']},
  {args: ['logs', '--query', 'fields @message | limit 5']},
  {args: ['monitor', 'plan']},
  {args: ['monitor', 'apply', '--yes']},
  {args: ['monitor', 'status']},
  {args: ['monitor', 'test'], slow: true},
  {args: ['drill', '--yes'], slow: true},
  {args: ['drill', 'history']},
  {args: ['sandbox', 'env']},
  {args: ['sandbox', 'requests']},
  {args: ['audit', 'log']},
  {args: ['audit', 'verify']},
]

export type Mode = 'verbose' | 'json' | 'fault'

export interface SecretRun {
  args: string[]
  mode: Mode
  exitCode: number
  hits: {secret: string; where: string}[]
  filesSearched: number
}

/** Put the planted values where the sandbox accepts them (after a reset). */
export function plantInSandbox(sb: TestSandbox): void {
  const state = sb.host.state
  const tenant = state.open<TenantState>('auth0', SANDBOX_AUTH0_DOMAIN, () => seedTenant(SANDBOX_AUTH0_DOMAIN)).data
  for (const c of tenant.clients) c.client_secret = c.client_id === SANDBOX_OPS_CLIENT_ID ? PLANTED.auth0 : `plantAuth0Client-${c.client_id}-e5b1`
  state.open<GithubState>('github', 'org', demoGithub).data.tokens[PLANTED.github] = 'alice-imp'
  state.open<CloudflareState>('cloudflare', 'accounts', demoCloudflare).data.tokens.push(PLANTED.cloudflare)
  state.open<GoogleState>('google', 'directory', demoGoogle).data.tokens.push(PLANTED.google)
}

/** The secrets to look for now: the planted ones and the Auth0 client secrets the tenant holds (rotated ones included). */
export function needles(sb: TestSandbox): string[] {
  const tenant = sb.host.state.open<TenantState>('auth0', SANDBOX_AUTH0_DOMAIN, () => seedTenant(SANDBOX_AUTH0_DOMAIN)).data
  const raw = new Set([...Object.values(PLANTED), ...tenant.clients.map((c) => c.client_secret)])
  const out = new Set<string>()
  for (const s of raw) {
    out.add(s)
    out.add(encodeURIComponent(s))
    out.add(Buffer.from(s).toString('base64').replace(/=+$/, ''))
  }
  return [...out]
}

async function control(sb: TestSandbox, method: string, p: string, body?: unknown): Promise<void> {
  const r = await fetch(`${sb.url}${p}`, {method, ...(body === undefined ? {} : {body: JSON.stringify(body)})})
  if (!r.ok) throw new Error(`${method} ${p}: HTTP ${r.status} ${await r.text()}`)
}

/**
 * A workspace written by `impress init --yes` whose sandbox environment reads every secret
 * through env: references, and the variables that hold the planted values.
 */
export async function makeSecretsWorld(sb: TestSandbox): Promise<SecretsWorld> {
  await control(sb, 'POST', '/_sandbox/reset')
  plantInSandbox(sb)
  const dir = sb.cwd
  const base = {...sb.env}
  const init = await runCli(['init', '--yes'], {env: base, cwd: dir})
  if (init.exitCode !== 0) throw new Error(`init: ${init.stderr}`)
  const credentials = path.join(dir, 'firebase-service-account.json')
  fs.writeFileSync(
    credentials,
    JSON.stringify({
      type: 'service_account',
      project_id: 'impress-sandbox',
      private_key_id: PLANTED.firebaseKeyId,
      private_key: `-----BEGIN PRIVATE KEY-----\n${PLANTED.firebaseKey}\n-----END PRIVATE KEY-----\n`,
      client_email: 'impress-ops@impress-sandbox.iam.gserviceaccount.com',
    }),
  )
  const file = path.join(dir, 'impress.config.yaml')
  const doc = parseDocument(fs.readFileSync(file, 'utf8'))
  doc.deleteIn(['environments', 'prod'])
  const e = ['environments', 'sandbox']
  doc.setIn([...e, 'auth0', 'clientSecret'], 'env:IMPRESS_PLANT_AUTH0')
  doc.setIn([...e, 'firebase', 'credentials'], 'env:IMPRESS_PLANT_FIREBASE_CREDENTIALS')
  doc.setIn([...e, 'compliance', 'github', 'token'], 'env:IMPRESS_PLANT_GITHUB')
  doc.setIn([...e, 'compliance', 'cloudflare', 'token'], 'env:IMPRESS_PLANT_CLOUDFLARE')
  doc.setIn([...e, 'compliance', 'google', 'accessToken'], 'env:IMPRESS_PLANT_GOOGLE')
  doc.setIn([...e, 'frontend', 'token'], 'env:IMPRESS_PLANT_GITHUB')
  doc.setIn([...e, 'edge', 'cloudflare', 'token'], 'env:IMPRESS_PLANT_CLOUDFLARE')
  doc.setIn([...e, 'notify', 'webhook'], 'env:IMPRESS_PLANT_WEBHOOK')
  doc.setIn([...e, 'notify', 'email'], 'ops@impress.example')
  doc.setIn([...e, 'monitoring', 'webhook'], 'env:IMPRESS_PLANT_MONITOR_WEBHOOK')
  fs.writeFileSync(file, doc.toString())
  const env = {
    ...base,
    IMPRESS_PLANT_AUTH0: PLANTED.auth0,
    IMPRESS_PLANT_FIREBASE_CREDENTIALS: credentials,
    IMPRESS_PLANT_GITHUB: PLANTED.github,
    IMPRESS_PLANT_CLOUDFLARE: PLANTED.cloudflare,
    IMPRESS_PLANT_GOOGLE: PLANTED.google,
    IMPRESS_PLANT_WEBHOOK: `${sb.url}/hooks/notify?token=${PLANTED.webhook}`,
    IMPRESS_PLANT_MONITOR_WEBHOOK: `${sb.url}/hooks/monitor?token=${PLANTED.monitorHook}`,
  }
  const w: SecretsWorld = {sb, dir, env, exempt: new Set([credentials])}
  const backup = await runCli(['firebase', 'backup', '--json'], {env, cwd: dir, timeout: 120_000})
  if (backup.exitCode !== 0) throw new Error(`firebase backup: ${backup.stderr.slice(-500)}`)
  w.backupId = JSON.parse(backup.stdout).id
  return w
}

function files(dirs: string[], skip: (p: string) => boolean): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, {withFileTypes: true})) {
      const p = path.join(d, e.name)
      if (skip(p)) continue
      if (e.isDirectory()) walk(p)
      else if (e.isFile()) out.push(p)
    }
  }
  for (const d of dirs) if (fs.existsSync(d)) walk(d)
  return out
}

/** Run one command in one mode and search every output for every secret. */
export async function sweep(w: SecretsWorld, c: SecretCommand, mode: Mode): Promise<SecretRun> {
  const args = c.args.map((a) => (a === '{backup}' ? w.backupId! : a))
  if (mode === 'fault') {
    // Every service fails its first answers (more than the clients retry): the error paths, which quote requests and URLs.
    await control(w.sb, 'POST', '/_sandbox/faults', {service: '*', kind: 'error', status: 503, times: 6})
  }
  let r: CliResult
  try {
    r = await runCli([...args, mode === 'json' ? '--json' : '--verbose'], {env: w.env, cwd: w.dir, timeout: 240_000})
  } finally {
    if (mode === 'fault') await control(w.sb, 'DELETE', '/_sandbox/faults')
  }
  const secrets = needles(w.sb)
  const hits: SecretRun['hits'] = []
  const look = (text: string, where: string) => {
    for (const s of secrets) if (text.includes(s)) hits.push({secret: s.slice(0, 12) + '…', where})
  }
  look(r.stdout, 'stdout')
  look(r.stderr, 'stderr')
  // The sandbox's own state holds the tenant and its secrets by design: it is the platform, not an output of impress.
  const sandboxDir = path.join(w.sb.home, 'sandbox')
  const searched = files([w.sb.home, w.dir], (p) => p === sandboxDir || w.exempt.has(p) || p.endsWith('node_modules'))
  for (const f of searched) {
    const b = fs.readFileSync(f)
    look(b.toString('utf8'), path.relative(path.dirname(w.sb.home), f))
    // gzip chunks (backups) are compressed: a secret inside would not show as text
    if (b[0] === 0x1f && b[1] === 0x8b) {
      const {gunzipSync} = await import('node:zlib')
      try {
        look(gunzipSync(b).toString('utf8'), `${path.relative(path.dirname(w.sb.home), f)} (gunzipped)`)
      } catch {
        // a partial chunk: its text is searched above
      }
    }
  }
  return {args, mode, exitCode: r.exitCode, hits, filesSearched: searched.length}
}
