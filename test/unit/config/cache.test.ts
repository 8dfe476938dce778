// The loaded-environment cache: same inputs hit, any input that loadEnvironment reads misses.
import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {environmentCacheFile, readCachedEnvironment, writeCachedEnvironment} from '../../../src/lib/config/cache.js'
import {loadEnvironment} from '../../../src/lib/config/load.js'
import {runCli} from '../../helpers/cli.js'
import {tmpDir} from '../../helpers/tmp.js'

const CONFIG = (region: string) => `environments:\n  prod:\n    aws: {region: ${region}}\n  staging:\n    aws: {region: eu-west-2}\ndefaultEnvironment: prod\n`

describe('environment cache', () => {
  const root = tmpDir('cfg-cache-')
  const home = path.join(root, 'home')
  const file = path.join(root, 'impress.config.yaml')
  fs.writeFileSync(file, CONFIG('eu-west-1'))
  const opts = (extra: Record<string, unknown> = {}) => ({cwd: root, env: {IMPRESS_HOME: home}, ...extra})

  it('the key changes with the file’s bytes, the environment chosen, the home, the audit log variable and the version', () => {
    const base = environmentCacheFile(opts(), '1.0.0')
    expect(base).toMatch(new RegExp(`^${home}/cache/config/[0-9a-f]{32}\\.json$`))
    expect(environmentCacheFile(opts(), '1.0.0')).toBe(base)
    expect(environmentCacheFile(opts({envName: 'staging'}), '1.0.0')).not.toBe(base)
    expect(environmentCacheFile(opts({env: {IMPRESS_HOME: home, IMPRESS_ENV: 'staging'}}), '1.0.0')).not.toBe(base)
    expect(environmentCacheFile(opts({env: {IMPRESS_HOME: home, IMPRESS_AUDIT_LOG: '/tmp/a.jsonl'}}), '1.0.0')).not.toBe(base)
    expect(environmentCacheFile(opts(), '1.0.1')).not.toBe(base)
    fs.writeFileSync(file, CONFIG('eu-west-3'))
    expect(environmentCacheFile(opts(), '1.0.0')).not.toBe(base)
    fs.writeFileSync(file, CONFIG('eu-west-1'))
    expect(environmentCacheFile(opts(), '1.0.0')).toBe(base)
    // without a file (built-in sandbox environment) the key still exists, and differs
    const empty = tmpDir('cfg-cache-none-')
    expect(environmentCacheFile({cwd: empty, env: {IMPRESS_HOME: home}}, '1.0.0')).not.toBe(base)
    // a --config path that does not exist: no cache file, the loader reports the error
    expect(environmentCacheFile(opts({configPath: 'missing.yaml'}), '1.0.0')).toBeUndefined()
  })

  it('round-trips the loaded environment exactly; a corrupt entry reads as a miss; the file is private', () => {
    const cacheFile = environmentCacheFile(opts(), '1.0.0')!
    expect(readCachedEnvironment(cacheFile)).toBeUndefined()
    const loaded = loadEnvironment(opts())
    writeCachedEnvironment(cacheFile, loaded)
    expect(readCachedEnvironment(cacheFile)).toEqual(JSON.parse(JSON.stringify(loaded)))
    expect(fs.statSync(cacheFile).mode & 0o077).toBe(0)
    fs.writeFileSync(cacheFile, '{"half":')
    expect(readCachedEnvironment(cacheFile)).toBeUndefined()
  })

  it('end to end: an edited configuration is seen by the next command (no stale entry)', async () => {
    const dir = tmpDir('cfg-cache-e2e-')
    const cfg = path.join(dir, 'impress.config.yaml')
    const env = {IMPRESS_HOME: path.join(dir, 'home'), CI: 'true'}
    const run = () => runCli(['audit', 'log', '--json'], {env, cwd: dir})
    fs.writeFileSync(cfg, `environments:\n  prod:\n    aws: {region: eu-west-1}\naudit: {path: ./first.jsonl}\n`)
    fs.writeFileSync(path.join(dir, 'first.jsonl'), '')
    expect((await run()).exitCode).toBe(0)
    expect(fs.readdirSync(path.join(dir, 'home', 'cache', 'config'))).toHaveLength(1)
    // now break the file: a cached copy of the old one must not hide the error
    fs.writeFileSync(cfg, `environments:\n  prod:\n    aws: {region: not-a-region}\n`)
    const broken = await run()
    expect(broken.exitCode).toBe(2)
    expect(broken.stderr).toMatch(/region/)
  })
})
