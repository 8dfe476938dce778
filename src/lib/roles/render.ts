/**
 * The plan as text, grouped and marked like a Terraform plan (+ create/add, ~ update,
 * - delete/remove). Colours come from the caller (none off a TTY), so this stays pure.
 */
import type {PlanResult} from './apply.js'
import {planChanges} from './plan.js'

export interface Colors {
  green(s: string): string
  red(s: string): string
  yellow(s: string): string
  bold(s: string): string
  dim(s: string): string
}

const plain: Colors = {green: (s) => s, red: (s) => s, yellow: (s) => s, bold: (s) => s, dim: (s) => s}
const LIST_LIMIT = 20

export function renderPlan(r: PlanResult, c: Colors = plain, options: {full?: boolean} = {}): string {
  const p = r.plan
  const lines: string[] = []
  const limit = options.full ? Number.POSITIVE_INFINITY : LIST_LIMIT
  const section = (title: string, items: string[]) => {
    if (items.length === 0) return
    lines.push(c.bold(title))
    for (const i of items.slice(0, limit)) lines.push(`  ${i}`)
    if (items.length > limit) lines.push(c.dim(`  … and ${items.length - limit} more (--json lists every one)`))
    lines.push('')
  }
  const add = (s: string) => c.green(`+ ${s}`)
  const del = (s: string) => c.red(`- ${s}`)
  const upd = (s: string) => c.yellow(`~ ${s}`)
  section('Roles', [
    ...p.createRoles.map((x) => add(`create ${x.name}`)),
    ...p.updateRoles.map((x) => upd(`update ${x.name}: description "${x.description.from}" → "${x.description.to}"`)),
    ...p.deleteRoles.map((x) => del(`delete ${x.name} (${x.holders} holder(s))`)),
  ])
  section('Permissions', [...p.addPermissions.map((x) => add(`${x.role}  ${x.permission}`)), ...p.removePermissions.map((x) => del(`${x.role}  ${x.permission}`))])
  section('Members', [...p.addMembers.map((x) => add(`${x.role}  ${x.email}`)), ...p.removeMembers.map((x) => del(`${x.role}  ${x.email}${x.reason === 'role-deleted' ? '  (role deleted)' : ''}`))])
  const def = p.missingDefault[0]?.role
  section(`Users missing the default role${def ? ` ${def}` : ''} (${p.missingDefault.length})`, p.missingDefault.map((x) => add(x.email)))
  section(`Grants expired (${p.expiredGrants.length})`, p.expiredGrants.map((x) => del(`${x.role}  ${x.email}  (expired ${x.expires})`)))
  if (r.violations.length > 0) {
    lines.push(c.bold('Rules that stop apply'))
    for (const v of r.violations) lines.push(`  ${c.red('!')} ${v.rule}: ${v.message}${v.override ? c.dim(` (${v.override} allows it)`) : ''}`)
    lines.push('')
  }
  if (planChanges(p) === 0) {
    lines.push(c.green(`No changes: the tenant matches ${r.file}.`))
  } else {
    lines.push(
      `${c.bold('Plan:')} ${p.createRoles.length} role(s) to create, ${p.updateRoles.length} to update, ${p.deleteRoles.length} to delete; ` +
        `${p.addPermissions.length + p.removePermissions.length} permission change(s); ${p.addMembers.length + p.removeMembers.length} member change(s); ` +
        `${p.missingDefault.length} default-role assignment(s); ${p.expiredGrants.length} expired grant(s).`,
    )
  }
  return lines.join('\n')
}
