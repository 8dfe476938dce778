/**
 * A secret written literally in the configuration: one warning line naming its path (never the
 * value) with an env:NAME hint, the value masked everywhere, and never copied into the config cache.
 */
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {findLiteralSecrets, suggestedVariable} from '../../src/lib/config/literal-secrets.js'
import {runCli, tempHome} from '../helpers/cli.js'

const SECRET = 'sk-live-PLANTED-7f3a9c2e'
const HOOK_TOKEN = 'T00HOOKTOKEN9x'
const PASS = 'smtp-pass-PLANTED-55'

function grepTree(dir: string, needle: string): string[] {
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, {withFileTypes: true, recursive: true}).flatMap((e) => {
    const file = path.join(e.parentPath, e.name)
    return e.isFile() && fs.readFileSync(file, 'utf8').includes(needle) ? [file] : []
  })
}

describe('findLiteralSecrets', () => {
  it('finds secrets by key name, URLs with a password and private keys; not env:NAME, ids or key-file paths', () => {
    const found = findLiteralSecrets({
      environments: {
        p: {
          auth0: {domain: 'x.auth0.com', clientId: 'abc', clientSecret: 'literal'},
          firebase: {credentials: './sa.json'},
          notify: {webhook: 'https://hooks.example/T1/B2/xyz', smtp: 'env:SMTP_URL'},
          compliance: {github: {org: 'o', token: 'env:GITHUB_TOKEN'}, cloudflare: {accountId: '9a78', token: 'cf-literal'}},
          aws: {endpoint: 'http://user:pw@127.0.0.1:1'},
          extra: {key: '-----BEGIN RSA PRIVATE KEY-----\nMII…'},
        },
      },
    }).map((f) => f.path)
    expect(found).toEqual([
      'environments.p.auth0.clientSecret',
      'environments.p.notify.webhook',
      'environments.p.compliance.cloudflare.token',
      'environments.p.aws.endpoint',
      'environments.p.extra.key',
    ])
    // A sandbox environment talks only to the local sandbox, whose demo credentials are public.
    expect(findLiteralSecrets({environments: {sandbox: {sandbox: {}, auth0: {clientSecret: 'impress-ops-sandbox-client-secret'}}}})).toEqual([])
    expect(findLiteralSecrets({firebase: {credentials: '{"private_key": "x"}'}}).map((f) => f.path)).toEqual(['firebase.credentials'])
    expect(suggestedVariable('environments.prod.auth0.clientSecret')).toBe('AUTH0_CLIENT_SECRET')
  })
})

describe('a literal secret in the configuration, end to end', () => {
  const t = tempHome('impress-trust2-secret-')
  afterAll(() => t.cleanup())
  const env = {IMPRESS_HOME: t.home}
  const write = (literal: boolean) =>
    fs.writeFileSync(
      path.join(t.cwd, 'impress.config.yaml'),
      [
        'defaultEnvironment: sandbox',
        'environments:',
        '  sandbox:',
        '    sandbox: {}',
        '    aurora: {cluster: impress-sandbox}',
        '  prod:',
        '    aurora: {cluster: impress-prod}',
        `    auth0: {domain: impress-sandbox.eu.auth0.com, clientId: impress-ops-sandbox, clientSecret: ${literal ? SECRET : 'env:AUTH0_CLIENT_SECRET'}}`,
        literal ? `    notify: {webhook: "https://hooks.example/services/${HOOK_TOKEN}", smtp: "smtp://ops:${PASS}@127.0.0.1:2525"}` : '    notify: {webhook: env:HOOK}',
        '',
      ].join('\n'),
    )

  it('warns once per key, names the path, never the value; the cache never holds it', async () => {
    // A clean file is cached (so the cache is really in play for this home)…
    write(false)
    const clean = await runCli(['drill', 'history', '--env', 'prod'], {env, cwd: t.cwd})
    expect(clean.exitCode, clean.stderr).toBe(0)
    expect(clean.stderr).not.toMatch(/written literally/)
    const cacheDir = path.join(t.home, 'cache', 'config')
    expect(grepTree(cacheDir, 'env:AUTH0_CLIENT_SECRET').length).toBe(1)

    // …a file with literal secrets is not, on every run.
    write(true)
    const outputs: string[] = []
    for (const args of [['drill', 'history', '--env', 'prod'], ['drill', 'history', '--env', 'prod', '--json'], ['drill', 'history', '--env', 'prod', '--verbose']]) {
      const r = await runCli(args, {env, cwd: t.cwd})
      expect(r.exitCode, r.stderr).toBe(0)
      outputs.push(r.stdout, r.stderr)
      const warnings = r.stderr.split('\n').filter((l) => l.includes('written literally'))
      expect(warnings.map((w) => w.match(/: (\S+) holds/)?.[1])).toEqual(['environments.prod.auth0.clientSecret', 'environments.prod.notify.webhook', 'environments.prod.notify.smtp'])
      expect(warnings[0]).toContain('env:AUTH0_CLIENT_SECRET')
    }
    for (const value of [SECRET, HOOK_TOKEN, PASS]) {
      expect(outputs.join('\n')).not.toContain(value)
      expect(grepTree(cacheDir, value)).toEqual([])
      expect(grepTree(t.home, value)).toEqual([])
    }
  }, 120_000)
})
