/**
 * The sandbox is faithful beyond our own code: Debian's AWS CLI v2 (installed by .ci/run),
 * pointed at it with `impress sandbox env`, reads and changes the same platform.
 */
import fs from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {sandboxEnvironment} from '../../src/lib/sandbox/environment.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

const AWS = process.env.AWS_CLI ?? '/usr/bin/aws'
let sb: TestSandbox
beforeAll(async () => {
  sb = await startTestSandbox()
})
afterAll(async () => {
  await sb.stop()
})

async function aws(...args: string[]): Promise<unknown> {
  const env = {...sandboxEnvironment(sb.url), AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: ''}
  // Debian bookworm ships CLI 2.9, older than AWS_ENDPOINT_URL support (2.13): pass --endpoint-url too.
  const r = await execa(AWS, [...args, '--endpoint-url', sb.url, '--output', 'json'], {env: {...env, PATH: process.env.PATH, HOME: sb.home}, extendEnv: false, reject: false, timeout: 60_000})
  expect(r.exitCode, `aws ${args.join(' ')}: ${r.stderr}`).toBe(0)
  return r.stdout ? JSON.parse(String(r.stdout)) : undefined
}

describe('the AWS CLI against the sandbox', () => {
  it('is installed (Debian package awscli, installed by .ci/run)', () => {
    expect(fs.existsSync(AWS), `${AWS} is missing`).toBe(true)
  })

  it('STS, RDS, Lambda and Secrets Manager answer it; a change it makes is seen by impress', async () => {
    expect(await aws('sts', 'get-caller-identity')).toMatchObject({Account: '000000000000', Arn: 'arn:aws:iam::000000000000:user/sandbox-operator'})
    const clusters = (await aws('rds', 'describe-db-clusters')) as {DBClusters: {DBClusterIdentifier: string; DBClusterMembers: unknown[]}[]}
    expect(clusters.DBClusters.map((c) => c.DBClusterIdentifier)).toEqual(['impress-sandbox'])
    expect(clusters.DBClusters[0].DBClusterMembers).toHaveLength(2)
    const aliases = (await aws('lambda', 'list-aliases', '--function-name', 'impress-pdf')) as {Aliases: {Name: string; FunctionVersion: string}[]}
    expect(aliases.Aliases.map((a) => `${a.Name}=${a.FunctionVersion}`)).toEqual(['live=3'])
    await aws('lambda', 'update-alias', '--function-name', 'impress-pdf', '--name', 'live', '--function-version', '2')
    const r = await execa(process.execPath, [path.resolve(import.meta.dirname, '../../bin/run.js'), 'versions', 'pdf', '--json'], {env: {...sb.env, CI: 'true'}, cwd: sb.cwd, reject: false})
    expect(r.exitCode, String(r.stderr)).toBe(0)
    expect(JSON.parse(String(r.stdout)).aliases).toContainEqual({name: 'live', functionVersion: '2'})
    const secret = (await aws('secretsmanager', 'describe-secret', '--secret-id', 'impress/sandbox/auth0-backend')) as {Name: string}
    expect(secret.Name).toBe('impress/sandbox/auth0-backend')
    const paged = (await aws('rds', 'describe-db-cluster-snapshots', '--db-cluster-identifier', 'impress-sandbox')) as {DBClusterSnapshots: unknown[]}
    // the CLI follows Marker pagination itself: a week of automated snapshots and two manual ones
    expect(paged.DBClusterSnapshots.length).toBeGreaterThanOrEqual(9)
  })
})
