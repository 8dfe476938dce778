/**
 * The shape of roles.yaml, as zod schemas. schema/roles.schema.json is generated from
 * `rolesFileSchema` (npm run schema); a test fails when it is stale.
 */
import {z} from 'zod'
import {isCalendarDay} from '../time/parse-time.js'

export const ROLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_:.-]*$/
export const PERMISSION = /^[A-Za-z0-9_.-]+:[A-Za-z0-9_:.-]+$/
const DAY = /^\d{4}-\d{2}-\d{2}$/

export const expiresSchema = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)) && (!/^\d{4}-\d{2}-\d{2}/.test(v) || isCalendarDay(v)), 'expected a date such as 2026-12-31 (or an ISO 8601 time)')
  .describe('The grant ends at the end of this day (UTC), or at this ISO 8601 time')

export const memberSchema = z.union([
  z.email().describe('A member by email (a grant without end)'),
  z.object({email: z.email(), expires: expiresSchema}).strict().describe('A time-bound grant'),
])

export const roleSchema = z
  .object({
    name: z.string().regex(ROLE_NAME, 'expected letters, digits, "_", ":", "." or "-"').describe('Role name (unique in the tenant)'),
    description: z.string().optional(),
    privileged: z.boolean().optional().describe('An admin-like role: every member needs `expires`, and at least minAdmins hold it'),
    permissions: z.array(z.string().regex(PERMISSION, 'expected a permission such as read:positions')).default([]).describe("Permissions on the application's API"),
    members: z.array(memberSchema).default([]).describe('Members by email (none for the default role: every user holds it)'),
  })
  .strict()

export const applicationSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/).describe('A name for this application in the file'),
    client: z.string().min(1).optional().describe('The Auth0 application (client) name'),
    api: z.string().min(1).optional().describe('Identifier of the Auth0 API (resource server) the roles\' permissions are on'),
    rotate: z.boolean().optional().describe('`roles rotate` rotates this machine-to-machine application\'s client secret'),
    secret: z.string().min(1).optional().describe('AWS Secrets Manager secret (name or ARN) the backend reads the client secret from'),
    roles: z.array(roleSchema).default([]),
  })
  .strict()

export const rolesFileSchema = z
  .object({
    $schema: z.string().optional(),
    default: z.string().regex(ROLE_NAME).default('USER').describe('The role every user must hold'),
    minAdmins: z.number().int().nonnegative().default(1).describe('Least number of holders of each privileged role'),
    maxRemovals: z
      .union([z.number().int().nonnegative(), z.string().regex(/^\d{1,3}%$/, 'expected a number or a percentage such as 10%')])
      .default('10%')
      .describe('Most assignments one plan may remove without --allow-mass-removal (a number, or a percentage of all assignments)'),
    applications: z.array(applicationSchema).default([]),
    roles: z.array(roleSchema).optional().describe('Roles without permissions on any application\'s API'),
  })
  .strict()

export type RolesFile = z.infer<typeof rolesFileSchema>
export type RoleEntry = z.infer<typeof roleSchema>
export type ApplicationEntry = z.infer<typeof applicationSchema>
export type MemberEntry = z.infer<typeof memberSchema>

export function rolesJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(rolesFileSchema, {io: 'input', unrepresentable: 'any'}) as Record<string, unknown>
  return {...schema, $id: 'https://impress.example/schema/roles.schema.json', title: 'roles.yaml'}
}

/** When a member's grant ends (epoch ms), or undefined for a grant without end. */
export function grantEnd(member: MemberEntry): number | undefined {
  if (typeof member === 'string') return undefined
  if (DAY.test(member.expires)) return Date.parse(`${member.expires}T00:00:00.000Z`) + 86_400_000
  return Date.parse(member.expires)
}

export const memberEmail = (m: MemberEntry): string => (typeof m === 'string' ? m : m.email).toLowerCase()
