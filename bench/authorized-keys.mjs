// Bench: `impress access authorized-keys USER`, the command sshd runs at every login.
// Warm: a fresh cached answer (bin/run.js answers before loading oclif), against `node -e 0`
// (target: at most 1.5x). Cold: the cache emptied before each run, so the full command asks
// the sandbox's GitHub for every member's keys. Interleaved rounds; medians.
// Usage: npm run build && node bench/authorized-keys.mjs [members] [rounds]
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {execFileSync, spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {performance} from 'node:perf_hooks'
import sshpk from 'sshpk'

const N = Number(process.argv[2] ?? 10)
const ROUNDS = Number(process.argv[3] ?? 15)
const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-bench-keys-'))
const people = Array.from({length: N}, (_, i) => ({login: `dev${i}`, email: `dev${i}@impress.example`}))
const keys = Object.fromEntries(
  people.map((p, i) => {
    const {publicKey} = crypto.generateKeyPairSync('rsa', {modulusLength: 3072})
    return [p.login, [{id: 1000 + i, key: sshpk.parseKey(publicKey.export({type: 'spki', format: 'pem'}), 'pem').toString('ssh')}]]
  }),
)
const state = path.join(dir, 'sandbox')
fs.mkdirSync(path.join(state, 'state', 'github'), {recursive: true})
fs.writeFileSync(path.join(state, 'state', 'github', 'org.json'), JSON.stringify({org: 'impress', members: people.map((p, i) => ({login: p.login, id: 1000 + i, role: i === 0 ? 'admin' : 'member', twoFactor: true})), outsideCollaborators: [], keys, tokens: {t: 'dev0'}}))
const child = spawn(process.execPath, [fileURLToPath(new URL('../dist/lib/sandbox/main.js', import.meta.url)), '--state', state, '--port', '0', '--time-scale', '0.001'], {stdio: ['ignore', 'pipe', 'inherit']})
const url = await new Promise((resolve, reject) => {
  let buf = ''
  child.stdout.on('data', (d) => {
    buf += d
    const m = /http:\/\/127\.0\.0\.1:\d+/.exec(buf)
    if (m) resolve(m[0])
  })
  child.on('exit', (c) => reject(new Error(`sandbox exited ${c}`)))
})
const work = path.join(dir, 'work')
fs.mkdirSync(work)
fs.writeFileSync(path.join(work, 'team.yaml'), `members:\n${people.map((p) => `  - {name: ${p.login}, email: ${p.email}, role: developer, accounts: {github: ${p.login}}}\n`).join('')}policy: {keys: {types: {rsa: 3072}, perDeveloper: 1}}\n`)
fs.writeFileSync(path.join(work, 'impress.config.yaml'), `environments:\n  bench:\n    sandbox: {url: "${url}"}\n    compliance: {roster: ./team.yaml, github: {org: impress, token: t}}\n`)
const env = {...process.env, IMPRESS_HOME: path.join(dir, 'home'), CI: 'true'}
const cacheDir = path.join(work, '.impress', 'bench', 'access')
const cases = [
  ['node -e 0', [process.execPath, ['-e', '0']], () => {}],
  ['authorized-keys, warm cache', [process.execPath, [bin, 'access', 'authorized-keys', 'impress']], () => {}],
  [`authorized-keys, cold (GitHub, ${N} members)`, [process.execPath, [bin, 'access', 'authorized-keys', 'impress']], () => fs.rmSync(cacheDir, {recursive: true, force: true})],
]
const first = execFileSync(process.execPath, [bin, 'access', 'authorized-keys', 'impress'], {cwd: work, env, encoding: 'utf8'})
if (first.trim().split('\n').length !== N) throw new Error(`expected ${N} key lines, got:\n${first}`)
const times = cases.map(() => [])
for (let round = 0; round < ROUNDS + 1; round++) {
  for (const [i, [, [cmd, args], before]] of cases.entries()) {
    before()
    const t0 = performance.now()
    execFileSync(cmd, args, {cwd: work, env, stdio: 'ignore'})
    if (round >= 1) times[i].push(performance.now() - t0)
  }
}
child.kill()
fs.rmSync(dir, {recursive: true, force: true})
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const base = median(times[0])
console.log(`access authorized-keys, median of ${ROUNDS} interleaved rounds (ms)`)
for (const [i, [name]] of cases.entries()) console.log(`${name.padEnd(40)} ${median(times[i]).toFixed(1).padStart(8)}  ${(median(times[i]) / base).toFixed(2)}x`)
const warm = median(times[1]) / base
console.log(warm <= 1.5 ? `OK: warm ${warm.toFixed(2)}x <= 1.5x node -e 0` : `OVER TARGET: warm ${warm.toFixed(2)}x > 1.5x node -e 0`)
