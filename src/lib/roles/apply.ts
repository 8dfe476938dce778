/**
 * `roles plan` and `roles apply`: read the tenant, plan, check the invariants (exit 4 naming
 * the rule), then apply in a safe order (create roles and permissions before assigning, remove
 * members before deleting a role) and re-plan: the tenant must then match the file.
 */
import {OperationError, RefusedError} from '../errors.js'
import type {LoadedRolesFile} from './file.js'
import {checkInvariants, computePlan, planChanges, summarize, type PlanSummary, type RolesPlan, type Violation} from './plan.js'
import type {RolesTenantPort, Tenant} from './ports.js'

export interface PlanResult {
  file: string
  plan: RolesPlan
  summary: PlanSummary
  violations: Violation[]
  drift: boolean
}

export interface PlanDeps {
  tenant: RolesTenantPort
  now?: () => number
}

export async function runPlan(options: {file: LoadedRolesFile; allowDelete?: boolean; allowMassRemoval?: boolean}, deps: PlanDeps): Promise<PlanResult & {tenant: Tenant}> {
  const now = (deps.now ?? Date.now)()
  const tenant = await deps.tenant.readTenant()
  const plan = computePlan(options.file, tenant, now)
  const violations = checkInvariants(options.file, tenant, plan, now, options)
  return {file: options.file.file, plan, summary: summarize(plan, tenant), violations, drift: planChanges(plan) > 0, tenant}
}

export function refuseViolations(violations: Violation[]): void {
  if (violations.length === 0) return
  const v = violations[0]
  const more = violations.length > 1 ? ` (and ${violations.length - 1} more: ${violations.slice(1).map((x) => x.rule).join(', ')})` : ''
  throw new RefusedError(`Rule ${v.rule}: ${v.message}${more}.`, {
    code: 'E_ROLES_RULE',
    hint: v.override ? `Fix roles.yaml, or pass ${v.override} if this is intended.` : 'Fix roles.yaml so the plan satisfies the rule, then run the command again.',
    details: {violations},
  })
}

export interface ApplyProgress {
  (step: string, count: number): void
}

/** Apply a plan to the tenant in a safe order. */
export async function applyPlan(plan: RolesPlan, tenant: RolesTenantPort, progress: ApplyProgress = () => {}, signal?: AbortSignal): Promise<void> {
  const ids = new Map<string, string>()
  const idOf = (role: string, roleId?: string) => roleId ?? ids.get(role) ?? fail(`no id for role ${role}`)
  const check = () => signal?.throwIfAborted()

  progress('create roles', plan.createRoles.length)
  for (const c of plan.createRoles) ids.set(c.name, await tenant.createRole(c.name, c.description))
  check()
  progress('update roles', plan.updateRoles.length)
  await Promise.all(plan.updateRoles.map((u) => tenant.updateRole(u.roleId, u.description.to)))
  check()
  progress('add permissions', plan.addPermissions.length)
  await Promise.all([...group(plan.addPermissions, (p) => idOf(p.role, p.roleId))].map(([id, ps]) => tenant.addPermissions(id, ps.map((p) => ({api: p.api, name: p.permission})))))
  check()
  const assign = [...plan.addMembers, ...plan.missingDefault]
  progress('assign members', assign.length)
  await Promise.all([...group(assign, (m) => idOf(m.role, m.roleId))].map(([id, ms]) => tenant.assignUsers(id, [...new Set(ms.map((m) => m.userId))])))
  check()
  progress('remove permissions', plan.removePermissions.length)
  await Promise.all([...group(plan.removePermissions, (p) => idOf(p.role, p.roleId))].map(([id, ps]) => tenant.removePermissions(id, ps.map((p) => ({api: p.api, name: p.permission})))))
  check()
  const removals = [...plan.removeMembers, ...plan.expiredGrants]
  progress('remove members', removals.length)
  await Promise.all([...group(removals, (m) => m.userId)].map(([userId, ms]) => tenant.removeUserRoles(userId, [...new Set(ms.map((m) => idOf(m.role, m.roleId)))])))
  check()
  progress('delete roles', plan.deleteRoles.length)
  for (const d of plan.deleteRoles) await tenant.deleteRole(d.roleId)
}

function group<T>(items: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>()
  for (const x of items) {
    const k = key(x)
    const list = m.get(k)
    if (list) list.push(x)
    else m.set(k, [x])
  }
  return m
}

function fail(message: string): never {
  throw new OperationError(message)
}

export interface ApplyResult extends PlanResult {
  applied: boolean
  replan: {changes: number}
}

export interface ApplyOptions {
  file: LoadedRolesFile
  allowDelete?: boolean
  allowMassRemoval?: boolean
  dryRun?: boolean
  /** Called with the plan before anything changes; throws to stop (confirmation). */
  confirm?: (plan: PlanResult) => Promise<void>
  progress?: ApplyProgress
  signal?: AbortSignal
}

export async function runApply(options: ApplyOptions, deps: PlanDeps): Promise<ApplyResult> {
  const planned = await runPlan(options, deps)
  const {tenant: _tenant, ...result} = planned
  refuseViolations(planned.violations)
  if (!planned.drift || options.dryRun) return {...result, applied: false, replan: {changes: planChanges(planned.plan)}}
  await options.confirm?.(result)
  await applyPlan(planned.plan, deps.tenant, options.progress, options.signal)
  const after = await runPlan({file: options.file, allowDelete: true, allowMassRemoval: true}, deps)
  const changes = planChanges(after.plan)
  if (changes > 0) {
    throw new OperationError(`Applied the plan, but the tenant still differs from ${options.file.file} in ${changes} place(s).`, {
      code: 'E_ROLES_DRIFT_AFTER_APPLY',
      hint: 'Someone changed the tenant meanwhile, or Auth0 rejected part of it silently: run `impress roles plan` to see what is left.',
      details: {remaining: after.plan},
    })
  }
  return {...result, applied: true, replan: {changes}}
}
