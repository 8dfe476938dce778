import {GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {afterAll, describe, expect, it} from 'vitest'
import {runCli, tempHome} from '../helpers/cli.js'
import {awsTestConfig} from '../helpers/sandbox.js'

describe('impress sandbox (as a user runs it)', () => {
  const t = tempHome()
  const env = {IMPRESS_HOME: t.home}
  afterAll(async () => {
    await runCli(['sandbox', 'stop'], {env, cwd: t.cwd})
    t.cleanup()
  })

  it('with no config, a command starts the sandbox on demand and says so on stderr', async () => {
    const r = await runCli(['sandbox', 'env'], {env, cwd: t.cwd})
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toMatch(/Started the sandbox platform at http:\/\/127\.0\.0\.1:\d+/)
    expect(r.stdout).toMatch(/^export AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:\d+$/m)
    expect(r.stdout).toMatch(/^export AWS_EC2_METADATA_DISABLED=true$/m)
    const again = await runCli(['sandbox', 'env', '--json'], {env, cwd: t.cwd})
    expect(again.stderr).not.toMatch(/Started/)
    expect(JSON.parse(again.stdout).AWS_ENDPOINT_URL).toMatch(/^http:/)
  })

  it('stop, then start again: the state survives; faults and counts through the CLI', async () => {
    const url = JSON.parse((await runCli(['sandbox', 'env', '--json'], {env, cwd: t.cwd})).stdout).AWS_ENDPOINT_URL as string
    await new SecretsManagerClient(awsTestConfig(url)).send(new PutSecretValueCommand({SecretId: 'impress/sandbox/auth0-backend', SecretString: 'second-version'}))
    const stop = await runCli(['sandbox', 'stop'], {env, cwd: t.cwd})
    expect(stop.exitCode).toBe(0)
    expect(stop.stdout).toMatch(/stopped/)
    const start = await runCli(['sandbox', 'start', '--port', '0'], {env, cwd: t.cwd})
    expect(start.exitCode).toBe(0)
    const ready = /^impress sandbox ready at (http:\/\/127\.0\.0\.1:\d+)/m.exec(start.stdout)
    expect(ready).not.toBeNull()
    const url2 = ready![1]
    const v = await new SecretsManagerClient(awsTestConfig(url2)).send(new GetSecretValueCommand({SecretId: 'impress/sandbox/auth0-backend'}))
    expect(v.SecretString).toBe('second-version')

    const f = await runCli(['sandbox', 'fault', '--service', 'secretsmanager', '--kind', 'throttle', '--times', '1', '--retry-after', '0'], {env, cwd: t.cwd})
    expect(f.exitCode).toBe(0)
    await new SecretsManagerClient(awsTestConfig(url2)).send(new GetSecretValueCommand({SecretId: 'impress/sandbox/auth0-backend'}))
    const req = await runCli(['sandbox', 'requests', '--json'], {env, cwd: t.cwd})
    // one read after the restart, then a throttled attempt and its retry
    expect(JSON.parse(req.stdout).counts.secretsmanager.GetSecretValue).toBe(3)
    const bad = await runCli(['sandbox', 'fault', '--service', 'secretsmanager'], {env, cwd: t.cwd})
    expect(bad.exitCode).toBe(2)
  })
})
