/** Plan computation, export and the plan-time rules: pure functions, property-tested. */
import fs from 'node:fs'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {exportRoles, renderRolesYaml} from '../../src/lib/roles/export.js'
import {parseRolesFile} from '../../src/lib/roles/file.js'
import {checkInvariants, computePlan, planChanges, simulate} from '../../src/lib/roles/plan.js'
import type {Tenant} from '../../src/lib/roles/ports.js'
import {rolesJsonSchema, type RolesFile} from '../../src/lib/roles/schema.js'
import {renderPlan} from '../../src/lib/roles/render.js'
import {ImpressError} from '../../src/lib/errors.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const APIS = [
  {identifier: 'https://a.example/api', name: 'app-a', scopes: ['read:a', 'write:a', 'read:b', 'write:b']},
  {identifier: 'https://c.example/api', name: 'app-c', scopes: ['read:c', 'write:c']},
]
const ROLE_NAMES = ['r0', 'r1', 'r2', 'r3', 'r4']

const tenantArb = (userHasDefault: 'all' | 'some') =>
  fc.integer({min: 1, max: 12}).chain((n) => {
    const users = Array.from({length: n}, (_, i) => ({userId: `auth0|u${i}`, email: `u${i}@x.example`}))
    const ids = users.map((u) => u.userId)
    const roleArb = (name: string) =>
      fc.record({
        api: fc.constantFrom(...APIS),
        perms: fc.uniqueArray(fc.integer({min: 0, max: 3}), {maxLength: 4}),
        members: fc.subarray(ids),
        description: fc.constantFrom('', 'some role', 'other'),
      }).map(({api, perms, members, description}) => ({
        id: `rol_${name}`,
        name,
        description,
        permissions: perms.filter((p) => p < api.scopes.length).map((p) => ({api: api.identifier, name: api.scopes[p]})),
        members,
      }))
    return fc.record({
      names: fc.subarray(ROLE_NAMES),
      defMembers: userHasDefault === 'all' ? fc.constant(ids) : fc.subarray(ids),
      withDefault: userHasDefault === 'all' ? fc.constant(true) : fc.boolean(),
    }).chain(({names, defMembers, withDefault}) =>
      fc.tuple(...names.map(roleArb)).map((roles): Tenant => ({
        apis: APIS,
        clients: [{clientId: 'c1', name: 'app-a', appType: 'spa'}],
        users,
        roles: [...roles, ...(withDefault ? [{id: 'rol_USER', name: 'USER', description: 'Every user', permissions: [{api: APIS[0].identifier, name: 'read:a'}], members: defMembers}] : [])],
      })),
    )
  })

const fileArb = (t: Tenant) =>
  fc.record({
    roles: fc.subarray(ROLE_NAMES),
    seed: fc.array(fc.tuple(fc.integer({min: 0, max: 1}), fc.uniqueArray(fc.integer({min: 0, max: 3}), {maxLength: 4}), fc.subarray(t.users.map((u) => u.email)), fc.array(fc.constantFrom('none', 'past', 'future'), {minLength: 12, maxLength: 12}), fc.boolean()), {minLength: 5, maxLength: 5}),
  }).map(({roles, seed}): RolesFile => {
    const apps = APIS.map((a) => ({name: a.name, api: a.identifier, roles: [] as RolesFile['applications'][number]['roles']}))
    apps[0].roles.push({name: 'USER', description: 'Every user', permissions: ['read:a'], members: []})
    roles.forEach((name, k) => {
      const [appIdx, perms, members, expiry, withDesc] = seed[k]
      const api = APIS[appIdx]
      apps[appIdx].roles.push({
        name,
        ...(withDesc ? {description: `desc ${name}`} : {}),
        permissions: perms.filter((p) => p < api.scopes.length).map((p) => api.scopes[p]),
        members: members.map((email, j) => (expiry[j] === 'none' ? email : {email, expires: expiry[j] === 'past' ? '2025-01-31' : '2027-12-31'})),
      })
    })
    return {default: 'USER', minAdmins: 1, maxRemovals: '10%', applications: apps}
  })

const load = (data: RolesFile) => parseRolesFile(renderRolesYaml(data), 'roles.yaml')

