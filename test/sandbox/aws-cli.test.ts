/**
 * The sandbox is faithful beyond our own code: Debian's AWS CLI v2 (installed by .ci/run),
 * pointed at it with `impress sandbox env`, reads and changes the same platform.
 */
import {createHash, randomBytes} from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {sandboxEnvironment} from '../../src/lib/sandbox/environment.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

/** The AWS CLI found on PATH (AWS_CLI overrides), as a person runs it. */
function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, name)
    if (dir && fs.existsSync(file)) return file
  }
  return undefined
}
const AWS = process.env.AWS_CLI ?? onPath('aws') ?? 'aws'
// A pyenv shim finds its interpreter under PYENV_ROOT (default ~/.pyenv), which the isolated HOME would hide.
const PYENV_ROOT = process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv')
let sb: TestSandbox
beforeAll(async () => {
  sb = await startTestSandbox()
})
afterAll(async () => {
  await sb.stop()
})

async function run(args: string[], cwd?: string) {
  const env = {...sandboxEnvironment(sb.url), AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '', ...(fs.existsSync(PYENV_ROOT) ? {PYENV_ROOT} : {})}
  // Debian bookworm ships CLI 2.9, older than AWS_ENDPOINT_URL support (2.13): pass --endpoint-url too.
  return execa(AWS, [...args, '--endpoint-url', sb.url, '--output', 'json'], {env: {...env, PATH: process.env.PATH, HOME: sb.home}, extendEnv: false, reject: false, timeout: 120_000, cwd})
}

async function aws(...args: string[]): Promise<unknown> {
  const r = await run(args)
  expect(r.exitCode, `aws ${args.join(' ')}: ${r.stderr}`).toBe(0)
  // the high-level s3 commands print lines of text, the API commands JSON
  return /^\s*[[{]/.test(String(r.stdout)) ? JSON.parse(String(r.stdout)) : String(r.stdout)
}

/** A command the sandbox must refuse: non-zero exit, the error names NotImplemented and what is not modelled. */
async function refused(what: string, ...args: string[]): Promise<void> {
  const r = await run(args)
  expect(r.exitCode, `aws ${args.join(' ')} should fail`).not.toBe(0)
  expect(String(r.stderr)).toContain('NotImplemented')
  expect(String(r.stderr)).toContain(what)
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

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
  }, 240_000)
})

