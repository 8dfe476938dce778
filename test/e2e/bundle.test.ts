/**
 * The bundle's loading machinery (scripts/bundle/, docs/perf/startup.md): the AWS SDK's code cache
 * is kept per command and bounded, and node:http2 is not loaded by the SDK until used.
 */
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')
const vendorModule = path.join(root, 'scripts/bundle/vendor.mjs')

describe('vendor code cache (scripts/bundle/vendor.mjs)', () => {
  let dir: string
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-vendor-cache-'))
    // A stand-in for dist/bundle/vendor.cjs: two packages, each a getter as in the real one.
    fs.writeFileSync(path.join(dir, 'vendor.cjs'), 'module.exports = {get one() { return {answer: () => 41 + 1} }, get two() { return {name: "two"} }}\n')
  })
  afterAll(() => fs.rmSync(dir, {recursive: true, force: true}))

  /** One process as the CLI runs it: the command's id is set (base-command init), then packages are used. */
  const run = (command: string | undefined, packages: string[]): string => {
    const script = [
      `import {vendorPackage} from ${JSON.stringify(pathToFileURL(vendorModule).href)}`,
      command === undefined ? '' : `globalThis[Symbol.for('impress-ops.command')] = ${JSON.stringify(command)}`,
      `const from = ${JSON.stringify(pathToFileURL(path.join(dir, 'chunks', 'x.js')).href)}`,
      `console.log(JSON.stringify(${JSON.stringify(packages)}.map((p) => vendorPackage(p, from))))`,
    ].join('\n')
    return execFileSync(process.execPath, ['--input-type=module', '-e', script], {encoding: 'utf8'}).trim()
  }
  const cacheDir = () => path.join(dir, 'vendor-cache')
  const caches = () => fs.readdirSync(cacheDir()).filter((f) => f.endsWith('.cache')).sort()

  it('writes one cache per command, listing the packages it holds, and rewrites it only when a run uses another package', () => {
    expect(run('deploy', ['one'])).toBe('[{}]') // functions do not survive JSON: the package was returned
    expect(caches()).toEqual(['deploy.cache'])
    expect(JSON.parse(fs.readFileSync(path.join(cacheDir(), 'deploy.json'), 'utf8'))).toEqual(['one'])
    const written = fs.statSync(path.join(cacheDir(), 'deploy.cache')).mtimeMs

    run('deploy', ['one']) // same package: the cache is used as it is
    expect(fs.statSync(path.join(cacheDir(), 'deploy.cache')).mtimeMs).toBe(written)

    expect(run('deploy', ['one', 'two'])).toBe('[{},{"name":"two"}]')
    expect(JSON.parse(fs.readFileSync(path.join(cacheDir(), 'deploy.json'), 'utf8'))).toEqual(['one', 'two'])

    run('aurora:status', ['two']) // another command: a cache of its own, the deploy's untouched
    expect(caches()).toEqual(['aurora-status.cache', 'deploy.cache'])
    expect(JSON.parse(fs.readFileSync(path.join(cacheDir(), 'aurora-status.json'), 'utf8'))).toEqual(['two'])
  })

  it('a run with no command id, or an id that is not a plain name, shares one fallback cache', () => {
    run(undefined, ['two'])
    run('../../etc/x', ['two'])
    expect(caches()).toContain('_.cache')
    expect(caches().some((f) => f.includes('etc'))).toBe(false)
  })

  it('keeps at most 12 caches, dropping the least recently written', () => {
    for (let i = 0; i < 14; i++) run(`cmd${String(i).padStart(2, '0')}`, ['one'])
    const left = caches()
    expect(left).toHaveLength(12)
    expect(left).toContain('cmd13.cache') // the newest is kept
    expect(left).not.toContain('deploy.cache') // the oldest went, with its package list
    expect(fs.existsSync(path.join(cacheDir(), 'deploy.json'))).toBe(false)
  })
})

describe('dist/bundle/vendor.cjs', () => {
  it('loads and configures an AWS client without loading node:http2 (made lazy at build time)', () => {
    const script = [
      `const v = require(${JSON.stringify(path.join(root, 'dist/bundle/vendor.cjs'))})`,
      `const {LambdaClient, GetAliasCommand} = v['@aws-sdk/client-lambda']`,
      `const c = new LambdaClient({region: 'eu-west-1', endpoint: 'http://127.0.0.1:9', credentials: {accessKeyId: 'a', secretAccessKey: 'b'}})`,
      `if (typeof GetAliasCommand !== 'function') throw new Error('no GetAliasCommand')`,
      `c.destroy()`,
      `console.log(JSON.stringify(process.moduleLoadList.filter((m) => /^NativeModule (http2|https|http)$/.test(m))))`,
    ].join('\n')
    const env = {...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'}
    const loaded = JSON.parse(execFileSync(process.execPath, ['-e', script], {encoding: 'utf8', env})) as string[]
    expect(loaded).toContain('NativeModule https') // the handler's default HTTPS agent is still built eagerly
    expect(loaded).not.toContain('NativeModule http2')
  })
})
