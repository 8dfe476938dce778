/**
 * The whole secrets sweep, on demand (`npm run reliability`, or this file alone:
 * `npx vitest run --config vitest.reliability.config.ts test/reliability/secrets.campaign.ts`):
 * every command of the README's table (secrets.ts COMMANDS) with --verbose, with --json and under
 * a sandbox fault; SECRETS_MODES="verbose json" restricts the modes, SECRETS_FAST=1 skips the slow
 * commands (drill, monitor test, aurora restore). Prints one line per run and writes
 * reports/reliability-secrets.json, whose figures docs/RELIABILITY.md quotes. Fails on any hit.
 */
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {COMMANDS, makeSecretsWorld, needles, sweep as sweepOne, type Mode, type SecretRun, type SecretsWorld} from './secrets.js'

const modes = (process.env.SECRETS_MODES?.split(/[ ,]/) as Mode[] | undefined) ?? (['verbose', 'json', 'fault'] as Mode[])
const commands = COMMANDS.filter((c) => !(process.env.SECRETS_FAST && c.slow))

let sb: TestSandbox
let world: SecretsWorld
const runs: SecretRun[] = []
beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.001})
  world = await makeSecretsWorld(sb)
}, 300_000)
afterAll(async () => {
  const secrets = sb ? needles(sb).length : 0
  await sb?.stop()
  const out = path.resolve('reports', 'reliability-secrets.json')
  fs.mkdirSync(path.dirname(out), {recursive: true})
  const hits = runs.reduce((n, r) => n + r.hits.length, 0)
  const summary = {commands: new Set(runs.map((r) => r.args.join(' '))).size, runs: runs.length, modes, secretsSearched: secrets, filesSearched: runs.reduce((n, r) => n + r.filesSearched, 0), hits, exits: runs.reduce<Record<string, number>>((t, r) => ({...t, [r.exitCode]: (t[r.exitCode] ?? 0) + 1}), {})}
  fs.writeFileSync(out, JSON.stringify({generatedAt: new Date().toISOString(), summary, runs}, null, 2) + '\n')
  console.log(`\n${JSON.stringify(summary)}\nwritten to ${out}`)
})

describe('reliability campaign: secrets', () => {
  for (const mode of modes) {
    it(mode, {timeout: 4 * 3600_000}, async () => {
      const mine: SecretRun[] = []
      for (const c of commands) {
        const r = await sweep(c, mode)
        mine.push(r)
        runs.push(r)
      }
      expect(mine.flatMap((r) => r.hits.map((h) => `${r.args.join(' ')} (${mode}): ${h.secret} in ${h.where}`))).toEqual([])
    })
  }
})

async function sweep(c: (typeof COMMANDS)[number], mode: Mode): Promise<SecretRun> {
  const t0 = Date.now()
  const r = await sweepOne(world, c, mode)
  console.log(`${mode} ${r.args.join(' ')}: exit ${r.exitCode}, ${r.filesSearched} files, ${r.hits.length} hits, ${Date.now() - t0} ms${r.hits.length ? ` ${JSON.stringify(r.hits)}` : ''}`)
  return r
}
