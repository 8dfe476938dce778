/**
 * roles.yaml's own rules (the ones its schema cannot say), one by one: each is a UsageError (exit 2)
 * naming the file, the line and the entry; several problems are reported at once. Written to kill
 * the mutants Stryker found surviving in src/lib/roles/file.ts (docs/RELIABILITY.md § Mutation testing).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {fileError, fileRoles, parseRolesFile, readRolesFile} from '../../src/lib/roles/file.js'
import {ImpressError, UsageError} from '../../src/lib/errors.js'

function err(fn: () => unknown): UsageError {
  let caught: unknown
  try {
    fn()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(UsageError)
  return caught as UsageError
}

// Line numbers below are those of this text (1-based).
const file = (apps: string, extra = '') => `default: USER\napplications:\n${apps}${extra}`
const app = (name: string, more = '') => `  - name: ${name}\n    api: https://a.example/api\n${more}    roles:\n      - name: USER\n`

describe('roles file rules', () => {
  it('a valid file parses, with the line of each node and its roles (applications first, then top-level roles)', () => {
    const loaded = parseRolesFile(file(app('a', '    client: c\n    rotate: true\n    secret: s/x\n'), 'roles:\n  - name: extra\n    members: [x@y.example]\n'), 'roles.yaml')
    expect(loaded.file).toBe('roles.yaml')
    expect(loaded.lineOf(['applications', 0, 'roles', 0, 'name'])).toBe(9)
    expect([...fileRoles(loaded.data)].map((r) => [r.role.name, r.app?.name, r.path])).toEqual([
      ['USER', 'a', ['applications', 0, 'roles', 0]],
      ['extra', undefined, ['roles', 0]],
    ])
  })

  it('a duplicate application is named at its second entry, with the line of the first', () => {
    const text = file(app('a') + '  - name: a\n    roles: []\n')
    const e = err(() => parseRolesFile(text, 'roles.yaml'))
    expect(e.exitCode).toBe(2)
    expect(e.message).toBe('roles.yaml:7: duplicate application "a" (first at line 3)')
    expect(e.hint).toBe('Give each application one entry.')
    expect(e.details).toMatchObject({file: 'roles.yaml', line: 7})
  })

  it('rotate: true needs both a client and a secret', () => {
    for (const more of ['    rotate: true\n', '    rotate: true\n    client: c\n', '    rotate: true\n    secret: s/x\n']) {
      const e = err(() => parseRolesFile(file(app('a', more)), 'roles.yaml'))
      expect(e.message).toBe('roles.yaml:5: application "a" has rotate: true but no client or no secret')
    }
    expect(() => parseRolesFile(file(app('a', '    rotate: false\n')), 'roles.yaml')).not.toThrow()
  })

  it('roles with permissions need the application to have an api (roles without permissions do not)', () => {
    const text = 'default: USER\napplications:\n  - name: a\n    roles:\n      - name: USER\n        permissions: [read:a]\n'
    const e = err(() => parseRolesFile(text, 'roles.yaml'))
    expect(e.message).toBe('roles.yaml:3: application "a" has roles with permissions but no api')
    expect(() => parseRolesFile('default: USER\napplications:\n  - name: a\n    roles:\n      - name: USER\n', 'roles.yaml')).not.toThrow()
  })

  it('a duplicate role across an application and the top-level roles is caught, with the role in the details', () => {
    const e = err(() => parseRolesFile(file(app('a'), 'roles:\n  - name: USER\n'), 'roles.yaml'))
    expect(e.message).toBe('roles.yaml:8: duplicate role "USER" (first at line 6)')
    expect(e.details).toMatchObject({role: 'USER', line: 8})
  })

  it('a permission or a member listed twice in one role is named at its second line (emails compared without case)', () => {
    const perms = file('  - name: a\n    api: https://a.example/api\n    roles:\n      - name: USER\n      - name: ops\n        permissions:\n          - read:a\n          - write:a\n          - read:a\n')
    expect(err(() => parseRolesFile(perms, 'roles.yaml')).message).toBe('roles.yaml:11: duplicate permission "read:a" in role "ops"')
    const members = file('  - name: a\n    roles:\n      - name: USER\n      - name: ops\n        members:\n          - a@x.example\n          - email: A@X.example\n            expires: 2026-12-31\n')
    expect(err(() => parseRolesFile(members, 'roles.yaml')).message).toBe('roles.yaml:9: duplicate member a@x.example in role "ops"')
    // The same permission or member in two different roles is fine.
    expect(() => parseRolesFile(file('  - name: a\n    api: https://a.example/api\n    roles:\n      - name: USER\n        permissions: [read:a]\n      - name: ops\n        permissions: [read:a]\n        members: [a@x.example]\n      - name: dev\n        members: [a@x.example]\n'), 'roles.yaml')).not.toThrow()
  })

  it('the default role must be defined, and must not list members', () => {
    const undefinedDefault = 'default: USERS\napplications:\n  - name: a\n    roles:\n      - name: USER\n'
    const e = err(() => parseRolesFile(undefinedDefault, 'roles.yaml'))
    expect(e.message).toBe('roles.yaml:1: the default role "USERS" is not defined in the file Did you mean "USER"?')
    const withMembers = file('  - name: a\n    roles:\n      - name: USER\n        members: [a@x.example]\n')
    const m = err(() => parseRolesFile(withMembers, 'roles.yaml'))
    expect(m.message).toBe('roles.yaml:6: the default role "USER" lists members')
    expect(m.hint).toBe('Every user holds the default role: remove its members list.')
  })

  it('every problem of the file is reported at once, each with its line', () => {
    const text = 'default: NONE\napplications:\n  - name: a\n    rotate: true\n    roles:\n      - name: ops\n        permissions: [read:a, read:a]\n  - name: a\n    roles: []\n'
    const e = err(() => parseRolesFile(text, 'roles.yaml'))
    expect(e.exitCode).toBe(2)
    expect(e.message.split('\n')).toEqual([
      'roles.yaml has 5 problems:',
      '  roles.yaml:4: application "a" has rotate: true but no client or no secret',
      '  roles.yaml:3: application "a" has roles with permissions but no api',
      '  roles.yaml:8: duplicate application "a" (first at line 3)',
      '  roles.yaml:7: duplicate permission "read:a" in role "ops"',
      '  roles.yaml:1: the default role "NONE" is not defined in the file',
    ])
    expect(e.hint).toBe('Fix each problem listed, then run the command again.')
    expect(e.details).toMatchObject({file: 'roles.yaml', line: 4})
    expect((e.details as {problems: unknown[]}).problems).toEqual([
      {line: 4, message: 'application "a" has rotate: true but no client or no secret', hint: 'Name the Auth0 application (client) and the Secrets Manager secret the backend reads.'},
      {line: 3, message: 'application "a" has roles with permissions but no api', hint: 'Add api: <identifier of the Auth0 API> to the application.'},
      {line: 8, message: 'duplicate application "a" (first at line 3)', hint: 'Give each application one entry.'},
      {line: 7, message: 'duplicate permission "read:a" in role "ops"', hint: 'List each permission once.'},
      {line: 1, message: 'the default role "NONE" is not defined in the file', hint: 'Define it under the application whose API carries its permissions.'},
    ])
  })

  it('the hints of the duplicate role and member rules say what to keep', () => {
    const dupRole = err(() => parseRolesFile(file(app('a'), 'roles:\n  - name: USER\n'), 'roles.yaml'))
    expect(dupRole.hint).toBe('Role names are unique in an Auth0 tenant: keep one entry per role.')
    const dupMember = err(() => parseRolesFile(file('  - name: a\n    roles:\n      - name: USER\n      - name: ops\n        members: [a@x.example, a@x.example]\n'), 'roles.yaml'))
    expect(dupMember.hint).toBe('List each member once.')
  })

  it('the line named is the line of the name, also when name is not the first key of its entry', () => {
    const apps = 'default: USER\napplications:\n  - api: https://a.example/api\n    name: a\n    roles:\n      - description: d\n        name: USER\n  - roles: []\n    name: a\n'
    expect(err(() => parseRolesFile(apps, 'roles.yaml')).message).toBe('roles.yaml:9: duplicate application "a" (first at line 4)')
    const roles = `${apps.slice(0, apps.indexOf('  - roles: []'))}roles:\n  - description: again\n    name: USER\n`
    expect(err(() => parseRolesFile(roles, 'roles.yaml')).message).toBe('roles.yaml:10: duplicate role "USER" (first at line 7)')
  })

  it('a schema error is a usage error naming the line and pointing at the JSON schema', () => {
    const e = err(() => parseRolesFile('default: USER\napplications:\n  - name: a\n    bogus: 1\n', 'roles.yaml'))
    expect(e.exitCode).toBe(2)
    expect(e.message).toMatch(/^roles\.yaml:\d+: /)
    expect(e.hint).toContain('schema/roles.schema.json')
  })

  it('fileError names the line only when it is known', () => {
    expect(fileError('f.yaml', 3, 'bad', 'fix').message).toBe('f.yaml:3: bad')
    expect(fileError('f.yaml', undefined, 'bad', 'fix').message).toBe('f.yaml: bad')
    expect(fileError('f.yaml', 3, 'bad', 'fix', {x: 1})).toMatchObject({exitCode: 2, hint: 'fix', details: {file: 'f.yaml', line: 3, x: 1}})
  })

  it('a file that cannot be read is a usage error naming the file and the reason; a readable one is parsed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roles-file-'))
    try {
      const missing = path.join(dir, 'missing.yaml')
      const e = err(() => readRolesFile(missing))
      expect(e.message).toBe(`Cannot read the roles file ${missing}: ENOENT`)
      expect(e.hint).toContain('impress roles export')
      const ok = path.join(dir, 'roles.yaml')
      fs.writeFileSync(ok, file(app('a')))
      expect(readRolesFile(ok).data.applications[0].name).toBe('a')
    } finally {
      fs.rmSync(dir, {recursive: true, force: true})
    }
  })

  it('an empty file is the defaults, which lack the default role', () => {
    const e = err(() => parseRolesFile('', 'roles.yaml'))
    expect(e).toBeInstanceOf(ImpressError)
    expect(e.message).toMatch(/^roles\.yaml(:\d+)?: the default role "USER" is not defined in the file/)
  })
})