describe('S3 through the AWS CLI (high-level s3 commands and s3api)', () => {
  it('cp of a 20 MB object up and back is byte-identical (multipart and ranged GETs); mv keeps the bytes and drops the source', async () => {
    const dir = fs.mkdtempSync(path.join(sb.home, 's3-'))
    const data = randomBytes(20 * 1024 * 1024 + 777)
    fs.writeFileSync(path.join(dir, 'big.bin'), data)
    await aws('s3', 'cp', path.join(dir, 'big.bin'), 's3://impress-backups/cli/big.bin', '--only-show-errors')
    await aws('s3', 'cp', 's3://impress-backups/cli/big.bin', path.join(dir, 'back.bin'), '--only-show-errors')
    const back = fs.readFileSync(path.join(dir, 'back.bin'))
    expect(back.length).toBe(data.length)
    expect(sha(back)).toBe(sha(data))
    await aws('s3', 'mv', 's3://impress-backups/cli/big.bin', 's3://impress-backups/cli/moved/big.bin', '--only-show-errors')
    await aws('s3', 'cp', 's3://impress-backups/cli/moved/big.bin', path.join(dir, 'moved.bin'), '--only-show-errors')
    expect(sha(fs.readFileSync(path.join(dir, 'moved.bin')))).toBe(sha(data))
    const listed = (await aws('s3api', 'list-objects-v2', '--bucket', 'impress-backups', '--prefix', 'cli/')) as {Contents: {Key: string; Size: number}[]}
    expect(listed.Contents.map((c) => [c.Key, c.Size])).toEqual([['cli/moved/big.bin', data.length]])
    const log = (await (await fetch(`${sb.url}/_sandbox/requests?service=s3`)).json()) as {counts: {s3: Record<string, number>}}
    // the download was ranged, the copy was a multipart copy: both paths were exercised
    expect(log.counts.s3.UploadPartCopy).toBeGreaterThanOrEqual(2)
    expect(log.counts.s3.GetObject).toBeGreaterThanOrEqual(3)
  }, 240_000)

  it('ls lists buckets and keys; metadata and content type survive cp and mv; rm --recursive empties a prefix', async () => {
    const dir = fs.mkdtempSync(path.join(sb.home, 's3-'))
    const tree = path.join(dir, 'tree')
    for (const k of ['a/1.txt', 'a/2.txt', 'a/deep/3.txt', 'b with space+plus.txt']) {
      fs.mkdirSync(path.dirname(path.join(tree, k)), {recursive: true})
      fs.writeFileSync(path.join(tree, k), 'hello, sandbox\n')
    }
    expect(await aws('s3', 'mb', 's3://cli-scratch')).toContain('make_bucket: cli-scratch')
    const buckets = (await aws('s3api', 'list-buckets')) as {Buckets: {Name: string}[]}
    expect(buckets.Buckets.map((b) => b.Name)).toEqual(['cli-scratch', 'impress-audit-anchors', 'impress-backups'])
    await aws('s3', 'cp', '--recursive', tree, 's3://cli-scratch/', '--metadata', 'owner=alice,team=ops', '--content-type', 'text/plain', '--only-show-errors')
    const ls = await run(['s3', 'ls', 's3://cli-scratch/'])
    expect(ls.exitCode, String(ls.stderr)).toBe(0)
    expect(String(ls.stdout)).toMatch(/PRE a\//)
    expect(String(ls.stdout)).toContain('b with space+plus.txt')
    await aws('s3', 'mv', 's3://cli-scratch/b with space+plus.txt', 's3://cli-scratch/c.txt', '--only-show-errors')
    const head = (await aws('s3api', 'head-object', '--bucket', 'cli-scratch', '--key', 'c.txt')) as {Metadata: Record<string, string>; ContentType: string; ContentLength: number}
    expect(head).toMatchObject({Metadata: {owner: 'alice', team: 'ops'}, ContentType: 'text/plain', ContentLength: 15})
    const part = (await aws('s3api', 'get-object', '--bucket', 'cli-scratch', '--key', 'c.txt', '--range', 'bytes=7-13', path.join(dir, 'part.txt'))) as {ContentRange: string; ContentLength: number}
    expect(part).toMatchObject({ContentRange: 'bytes 7-13/15', ContentLength: 7})
    expect(fs.readFileSync(path.join(dir, 'part.txt'), 'utf8')).toBe('sandbox')
    await refused('multiple byte ranges', 's3api', 'get-object', '--bucket', 'cli-scratch', '--key', 'c.txt', '--range', 'bytes=0-1,5-6', path.join(dir, 'x'))
    await aws('s3', 'rm', '--recursive', 's3://cli-scratch/a/', '--only-show-errors')
    const left = (await aws('s3api', 'list-objects-v2', '--bucket', 'cli-scratch')) as {Contents: {Key: string}[]}
    expect(left.Contents.map((c) => c.Key)).toEqual(['c.txt'])
    const del = (await aws('s3api', 'delete-objects', '--bucket', 'cli-scratch', '--delete', 'Objects=[{Key=c.txt},{Key=never-was.txt}]')) as {Deleted: {Key: string}[]}
    expect(del.Deleted.map((d) => d.Key).sort()).toEqual(['c.txt', 'never-was.txt'])
    await aws('s3', 'rb', 's3://cli-scratch')
    await refused('ListObjectVersions', 's3api', 'list-object-versions', '--bucket', 'impress-backups')
    await refused('x-amz-tagging', 's3api', 'put-object', '--bucket', 'impress-backups', '--key', 't', '--tagging', 'a=b')
  }, 240_000)
})

describe('the first read operations a person reaches for, and explicit refusals', () => {
  it('Lambda, RDS and IAM answer list/describe calls with AWS pagination followed by the CLI', async () => {
    const fns = (await aws('lambda', 'list-functions')) as {Functions: {FunctionName: string; Version: string}[]}
    // five functions over pages of at most four: the CLI followed NextMarker
    expect(fns.Functions.map((f) => f.FunctionName).sort()).toEqual(['impress-compute', 'impress-etl', 'impress-message', 'impress-pdf', 'impress-request'])
    const all = (await aws('lambda', 'list-functions', '--function-version', 'ALL')) as {Functions: {FunctionName: string; Version: string}[]}
    expect(all.Functions.filter((f) => f.FunctionName === 'impress-pdf').map((f) => f.Version)).toEqual(['$LATEST', '1', '2', '3'])
    const versions = (await aws('lambda', 'list-versions-by-function', '--function-name', 'impress-etl')) as {Versions: {Version: string}[]}
    expect(versions.Versions.map((v) => v.Version)).toEqual(['$LATEST', '1', '2', '3'])
    const fn = (await aws('lambda', 'get-function', '--function-name', 'impress-etl')) as {Configuration: {FunctionName: string}; Tags: Record<string, string>}
    expect(fn).toMatchObject({Configuration: {FunctionName: 'impress-etl'}, Tags: {module: 'etl'}})
    const instances = (await aws('rds', 'describe-db-instances')) as {DBInstances: {DBInstanceIdentifier: string}[]}
    expect(instances.DBInstances.map((i) => i.DBInstanceIdentifier)).toEqual(['impress-sandbox-writer', 'impress-sandbox-replica-1'])
    expect(await aws('rds', 'describe-db-snapshots')).toEqual({DBSnapshots: []})
    const manual = (await aws('rds', 'describe-db-cluster-snapshots', '--filters', 'Name=snapshot-type,Values=manual')) as {DBClusterSnapshots: {SnapshotType: string}[]}
    expect(manual.DBClusterSnapshots.length).toBeGreaterThan(0)
    expect(new Set(manual.DBClusterSnapshots.map((x) => x.SnapshotType))).toEqual(new Set(['manual']))
    const users = (await aws('iam', 'list-users')) as {Users: {UserName: string}[]}
    expect(users.Users.length).toBeGreaterThan(0)
  }, 240_000)

  it('what the sandbox does not model is refused with NotImplemented naming it, never answered', async () => {
    await refused('ListRoles', 'iam', 'list-roles')
    await refused('GetAccountSettings', 'lambda', 'get-account-settings')
    await refused('ListMetrics', 'cloudwatch', 'list-metrics')
    await refused('Filters', 'secretsmanager', 'list-secrets', '--filters', 'Key=name,Values=impress')
    await refused('MasterRegion', 'lambda', 'list-functions', '--master-region', 'eu-west-1', '--function-version', 'ALL')
  }, 240_000)
})
