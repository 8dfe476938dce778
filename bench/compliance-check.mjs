// Bench: `compliance check` over a large team on four services (Auth0 is wired by the lead).
// Prints wall time of the concurrent check vs the slowest service alone, requests vs the
// minimum pagination needs, and peak RSS. Usage: npm run build && node bench/compliance-check.mjs [members] [latencyMs]
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {spawnSync} from 'node:child_process'
import {startSandboxProcess} from './lib.mjs'
import {fileURLToPath} from 'node:url'
import {performance} from 'node:perf_hooks'
import {setInterval, clearInterval} from 'node:timers'
import {IAMClient} from '@aws-sdk/client-iam'

const N = Number(process.argv[2] ?? 300)
const LATENCY = Number(process.argv[3] ?? 20)
const d = (p) => import(new URL(`../dist/lib/${p}`, import.meta.url).href)
const {GithubAdapter} = await d('platform/github/org.js')
const {CloudflareAdapter} = await d('platform/cloudflare/members.js')
const {GoogleAdapter} = await d('platform/google/directory.js')
const {IamAdapter} = await d('platform/aws/iam.js')
const {runComplianceCheck} = await d('compliance/check.js')
const {parseRoster} = await d('compliance/roster.js')
const {iamUser} = await d('sandbox/services/iam/seed.js')
const {cloudflareMember} = await d('sandbox/services/cloudflare/seed.js')
const {googleUser} = await d('sandbox/services/google/seed.js')

let peak = 0
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-bench-'))
const people = Array.from({length: N}, (_, i) => ({login: `dev${i}`, email: `dev${i}@impress.example`}))
const seed = (service, name, data) => {
  fs.mkdirSync(path.join(dir, 'state', service), {recursive: true})
  fs.writeFileSync(path.join(dir, 'state', service, `${name}.json`), JSON.stringify(data))
}
seed('github', 'org', {org: 'impress', members: people.map((p, i) => ({login: p.login, id: 1000 + i, role: i === 0 ? 'admin' : 'member', twoFactor: i % 10 !== 0})), outsideCollaborators: [], keys: {}, tokens: {t: 'dev0'}})
seed('iam', 'account', {createdAt: '2024-01-01T00:00:00Z', rootMfa: true, users: people.map((p, i) => iamUser(p.login, {console: true, mfa: i % 7 !== 0}))})
seed('cloudflare', 'accounts', {accounts: [{id: 'acc', name: 'IMPRESS', members: people.map((p, i) => cloudflareMember(p.email, i % 9 !== 0, i))}], tokens: ['t']})
seed('google', 'directory', {customerId: 'C1', domain: 'impress.example', users: people.map((p, i) => googleUser(p.email, i % 8 !== 0, i)), tokens: ['t']})
// The sandbox runs in its own process, as it does for the CLI: the CLI's memory is measured alone.
const {url, child} = await startSandboxProcess(dir, 0.0005)
if (LATENCY > 0) await fetch(`${url}/_sandbox/faults`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({service: '*', kind: 'latency', ms: LATENCY})})
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
const iamClient = new IAMClient({region: 'eu-west-1', endpoint: url, credentials: {accessKeyId: 'sandbox', secretAccessKey: 'sandbox'}})
const sources = () => ({
  aws: new IamAdapter({client: iamClient, timeScale: 0.0005}),
  github: new GithubAdapter({token: 't', org: 'impress', baseUrl: `${url}/github`}),
  cloudflare: new CloudflareAdapter({token: 't', accountId: 'acc', baseURL: `${url}/cloudflare/client/v4`}),
  google: new GoogleAdapter({customer: 'my_customer', accessToken: 't', rootUrl: `${url}/google/`}),
})
const yaml = `members:\n${people.map((p) => `  - {name: ${p.login}, email: ${p.email}, role: ops, accounts: {github: ${p.login}, aws: ${p.login}}}`).join('\n')}\n`
const loaded = parseRoster(yaml, 'team.yaml')
// Warm up (SDK imports, first credential report), then measure each service alone.
await runComplianceCheck({loaded, failOn: 'high', allowUnreachable: true}, {sources: sources(), notConfigured: {}})
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const RUNS = 5
const alone = {}
for (const name of Object.keys(sources())) {
  const times = []
  for (let r = 0; r < RUNS; r++) {
    const src = sources()[name]
    const t = performance.now()
    await src.snapshot({leavers: []})
    times.push(performance.now() - t)
  }
  alone[name] = median(times)
}
const walls = []
let report
for (let r = 0; r < RUNS; r++) {
  await fetch(`${url}/_sandbox/requests`, {method: 'DELETE'})
  const t0 = performance.now()
  report = await runComplianceCheck({loaded, failOn: 'high', allowUnreachable: true}, {sources: sources(), notConfigured: {auth0: 'bench'}})
  walls.push(performance.now() - t0)
}
const wall = median(walls)
const counts = (await (await fetch(`${url}/_sandbox/requests`)).json()).counts
clearInterval(sample)
const slowest = Math.max(...Object.values(alone))
const total = (o) => Object.values(o ?? {}).reduce((a, b) => a + b, 0)
const minimum = {github: Math.ceil(N / 100) + Math.ceil(Math.ceil(N / 10) / 100) + 1, cloudflare: Math.ceil(N / 50), google: Math.ceil(N / 500), iam: 1 + 1 + 1 + Math.ceil(N / 100)}
console.log(`members: ${N}, injected latency per request: ${LATENCY} ms, findings: ${report.findings.length}`)
for (const [k, v] of Object.entries(alone)) console.log(`  ${k.padEnd(10)} alone: ${v.toFixed(0)} ms (median of ${RUNS})`)
console.log(`concurrent check wall: ${wall.toFixed(0)} ms (median of ${RUNS}) = ${(wall / slowest).toFixed(2)}x the slowest service alone (target ≤ 1.3x)`)
for (const s of ['github', 'cloudflare', 'google', 'iam']) console.log(`  requests ${s.padEnd(10)} ${total(counts[s])} (pagination minimum ${minimum[s]}) ${JSON.stringify(counts[s])}`)
console.log(`peak RSS of the checking process (sandbox in its own process): ${(peak / 1048576).toFixed(0)} MB (target < 150 MB)`)
iamClient.destroy()
// The real CLI, end to end, as a child process: its peak RSS is what a CI job pays.
const work = path.join(dir, 'work')
fs.mkdirSync(work)
fs.writeFileSync(path.join(work, 'team.yaml'), yaml)
fs.writeFileSync(
  path.join(work, 'impress.config.yaml'),
  `environments:\n  bench:\n    sandbox: {url: "${url}"}\n    aws: {region: eu-west-1}\n    compliance: {roster: ./team.yaml, github: {org: impress, token: t}, cloudflare: {accountId: acc, token: t}, google: {accessToken: t}}\n`,
)
const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const cli = spawnSync('/usr/bin/time', ['-f', '%M %e', process.execPath, bin, 'compliance', 'check', '--json'], {cwd: work, env: {...process.env, IMPRESS_HOME: path.join(dir, 'home'), CI: 'true'}, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
const [maxKb, secs] = cli.stderr.trim().split('\n').pop().split(' ')
console.log(`CLI \`impress compliance check --json\` (${N} members): exit ${cli.status}, ${JSON.parse(cli.stdout).findings.length} findings, ${secs} s wall incl. startup, peak RSS ${(Number(maxKb) / 1024).toFixed(0)} MB (target < 150 MB)`)
child.kill('SIGTERM')
fs.rmSync(dir, {recursive: true, force: true})
