/** Authentication: Auth0 for every application, the default role for every user, roles kept as code. */
import type {ClaimDefinition} from '../types.js'

export const authenticationClaims: ClaimDefinition[] = [
  {
    id: 'auth.applications-use-auth0',
    section: 'Authentication',
    sentence: () => 'Every application logs in through Auth0: each application of the roles file is an application of the Auth0 tenant.',
    rerun: 'impress roles plan',
    async check(ports) {
      const {file, tenant} = await ports.roles()
      const apps = file.applications.filter((a) => a.client !== undefined || a.roles.length > 0)
      const clients = new Set(tenant.clients.map((c) => c.name))
      const missing = apps.filter((a) => !a.client || !clients.has(a.client)).map((a) => (a.client ? `${a.name} (client ${a.client} not in the tenant)` : `${a.name} (no Auth0 client named)`))
      if (apps.length === 0) return {status: 'unknown', detail: 'the roles file lists no application'}
      return missing.length === 0
        ? {status: 'holds', detail: `${apps.length} application(s), each an Auth0 application: ${apps.map((a) => a.client).join(', ')}`}
        : {status: 'fails', detail: `${missing.length} of ${apps.length} application(s) without an Auth0 application`, facts: missing}
    },
  },
  {
    id: 'auth.default-role',
    section: 'Authentication',
    sentence: () => 'Every user holds at least the default role.',
    rerun: 'impress roles plan',
    async check(ports) {
      const {plan, tenant, file} = await ports.roles()
      const missing = plan.plan.missingDefault
      return missing.length === 0
        ? {status: 'holds', detail: `all ${tenant.users.length} user(s) hold ${file.default}`}
        : {status: 'fails', detail: `${missing.length} of ${tenant.users.length} user(s) do not hold ${file.default}`, facts: missing.slice(0, 10).map((m) => m.email)}
    },
  },
  {
    id: 'auth.roles-as-code',
    section: 'Authentication',
    sentence: () => 'Roles are defined per application and kept as code: the Auth0 tenant matches the roles file exactly.',
    rerun: 'impress roles plan',
    async check(ports) {
      const {plan} = await ports.roles()
      const facts = plan.violations.map((v) => `rule ${v.rule}: ${v.message}`)
      if (plan.drift) return {status: 'fails', detail: `${plan.summary.changes} change(s) between the roles file and the tenant (drift); \`impress roles apply\` brings the tenant back`, facts}
      return {status: 'holds', detail: `no drift between the roles file and the tenant (${plan.summary.assignments} role assignment(s))`, facts}
    },
  },
]
