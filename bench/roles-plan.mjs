// Requests and time of `roles plan` and `roles apply` on a large tenant (run after `npm run build`):
//   node bench/roles-plan.mjs [--roles 50] [--perms 20] [--users 10000] [--missing 1000]
// An in-process sandbox host serves a tenant of ROLES roles x PERMS permissions and USERS users,
// of whom MISSING lack the default role. Prints the requests `plan` made against the minimum the
// pagination needs, and the requests `apply` made to assign the default role (batch endpoint).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {parseArgs} from 'node:util'
import {performance} from 'node:perf_hooks'
import {SandboxHost} from '../dist/lib/sandbox/host.js'
import {makeUser, seedTenant, apiIdentifier, SANDBOX_OPS_CLIENT_ID, SANDBOX_OPS_CLIENT_SECRET} from '../dist/lib/sandbox/services/auth0/seed.js'
import {Auth0Adapter, ASSIGN_BATCH, OFFSET_LIMIT, PAGE_SIZE} from '../dist/lib/platform/auth0/management.js'
import {exportRoles, renderRolesYaml} from '../dist/lib/roles/export.js'
import {parseRolesFile} from '../dist/lib/roles/file.js'
import {runApply, runPlan} from '../dist/lib/roles/apply.js'

const {values} = parseArgs({options: {roles: {type: 'string', default: '50'}, perms: {type: 'string', default: '20'}, users: {type: 'string', default: '10000'}, missing: {type: 'string', default: '1000'}}})
const ROLES = Number(values.roles)
const PERMS = Number(values.perms)
const USERS = Number(values.users)
const MISSING = Number(values.missing)
const DOMAIN = 'bench.sandbox.auth0.com'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-bench-roles-'))
const host = new SandboxHost({stateDir: dir, port: 0, timeScale: 0.001, publish: false})
const {url} = await host.start()

// The tenant: 5 APIs of PERMS scopes; ROLES roles of PERMS permissions each; USERS users.
const t = seedTenant(DOMAIN)
t.resourceServers = t.resourceServers.filter((r) => r.is_system)
const apis = Array.from({length: 5}, (_, i) => `bench${i}`)
for (const a of apis) t.resourceServers.push({id: `rs_${a}`, name: `impress-${a}`, identifier: apiIdentifier(a), scopes: Array.from({length: PERMS}, (_, k) => ({value: `${k % 2 ? 'write' : 'read'}:thing${k}`, description: 'x'})), signing_alg: 'RS256', token_lifetime: 86400})
t.users = Array.from({length: USERS}, (_, i) => makeUser(`u${String(i).padStart(5, '0')}@impress.example`, i))
t.roles = []
t.rolePermissions = {}
t.roleUsers = {}
const add = (name, api, members) => {
  const id = `rol_${name}`
  t.roles.push({id, name, description: ''})
  t.rolePermissions[id] = Array.from({length: api ? PERMS : 1}, (_, k) => ({resource_server_identifier: apiIdentifier(api ?? 'bench0'), permission_name: `${k % 2 ? 'write' : 'read'}:thing${k}`}))
  t.roleUsers[id] = members
}
add('USER', 'bench0', t.users.slice(MISSING).map((u) => u.user_id))
for (let r = 1; r < ROLES; r++) add(`role-${String(r).padStart(2, '0')}`, apis[r % 5], t.users.filter((_, i) => i % ROLES === r).slice(0, 40).map((u) => u.user_id))
host.state.replace('auth0', DOMAIN, t)

const count = () => host.requests.snapshot(false, 'auth0').counts.auth0 ?? {}
const adapter = () => new Auth0Adapter({domain: DOMAIN, clientId: SANDBOX_OPS_CLIENT_ID, clientSecret: SANDBOX_OPS_CLIENT_SECRET, sandboxUrl: url})

// The file: the tenant as exported (so the plan is the 1,000 users missing USER).
const exported = renderRolesYaml(exportRoles(await adapter().readTenant()))
const file = parseRolesFile(exported, 'roles.yaml')
host.requests.reset()

const memBefore = process.memoryUsage().rss
let t0 = performance.now()
const a1 = adapter()
const planned = await runPlan({file}, {tenant: a1})
const planMs = performance.now() - t0
const planReq = count()
const planTotal = Object.values(planReq).reduce((n, v) => n + v, 0)

// The least the pagination needs: one token; users in pages of 100; clients and resource servers
// (sandbox pages of 10), roles in pages of 100; per role one permissions page (<=100) and its users in pages of 100.
const pages = (n, size) => Math.max(1, Math.ceil(n / size))
const roleMembers = t.roles.map((r) => t.roleUsers[r.id].length)
const minimum = 1 + pages(USERS, PAGE_SIZE) + pages(t.clients.length, 10) + pages(t.resourceServers.length, 10) + pages(t.roles.length, PAGE_SIZE) + t.roles.length * pages(PERMS, PAGE_SIZE) + roleMembers.reduce((n, m) => n + pages(m, PAGE_SIZE), 0)

host.requests.reset()
t0 = performance.now()
const applied = await runApply({file}, {tenant: adapter()})
const applyMs = performance.now() - t0
const applyReq = count()
const rss = process.memoryUsage().rss

console.log(`tenant: ${t.roles.length} roles x ${PERMS} permissions, ${USERS} users, ${MISSING} without USER; rate limit ${t.rateLimit.limit} requests/s`)
console.log(`plan: ${planTotal} requests (pagination minimum ${minimum}; +${planTotal - minimum}), ${planReq['GET /users'] ?? 0} GET /users (>${OFFSET_LIMIT} users: keyset slices), throttled ${a1.stats.throttled}, waited ${a1.stats.waitedMs} ms, ${planMs.toFixed(0)} ms`)
console.log(`plan found: ${planned.plan.missingDefault.length} users missing USER, ${planned.summary.changes} change(s)`)
console.log(`apply: ${applyReq['POST /roles/{id}/users'] ?? 0} POST /roles/{id}/users for ${planned.plan.missingDefault.length} assignments (batch ${ASSIGN_BATCH}); ${Object.values(applyReq).reduce((n, v) => n + v, 0)} requests in all incl. the reads before and the re-plan after; ${applyMs.toFixed(0)} ms; applied=${applied.applied}, drift after=${applied.replan.changes}`)
console.log(`peak RSS ~${Math.round(Math.max(rss, memBefore) / 1048576)} MiB (bench process incl. the in-process sandbox)`)
console.log(`per operation (plan): ${JSON.stringify(planReq)}`)
await host.stop()
fs.rmSync(dir, {recursive: true, force: true})
