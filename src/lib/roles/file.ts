/**
 * Reading roles.yaml: YAML with line numbers, the zod schema, and the rules a schema cannot
 * say (unique role, application and member names). Every error names the file and line.
 */
import fs from 'node:fs'
import {parseYamlFile, type YamlPath} from '../config/yaml-file.js'
import {didYouMean} from '../cli/suggest.js'
import {UsageError} from '../errors.js'
import {memberEmail, rolesFileSchema, type RolesFile} from './schema.js'

export type {YamlPath}

export interface LoadedRolesFile {
  file: string
  data: RolesFile
  /** The line (1-based) of the node at a path, e.g. ['applications', 0, 'roles', 1, 'permissions', 2]. */
  lineOf(path: YamlPath): number | undefined
}

export function fileError(file: string, line: number | undefined, message: string, hint: string, details: Record<string, unknown> = {}): UsageError {
  return new UsageError(`${file}${line ? `:${line}` : ''}: ${message}`, {hint, details: {file, line, ...details}})
}

export function parseRolesFile(text: string, file: string): LoadedRolesFile {
  const {data, lineOf} = parseYamlFile(text, file, rolesFileSchema, {
    error: (message, options) => new UsageError(message, options),
    schemaHint: 'See schema/roles.schema.json for every field.',
    empty: {},
  })
  checkUnique(data, file, lineOf)
  return {file, data, lineOf}
}

export function readRolesFile(file: string): LoadedRolesFile {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new UsageError(`Cannot read the roles file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, {
      hint: 'Run `impress roles export` to write it from the tenant, or fix auth0.roles in the configuration.',
      cause: error,
    })
  }
  return parseRolesFile(text, file)
}

/** Every role of the file with its path: [application index or -1 for top-level roles, role index]. */
export function* fileRoles(data: RolesFile): Generator<{role: RolesFile['applications'][number]['roles'][number]; app?: RolesFile['applications'][number]; path: YamlPath}> {
  for (const [ai, app] of data.applications.entries()) for (const [ri, role] of app.roles.entries()) yield {role, app, path: ['applications', ai, 'roles', ri]}
  for (const [ri, role] of (data.roles ?? []).entries()) yield {role, path: ['roles', ri]}
}

interface FileProblem {
  line: number | undefined
  message: string
  hint: string
  details?: Record<string, unknown>
}

/** Every rule the schema cannot say, checked in full: all the problems of the file are reported at once. */
function checkUnique(data: RolesFile, file: string, lineOf: (p: YamlPath) => number | undefined): void {
  const problems: FileProblem[] = []
  const problem = (line: number | undefined, message: string, hint: string, details?: Record<string, unknown>): void => {
    problems.push({line, message, hint, details})
  }
  const apps = new Map<string, number>()
  for (const [i, app] of data.applications.entries()) {
    const first = apps.get(app.name)
    if (first !== undefined) problem(lineOf(['applications', i, 'name']), `duplicate application "${app.name}" (first at line ${lineOf(['applications', first, 'name'])})`, 'Give each application one entry.')
    apps.set(app.name, i)
    if (app.rotate && (!app.client || !app.secret)) problem(lineOf(['applications', i, 'rotate']), `application "${app.name}" has rotate: true but no client or no secret`, 'Name the Auth0 application (client) and the Secrets Manager secret the backend reads.')
    if (app.roles.some((r) => r.permissions.length > 0) && !app.api) problem(lineOf(['applications', i, 'name']), `application "${app.name}" has roles with permissions but no api`, 'Add api: <identifier of the Auth0 API> to the application.')
  }
  const roles = new Map<string, YamlPath>()
  for (const {role, path} of fileRoles(data)) {
    const first = roles.get(role.name)
    if (first) problem(lineOf([...path, 'name']), `duplicate role "${role.name}" (first at line ${lineOf([...first, 'name'])})`, 'Role names are unique in an Auth0 tenant: keep one entry per role.', {role: role.name})
    roles.set(role.name, path)
    const perms = new Set<string>()
    for (const [pi, p] of role.permissions.entries()) {
      if (perms.has(p)) problem(lineOf([...path, 'permissions', pi]), `duplicate permission "${p}" in role "${role.name}"`, 'List each permission once.')
      perms.add(p)
    }
    const members = new Set<string>()
    for (const [mi, m] of role.members.entries()) {
      const email = memberEmail(m)
      if (members.has(email)) problem(lineOf([...path, 'members', mi]), `duplicate member ${email} in role "${role.name}"`, 'List each member once.')
      members.add(email)
    }
    if (role.name === data.default && role.members.length > 0) problem(lineOf([...path, 'members']), `the default role "${role.name}" lists members`, 'Every user holds the default role: remove its members list.')
  }
  if (!roles.has(data.default)) problem(lineOf(['default']), `the default role "${data.default}" is not defined in the file${didYouMean(data.default, roles.keys())}`, 'Define it under the application whose API carries its permissions.')
  if (problems.length === 1) {
    const [p] = problems
    throw fileError(file, p.line, p.message, p.hint, p.details)
  }
  if (problems.length > 1) {
    const lines = problems.map((p) => `  ${file}${p.line ? `:${p.line}` : ''}: ${p.message}`)
    throw new UsageError([`${file} has ${problems.length} problems:`, ...lines].join('\n'), {
      hint: 'Fix each problem listed, then run the command again.',
      details: {file, line: problems[0].line, problems: problems.map((p) => ({line: p.line, message: p.message, hint: p.hint}))},
    })
  }
}
