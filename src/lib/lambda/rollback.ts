/**
 * `impress rollback`: point the alias back at the previous published version (or a given
 * one), after a plan. A version that does not exist is refused, naming the nearest ones.
 */
import {randomBytes} from 'node:crypto'
import {UsageError} from '../errors.js'
import {Journal} from '../journal/journal.js'
import type {AliasInfo, FunctionVersionInfo, LambdaPort} from './ports.js'

/**
 * A rollback is journaled before the alias moves: when its answer is lost (a timeout after the
 * service applied it), a rerun of the same command finishes that rollback instead of stepping
 * the alias back once more.
 */
export const ROLLBACK_JOURNAL = 'lambda-rollback'
export type RollbackIntent = {alias: string; from: string; to: string}

export function pendingRollback(dataDir: string, fn: string): Journal<RollbackIntent> | undefined {
  return Journal.findRunning<RollbackIntent>(dataDir, ROLLBACK_JOURNAL, fn)
}

export interface RollbackPlan {
  module: string
  function: string
  alias: string
  fromVersion: string
  /** Canary weights in effect now (removed by the rollback). */
  fromWeights?: Record<string, number>
  toVersion: string
  toDescription: string
  toCodeSha256: string
  /** Nothing to do: the alias already points (only) there. */
  noop: boolean
  aliasRevisionId: string
  /** An earlier, unfinished rollback of this alias: finished now, found applied, or stale (the alias moved since). */
  resumed?: 'resuming' | 'already-applied' | 'stale'
}

/** The published versions nearest to `wanted`, for the error message. */
export function nearestVersions(versions: string[], wanted: string, count = 3): string[] {
  const n = Number(wanted)
  const nums = versions.map(Number).filter((v) => Number.isFinite(v))
  if (!Number.isFinite(n)) return nums.slice(-count).map(String)
  return [...nums]
    .sort((a, b) => Math.abs(a - n) - Math.abs(b - n) || b - a)
    .slice(0, count)
    .sort((a, b) => a - b)
    .map(String)
}

/** Which version a rollback goes to: the given one, or the newest published version below the alias's. */
export function chooseTarget(versions: FunctionVersionInfo[], alias: AliasInfo, to?: string): FunctionVersionInfo | undefined {
  if (to !== undefined) return versions.find((v) => v.version === to)
  if (alias.weights && Object.keys(alias.weights).length > 0) return versions.find((v) => v.version === alias.functionVersion)
  const current = Number(alias.functionVersion)
  return [...versions].filter((v) => Number(v.version) < current).sort((a, b) => Number(b.version) - Number(a.version))[0]
}

export async function planRollback(options: {module: string; function: string; alias: string; to?: string; pending?: RollbackIntent}, deps: {lambda: LambdaPort}): Promise<RollbackPlan> {
  const [alias, versions] = await Promise.all([deps.lambda.getAlias(options.function, options.alias), deps.lambda.listVersions(options.function)])
  if (options.to !== undefined && !/^\d+$/.test(options.to)) {
    throw new UsageError(`--to expects a published version number, got "${options.to}".`, {hint: `See \`impress versions ${options.module}\`.`})
  }
  const p = options.to === undefined && options.pending?.alias === options.alias ? options.pending : undefined
  const resumed = !p ? undefined : alias.functionVersion === p.to && !alias.weights ? 'already-applied' : alias.functionVersion === p.from ? 'resuming' : 'stale'
  const target = chooseTarget(versions, alias, resumed && resumed !== 'stale' ? p!.to : options.to)
  if (!target) {
    const near = nearestVersions(versions.map((v) => v.version), options.to ?? alias.functionVersion)
    throw new UsageError(
      options.to !== undefined
        ? `Version ${options.to} of ${options.function} does not exist; nearest published versions: ${near.join(', ') || 'none'}.`
        : `${options.function}:${options.alias} points to version ${alias.functionVersion} and there is no older published version.`,
      {hint: `See \`impress versions ${options.module}\`, then pass --to VERSION.`, details: {nearest: near}},
    )
  }
  const weighted = Boolean(alias.weights && Object.keys(alias.weights).length > 0)
  return {
    module: options.module,
    function: options.function,
    alias: options.alias,
    fromVersion: alias.functionVersion,
    ...(weighted ? {fromWeights: alias.weights} : {}),
    toVersion: target.version,
    toDescription: target.description,
    toCodeSha256: target.codeSha256,
    noop: target.version === alias.functionVersion && !weighted,
    aliasRevisionId: alias.revisionId,
    ...(resumed ? {resumed} : {}),
  }
}

export async function applyRollback(plan: RollbackPlan, deps: {lambda: LambdaPort}): Promise<{aliasVersion: string}> {
  if (plan.noop) return {aliasVersion: plan.fromVersion}
  const a = await deps.lambda.updateAlias(plan.function, plan.alias, {version: plan.toVersion, weights: {}, revisionId: plan.aliasRevisionId})
  return {aliasVersion: a.functionVersion}
}

/** Unique per rollback (Journal's default id is per second: a rollback right after closing a stale one would overwrite it). */
const rollbackId = (fn: string) => `${fn}-${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`

type Pending = Map<string, Journal<RollbackIntent> | undefined>

/** Plan each target's rollback, with the earlier, unfinished rollback of its function (if any). */
export async function planRollbacks(targets: {module: string; function: string; to?: string}[], alias: string, deps: {lambda: LambdaPort; dataDir: string}): Promise<{plans: RollbackPlan[]; pending: Pending}> {
  const pending: Pending = new Map(targets.map((t) => [t.function, pendingRollback(deps.dataDir, t.function)]))
  const plans = await Promise.all(targets.map((t) => planRollback({...t, alias, pending: pending.get(t.function)?.doc.params}, deps)))
  return {plans, pending}
}

/** What the operator is told about a plan's earlier, unfinished rollback. */
export function pendingNote(p: RollbackPlan, pending: Pending): string | undefined {
  const intent = p.resumed && pending.get(p.function)?.doc.params
  if (!intent) return undefined
  const how = p.resumed === 'already-applied' ? ': it took effect' : p.resumed === 'resuming' ? ': finishing it' : ` and ${p.alias} has moved since (now ${p.fromVersion}): planning afresh`
  return `${p.module}: an earlier rollback ${intent.from} → ${intent.to} did not finish${how}.`
}

/**
 * Apply the plans: an earlier rollback found applied (or stale) is closed; each alias move is
 * journaled before it happens and marked done after, so a lost answer is finished by a rerun.
 */
export async function applyRollbacks(plans: RollbackPlan[], pending: Pending, deps: {lambda: LambdaPort; dataDir: string}, onApplied: (p: RollbackPlan) => void): Promise<void> {
  for (const p of plans) if (p.resumed === 'already-applied' || p.resumed === 'stale') pending.get(p.function)?.setStatus(p.resumed === 'stale' ? 'aborted' : 'done')
  for (const p of plans) {
    const j = p.noop ? undefined : p.resumed === 'resuming' ? pending.get(p.function) : Journal.create<RollbackIntent>(deps.dataDir, ROLLBACK_JOURNAL, p.function, {alias: p.alias, from: p.fromVersion, to: p.toVersion}, rollbackId(p.function))
    await applyRollback(p, deps)
    j?.setStatus('done')
    if (!p.noop) onApplied(p)
  }
}