describe('roles plan', () => {
  it('apply(plan(file, tenant)) yields a tenant whose plan is empty', () => {
    fc.assert(
      fc.property(tenantArb('some').chain((t) => fc.tuple(fc.constant(t), fileArb(t))), ([tenant, data]) => {
        const file = load(data)
        const plan = computePlan(file, tenant, NOW)
        const after = simulate(tenant, plan)
        expect(planChanges(computePlan(file, after, NOW))).toBe(0)
        // Every user holds the default role afterwards.
        const def = after.roles.find((r) => r.name === 'USER')!
        expect(new Set(def.members)).toEqual(new Set(tenant.users.map((u) => u.userId)))
      }),
      {numRuns: 200},
    )
  })

  it('export then plan is empty, and two exports are byte-identical', () => {
    fc.assert(
      fc.property(tenantArb('all'), (tenant) => {
        const text = renderRolesYaml(exportRoles(tenant))
        const shuffled: Tenant = {...tenant, roles: [...tenant.roles].reverse().map((r) => ({...r, members: [...r.members].reverse(), permissions: [...r.permissions].reverse()})), users: [...tenant.users].reverse()}
        expect(renderRolesYaml(exportRoles(shuffled))).toBe(text)
        const file = parseRolesFile(text, 'roles.yaml')
        expect(computePlan(file, tenant, NOW)).toMatchObject({createRoles: [], deleteRoles: [], addMembers: [], removeMembers: [], addPermissions: [], removePermissions: [], missingDefault: []})
        expect(planChanges(computePlan(file, tenant, NOW))).toBe(0)
      }),
      {numRuns: 200},
    )
  })

  it('export keeps what only the file knows (privileged, expires, rotate)', () => {
    const tenant: Tenant = {apis: APIS, clients: [], users: [{userId: 'u1', email: 'a@x.example'}], roles: [{id: 'r', name: 'USER', description: '', permissions: [], members: ['u1']}, {id: 'adm', name: 'admin', description: '', permissions: [{api: APIS[0].identifier, name: 'write:a'}], members: ['u1']}]}
    const existing: RolesFile = {default: 'USER', minAdmins: 2, maxRemovals: 5, roles: [{name: 'USER', permissions: [], members: []}], applications: [{name: 'a', api: APIS[0].identifier, client: 'app-a', rotate: true, secret: 's/x', roles: [{name: 'admin', privileged: true, permissions: [], members: [{email: 'a@x.example', expires: '2027-01-01'}]}]}]}
    const out = exportRoles(tenant, existing)
    expect(out).toMatchObject({minAdmins: 2, maxRemovals: 5, applications: [{name: 'a', rotate: true, secret: 's/x', roles: [{name: 'admin', privileged: true, members: [{email: 'a@x.example', expires: '2027-01-01'}]}]}]})
  })
})

describe('roles.yaml errors name the line', () => {
  const base = (roles: string) => `default: USER\napplications:\n  - name: a\n    api: https://a.example/api\n    roles:\n      - name: USER\n        permissions: [read:a]\n${roles}`
  const tenant: Tenant = {apis: APIS, clients: [], users: [{userId: 'u1', email: 'a@x.example'}], roles: []}
  const err = (f: () => unknown) => {
    try {
      f()
    } catch (error) {
      return error as ImpressError
    }
    throw new Error('expected an error')
  }

  it('a duplicate role is exit 2 at the line of the second entry', () => {
    const e = err(() => parseRolesFile(base('      - name: ops\n      - name: ops\n'), 'roles.yaml'))
    expect(e.exitCode).toBe(2)
    expect(e.message).toMatch(/^roles\.yaml:9: duplicate role "ops" \(first at line 8\)/)
  })

  it('an unknown permission is exit 2 at its line, listing what the API defines', () => {
    const file = parseRolesFile(base('      - name: ops\n        permissions:\n          - read:a\n          - delete:everything\n'), 'roles.yaml')
    const e = err(() => computePlan(file, tenant, NOW))
    expect(e.exitCode).toBe(2)
    expect(e.message).toContain('roles.yaml:11: unknown permission "delete:everything"')
    expect(e.hint).toContain('read:a, write:a')
  })

  it('invalid YAML (an unresolved alias too) is exit 2, never a crash', () => {
    expect(err(() => parseRolesFile('*!', 'roles.yaml')).message).toMatch(/^roles\.yaml: invalid YAML/)
    expect(err(() => parseRolesFile('default: USER\napplications: [\n', 'roles.yaml')).exitCode).toBe(2)
  })

  it('an unknown member and an unknown key are exit 2 at their lines', () => {
    const file = parseRolesFile(base('      - name: ops\n        members: [nobody@x.example]\n'), 'roles.yaml')
    expect(err(() => computePlan(file, tenant, NOW)).message).toMatch(/^roles\.yaml:9: unknown user nobody@x\.example/)
    expect(err(() => parseRolesFile(base('      - name: ops\n        admins: true\n'), 'roles.yaml')).message).toMatch(/^roles\.yaml:9: .*unknown key "admins"/)
  })
})

