// Bench: `compliance check` over a large team on four services (Auth0 is wired by the lead).
// Prints wall time of the concurrent check vs the slowest service alone, requests vs the
// minimum pagination needs, and peak RSS. Usage: npm run build && node bench/compliance-check.mjs [members] [latencyMs]
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {IAMClient} from '@aws-sdk/client-iam'

const N = Number(process.argv[2] ?? 300)
const LATENCY = Number(process.argv[3] ?? 20)
const d = (p) => import(new URL(`../dist/lib/${p}`, import.meta.url).href)
const {SandboxHost} = await d('sandbox/host.js')
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
const host = new SandboxHost({stateDir: dir, port: 0, timeScale: 0.0005, publish: false})
const {url} = await host.start()
const people = Array.from({length: N}, (_, i) => ({login: `dev${i}`, email: `dev${i}@impress.example`}))
host.state.replace('github', 'org', {org: 'impress', members: people.map((p, i) => ({login: p.login, id: 1000 + i, role: i === 0 ? 'admin' : 'member', twoFactor: i % 10 !== 0})), outsideCollaborators: [], keys: {}, tokens: {t: 'dev0'}})
host.state.replace('iam', 'account', {createdAt: '2024-01-01T00:00:00Z', rootMfa: true, users: people.map((p, i) => iamUser(p.login, {console: true, mfa: i % 7 !== 0}))})
host.state.replace('cloudflare', 'accounts', {accounts: [{id: 'acc', name: 'IMPRESS', members: people.map((p, i) => cloudflareMember(p.email, i % 9 !== 0, i))}], tokens: ['t']})
host.state.replace('google', 'directory', {customerId: 'C1', domain: 'impress.example', users: people.map((p, i) => googleUser(p.email, i % 8 !== 0, i)), tokens: ['t']})
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
const alone = {}
for (const [name, src] of Object.entries(sources())) {
  const t = performance.now()
  await src.snapshot({leavers: []})
  alone[name] = performance.now() - t
}
await fetch(`${url}/_sandbox/requests`, {method: 'DELETE'})
const t0 = performance.now()
const report = await runComplianceCheck({loaded, failOn: 'high', allowUnreachable: true}, {sources: sources(), notConfigured: {auth0: 'bench'}})
const wall = performance.now() - t0
const counts = (await (await fetch(`${url}/_sandbox/requests`)).json()).counts
clearInterval(sample)
const slowest = Math.max(...Object.values(alone))
const total = (o) => Object.values(o ?? {}).reduce((a, b) => a + b, 0)
const minimum = {github: Math.ceil(N / 100) * 2 + 1, cloudflare: Math.ceil(N / 50), google: Math.ceil(N / 500), iam: 1 + 1 + 1 + Math.ceil(N / 100)}
console.log(`members: ${N}, injected latency per request: ${LATENCY} ms, findings: ${report.findings.length}`)
for (const [k, v] of Object.entries(alone)) console.log(`  ${k.padEnd(10)} alone: ${v.toFixed(0)} ms`)
console.log(`concurrent check wall: ${wall.toFixed(0)} ms = ${(wall / slowest).toFixed(2)}x the slowest service alone (target ≤ 1.3x)`)
for (const s of ['github', 'cloudflare', 'google', 'iam']) console.log(`  requests ${s.padEnd(10)} ${total(counts[s])} (pagination minimum ${minimum[s]}) ${JSON.stringify(counts[s])}`)
console.log(`peak RSS (CLI-side adapters + in-process sandbox): ${(peak / 1048576).toFixed(0)} MB (target < 150 MB)`)
iamClient.destroy()
await host.stop()
fs.rmSync(dir, {recursive: true, force: true})
