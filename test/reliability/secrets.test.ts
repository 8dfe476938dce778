/**
 * The CI slice of the secrets sweep (issue 17): planted secrets in every env: reference, the
 * Auth0 client secrets and the Firebase credentials; the commands that handle them run through
 * bin/run.js with --verbose, with --json and under a sandbox fault; stdout, stderr and every file
 * under IMPRESS_HOME and the workspace hold none of them. The whole sweep (every command of the
 * README, each mode): `npm run reliability` (docs/RELIABILITY.md).
 */
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {COMMANDS, makeSecretsWorld, needles, PLANTED, sweep, type Mode, type SecretRun, type SecretsWorld} from './secrets.js'

let sb: TestSandbox
let world: SecretsWorld
beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.001})
  world = await makeSecretsWorld(sb)
}, 180_000)
afterAll(async () => {
  await sb?.stop()
})

const pick = (name: string) => COMMANDS.find((c) => c.args.join(' ').startsWith(name))!

describe('reliability: secrets (CI slice)', {timeout: 300_000}, () => {
  it('the commands that read, send or rotate secrets leave none in stdout, stderr, reports, the audit log, journals or caches', async () => {
    const plan: [string, Mode][] = [
      ['roles rotate', 'verbose'],
      ['notify test', 'verbose'],
      ['notify test', 'fault'],
      ['compliance check', 'json'],
      ['monitor apply', 'json'],
      ['roles apply', 'fault'],
    ]
    const runs: SecretRun[] = []
    for (const [name, mode] of plan) runs.push(await sweep(world, pick(name), mode))
    const hits = runs.flatMap((r) => r.hits.map((h) => `${r.args.join(' ')} (${r.mode}): ${h.secret} in ${h.where}`))
    expect(hits).toEqual([])
    // The sweep looked where the secrets could land: files were there to search, and the secrets were used.
    expect(Math.min(...runs.map((r) => r.filesSearched))).toBeGreaterThan(5)
    expect(runs.find((r) => r.args[0] === 'notify' && r.mode === 'verbose')?.exitCode).toBe(0)
    const hook = (await (await fetch(`${sb.url}/hooks/notify`)).json()) as {messages: unknown[]}
    expect(hook.messages.length).toBeGreaterThan(0)
    // roles rotate made new Auth0 client secrets: they are searched for as well
    expect(runs.filter((r) => r.args[1] === 'rotate').map((r) => r.exitCode)).toEqual([0])
    expect(needles(sb).length).toBeGreaterThan(3 * Object.keys(PLANTED).length)
  })

  it('the sweep finds a secret that does reach a file (the search itself is checked)', async () => {
    const leak = path.join(world.dir, '.impress', 'leak-check.txt')
    fs.mkdirSync(path.dirname(leak), {recursive: true})
    fs.writeFileSync(leak, `webhook=${encodeURIComponent(world.env.IMPRESS_PLANT_WEBHOOK)}\n`)
    try {
      const r = await sweep(world, pick('sandbox env'), 'verbose')
      expect(r.hits.filter((h) => h.where.endsWith(path.join('.impress', 'leak-check.txt'))).length).toBeGreaterThan(0)
    } finally {
      fs.rmSync(leak)
    }
  })
})