describe('plan-time rules', () => {
  const users = Array.from({length: 20}, (_, i) => ({userId: `u${i}`, email: `u${i}@x.example`}))
  const tenant: Tenant = {
    apis: APIS,
    clients: [],
    users,
    roles: [
      {id: 'rU', name: 'USER', description: '', permissions: [], members: users.map((u) => u.userId)},
      {id: 'rA', name: 'admin', description: '', permissions: [], members: ['u0', 'u1']},
      {id: 'rO', name: 'ops', description: '', permissions: [], members: ['u2', 'u3', 'u4', 'u5']},
    ],
  }
  const file = (admin: string, ops: string, extra = '') =>
    parseRolesFile(`default: USER\nminAdmins: 1\nmaxRemovals: 2\nroles:\n  - name: USER\n  - name: admin\n    privileged: true\n    members: ${admin}\n  - name: ops\n    members: ${ops}\n${extra}`, 'roles.yaml')
  const rules = (f: ReturnType<typeof file>, opts = {}) => checkInvariants(f, tenant, computePlan(f, tenant, NOW), NOW, opts).map((v) => v.rule)

  it('passes a plan that keeps every rule', () => {
    expect(rules(file('[{email: u0@x.example, expires: 2027-01-01}, {email: u1@x.example, expires: 2027-01-01}]', '[u2@x.example, u3@x.example, u4@x.example, u5@x.example]'))).toEqual([])
  })
  it('privileged members need expires; the last admin needs --allow-delete', () => {
    expect(rules(file('[u0@x.example, u1@x.example]', '[u2@x.example, u3@x.example, u4@x.example, u5@x.example]'))).toEqual(['privileged-expiry'])
    const none = file('[]', '[u2@x.example, u3@x.example, u4@x.example, u5@x.example]')
    expect(rules(none)).toEqual(['min-admins'])
    expect(rules(none, {allowDelete: true})).toEqual([])
  })
  it('more removals than maxRemovals need --allow-mass-removal; deleting a role needs --allow-delete', () => {
    const mass = file('[{email: u0@x.example, expires: 2027-01-01}, {email: u1@x.example, expires: 2027-01-01}]', '[u2@x.example]')
    expect(rules(mass)).toEqual(['max-removals'])
    expect(rules(mass, {allowMassRemoval: true})).toEqual([])
    const f = parseRolesFile('default: USER\nroles:\n  - name: USER\n  - name: admin\n    privileged: true\n    members: [{email: u0@x.example, expires: 2027-01-01}, {email: u1@x.example, expires: 2027-01-01}]\n', 'roles.yaml')
    expect(rules(f)).toEqual(['allow-delete', 'max-removals'])
  })
})

describe('schema/roles.schema.json', () => {
  it('matches the zod schema (run `npm run build && npm run schema` when this fails)', () => {
    const committed = JSON.parse(fs.readFileSync(new URL('../../schema/roles.schema.json', import.meta.url), 'utf8'))
    expect(committed).toEqual(rolesJsonSchema())
  })
})

describe('renderPlan', () => {
  it('marks and colours each group like a Terraform plan, and cuts long lists', () => {
    const users = Array.from({length: 30}, (_, i) => ({userId: `u${i}`, email: `u${String(i).padStart(2, '0')}@x.example`}))
    const tenant: Tenant = {apis: APIS, clients: [], users, roles: [{id: 'rU', name: 'USER', description: '', permissions: [], members: []}, {id: 'rX', name: 'old', description: '', permissions: [], members: []}]}
    const file = parseRolesFile('default: USER\nroles:\n  - name: USER\n  - name: fresh\n    members: [u01@x.example]\n', 'roles.yaml')
    const plan = computePlan(file, tenant, NOW)
    const tag = (name: string) => (s: string) => `<${name}>${s}</${name}>`
    const text = renderPlan({file: 'roles.yaml', plan, summary: {changes: planChanges(plan), removals: 0, assignments: 0}, violations: [], drift: true}, {green: tag('g'), red: tag('r'), yellow: tag('y'), bold: tag('b'), dim: tag('d')})
    expect(text).toContain('<g>+ create fresh</g>')
    expect(text).toContain('<r>- delete old (0 holder(s))</r>')
    expect(text).toContain('<g>+ fresh  u01@x.example</g>')
    expect(text).toContain('<b>Users missing the default role USER (30)</b>')
    expect(text).toContain('<d>  … and 10 more (--json lists every one)</d>')
    expect(text).toMatch(/<b>Plan:<\/b> 1 role\(s\) to create, 0 to update, 1 to delete;/)
  })
})
