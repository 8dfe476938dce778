/**
 * team.yaml: the roster the compliance checks compare every service against. Members (with
 * their identity on each service), service accounts (bots, with an owner), an exception
 * register (rule waived, reason, expiry) and the policy (services each role needs, SSH key
 * types). Validated with zod; errors name the file, the line and the path inside it.
 */
import fs from 'node:fs'
import {parseYamlFile} from '../config/yaml-file.js'
import {z} from 'zod'
import {UsageError} from '../errors.js'
import {isCalendarDay} from '../time/parse-time.js'
import {CHECK_RULES, KEY_RULES, SERVICES, type ServiceId} from './types.js'

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  // 2026-13-45 has the shape of a date but is none (was: a leaver whose date never comes)
  .refine((v) => !/^\d{4}-\d{2}-\d{2}$/.test(v) || isCalendarDay(v), 'expected a date YYYY-MM-DD that exists')
  .describe('A date, YYYY-MM-DD')
const identity = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .describe('The account on this service (or a list, when the person holds several: reported as duplicates)')

export const ROLES = ['developer', 'admin', 'ops'] as const
export type Role = (typeof ROLES)[number]

const accountsSchema = z
  .object(Object.fromEntries(SERVICES.map((s) => [s, identity.optional()])) as Record<ServiceId, z.ZodOptional<typeof identity>>)
  .strict()
  .describe('Identity on each service: GitHub login, IAM user name, Cloudflare/Google/Auth0 e-mail')

export const memberSchema = z
  .object({
    name: z.string().min(1),
    email: z.email(),
    role: z.enum(ROLES),
    status: z.enum(['active', 'left']).default('active'),
    left: isoDate.optional().describe('Leaving date (required when status is left)'),
    accounts: accountsSchema.default({}),
  })
  .strict()
  .refine((m) => m.status !== 'left' || m.left !== undefined, {message: 'a member with status "left" needs a "left" date', path: ['left']})

export const serviceAccountSchema = z
  .object({
    name: z.string().min(1),
    owner: z.email().describe('The person responsible for the bot'),
    purpose: z.string().optional(),
    accounts: accountsSchema,
  })
  .strict()

export const exceptionSchema = z
  .object({
    rule: z.enum([...CHECK_RULES, ...KEY_RULES]),
    service: z.enum([...SERVICES, 'local']),
    account: z.string().min(1).describe('The account the waiver applies to (root for the AWS root user)'),
    reason: z.string().min(3),
    expires: isoDate,
    approvedBy: z.string().optional(),
  })
  .strict()

const keyTypes = z.enum(['rsa', 'ed25519', 'ecdsa', 'dsa'])

export const DEFAULT_REQUIRED: Record<Role, ServiceId[]> = {
  developer: ['github', 'google', 'auth0'],
  ops: ['aws', 'github', 'cloudflare', 'google', 'auth0'],
  admin: ['aws', 'github', 'cloudflare', 'google', 'auth0'],
}

export const policySchema = z
  .object({
    required: z
      .record(z.enum(ROLES), z.array(z.enum(SERVICES)))
      .optional()
      .describe('Services each role needs an account on (default: developer github/google/auth0; ops and admin all five)'),
    keys: z
      .object({
        types: z.partialRecord(keyTypes, z.number().int().positive()).default({rsa: 3072}).describe('Allowed SSH key types with their minimum size in bits'),
        perDeveloper: z.number().int().positive().default(1),
      })
      .strict()
      .default({types: {rsa: 3072}, perDeveloper: 1}),
  })
  .strict()
  .default({keys: {types: {rsa: 3072}, perDeveloper: 1}})

export const rosterSchema = z
  .object({
    $schema: z.string().optional(),
    members: z.array(memberSchema),
    serviceAccounts: z.array(serviceAccountSchema).default([]),
    exceptions: z.array(exceptionSchema).default([]),
    policy: policySchema,
  })
  .strict()

export type Roster = z.infer<typeof rosterSchema>
export type Member = z.infer<typeof memberSchema>
export type ServiceAccountEntry = z.infer<typeof serviceAccountSchema>
export type RosterException = z.infer<typeof exceptionSchema>
export type KeyPolicy = Roster['policy']['keys']

export interface LoadedRoster {
  roster: Roster
  file: string
  /** Line of each member entry (by e-mail), for reports that point into the file. */
  memberLines: Record<string, number>
}

export function rosterJsonSchema(): Record<string, unknown> {
  return {...(z.toJSONSchema(rosterSchema, {io: 'input', unrepresentable: 'any'}) as Record<string, unknown>), title: 'team.yaml'}
}

export function identities(value: string | string[] | undefined): string[] {
  if (value === undefined) return []
  return Array.isArray(value) ? value : [value]
}

export function requiredServices(roster: Roster, role: Role): ServiceId[] {
  return roster.policy.required?.[role] ?? DEFAULT_REQUIRED[role]
}

/** Parse roster text; errors are UsageError (exit 2) naming file:line and the path. */
export function parseRoster(text: string, file: string): LoadedRoster {
  const {data, lineOf} = parseYamlFile(text, file, rosterSchema, {
    error: (message, options) => new UsageError(message, options),
    schemaHint: 'Fix the roster (see docs/compliance.md for its fields), then run the check again.',
    empty: {},
  })
  const memberLines: Record<string, number> = {}
  data.members.forEach((m, i) => {
    const line = lineOf(['members', i])
    if (line !== undefined) memberLines[m.email] = line
  })
  return {roster: data, file, memberLines}
}

export function loadRoster(file: string): LoadedRoster {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    throw new UsageError(`Roster not found: ${file}`, {hint: 'Set environments.<env>.compliance.roster to the path of team.yaml.', details: {file}})
  }
  return parseRoster(text, file)
}
