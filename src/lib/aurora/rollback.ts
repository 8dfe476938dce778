/**
 * The full rollback of the production Aurora cluster to a point in time:
 *   plan → confirm → safety snapshot → restore into a new cluster with instances like the
 *   source's → wait → compare → rename the original aside (never deleted) → rename the
 *   restored cluster to the original identifier (applications keep their endpoint) → verify.
 * Every step is journaled with the resource ids it touches and is idempotent, so a rerun after
 * a crash, Ctrl-C or kill -9 resumes where it stopped and never creates a second restored
 * cluster. A lock stops a second operator. `abort` undoes the steps, keeping every original.
 */
import path from 'node:path'
import {InterruptedError, OperationError, RefusedError, UsageError} from '../errors.js'
import {Journal, Lock, lockHolder, type JournalDoc, type LockHolder} from '../journal/journal.js'
import {describeDifference} from './compare.js'
import {names} from './names.js'
import {AlreadyExistsError, type ClusterInfo} from './ports.js'
import {checkInWindow, checkRestored, ensureInstances, ensureRestoredCluster, planRestore, waitRestored, windowText, type RestoreDeps, type RestorePlan} from './restore.js'

export const JOURNAL_KIND = 'aurora-rollback'
export const ROLLBACK_STEPS = ['safety-snapshot', 'restore-cluster', 'create-instances', 'wait-restored', 'check-restored', 'rename-original', 'rename-restored', 'verify'] as const
export type RollbackStep = (typeof ROLLBACK_STEPS)[number]
const MARKER_KEY = 'impress:rollback'

export interface RollbackParams extends Record<string, unknown> {
  cluster: string
  targetTime: string
  startedAt: string
  restoredId: string
  asideId: string
  safetySnapshotId: string
  sourceResourceId: string
  sourceEndpoint?: string
  window?: {earliest: string; latest: string}
  restore: RestorePlan
  verify: string[]
}

export interface RollbackPlanView {
  cluster: string
  targetTime: string
  window?: {earliest: string; latest: string}
  safetySnapshot: string
  restored: {id: string; instances: {id: string; instanceClass: string; role: string}[]}
  swap: {original: string; aside: string; restored: string}
  resume?: {journal: string; done: string[]}
}

export interface RollbackDeps extends RestoreDeps {
  dataDir: string
  actor: string
  /** Show the plan (the command renders it). */
  showPlan?: (plan: RollbackPlanView) => void
  /** Confirm before the first change (exit 4 without a TTY and --yes). */
  confirm: (action: string) => Promise<void>
  /** Run one verification command; resolves with its exit code. */
  runCommand?: (command: string, env: Record<string, string>) => Promise<{exitCode: number; output: string}>
  now?: () => Date
}

export interface RollbackReport {
  cluster: string
  targetTime: string
  journal: string
  resumed: boolean
  dryRun: boolean
  plan: RollbackPlanView
  safetySnapshot: string
  aside: string
  restoredFrom: string
  endpoint?: string
  endpointUnchanged?: boolean
  verification: {command: string; exitCode: number}[]
  steps: {name: string; status: string; startedAt: string; endedAt?: string}[]
}

const lockName = (cluster: string) => `aurora-rollback-${cluster}`

function planView(p: RollbackParams, resume?: Journal<RollbackParams>): RollbackPlanView {
  return {
    cluster: p.cluster,
    targetTime: p.targetTime,
    ...(p.window ? {window: p.window} : {}),
    safetySnapshot: p.safetySnapshotId,
    restored: {id: p.restoredId, instances: p.restore.instances.map((i, n) => ({id: i.id, instanceClass: i.instanceClass, role: n === 0 ? 'writer' : 'reader'}))},
    swap: {original: p.cluster, aside: p.asideId, restored: p.restoredId},
    ...(resume ? {resume: {journal: resume.doc.id, done: resume.doc.steps.filter((s) => s.status === 'done').map((s) => s.name)}} : {}),
  }
}

/** Plan a new rollback (read-only): the window check (exit 2) and every name it will use. */
export async function planRollback(options: {cluster: string; time: Date; verify?: string[]}, deps: RollbackDeps): Promise<RollbackParams> {
  const now = deps.now?.() ?? new Date()
  const source = await deps.aurora.getCluster(options.cluster)
  if (!source) throw new UsageError(`The Aurora cluster ${options.cluster} does not exist.`, {hint: 'Check aurora.cluster in the configuration.'})
  checkInWindow(options.time, source)
  const restoredId = names.restored(options.cluster, now)
  const restore = await planRestore({source: options.cluster, target: restoredId, from: {time: options.time.toISOString()}}, deps)
  return {
    cluster: options.cluster,
    targetTime: options.time.toISOString(),
    startedAt: now.toISOString(),
    restoredId,
    asideId: names.aside(options.cluster, now),
    safetySnapshotId: names.safetySnapshot(options.cluster, now),
    sourceResourceId: source.resourceId,
    sourceEndpoint: source.endpoint,
    ...(restore.window ? {window: restore.window} : {}),
    restore,
    verify: options.verify ?? [],
  }
}

export async function runRollback(options: {cluster: string; time?: Date; verify?: string[]; dryRun?: boolean}, deps: RollbackDeps): Promise<RollbackReport> {
  if (options.dryRun) {
    const existing = Journal.findRunning<RollbackParams>(deps.dataDir, JOURNAL_KIND, options.cluster)
    const params = existing?.doc.params ?? (await planRollback(requireTime(options), deps))
    const view = planView(params, existing)
    deps.showPlan?.(view)
    return report(params, existing, view, {dryRun: true, resumed: Boolean(existing)})
  }
  const lock = Lock.acquire(deps.dataDir, lockName(options.cluster), `The Aurora rollback of ${options.cluster}`)
  try {
    let journal = Journal.findRunning<RollbackParams>(deps.dataDir, JOURNAL_KIND, options.cluster)
    const resumed = Boolean(journal)
    let params: RollbackParams
    if (journal) {
      params = journal.doc.params
      if (options.time && options.time.toISOString() !== params.targetTime) {
        throw new RefusedError(`An unfinished rollback of ${options.cluster} to ${params.targetTime} exists (journal ${journal.doc.id}); refusing to start another to ${options.time.toISOString()}.`, {
          code: 'E_ROLLBACK_UNFINISHED',
          hint: 'Resume it with `impress aurora rollback` (no --to-time), or undo it with `impress aurora rollback --abort`.',
        })
      }
      deps.progress?.(`Resuming the rollback ${journal.doc.id} (done: ${journal.doc.steps.filter((s) => s.status === 'done').map((s) => s.name).join(', ') || 'nothing yet'})`)
    } else {
      // A rerun of a rollback that already finished (e.g. killed while printing) reports it.
      const last = Journal.list<RollbackParams>(deps.dataDir, JOURNAL_KIND).find((j) => j.doc.target === options.cluster)
      if (last?.doc.status === 'done' && options.time && last.doc.params.targetTime === options.time.toISOString()) {
        deps.progress?.(`The rollback ${last.doc.id} to ${last.doc.params.targetTime} already completed at ${last.doc.updatedAt}; nothing to do.`)
        return report(last.doc.params, last, planView(last.doc.params), {dryRun: false, resumed: true})
      }
      params = await planRollback(requireTime(options), deps)
    }
    const view = planView(params, journal)
    deps.showPlan?.(view)
    await deps.confirm(`roll ${options.cluster} back to ${params.targetTime} (the original is renamed to ${params.asideId} and kept)`)
    journal ??= Journal.create<RollbackParams>(deps.dataDir, JOURNAL_KIND, options.cluster, params, params.restoredId)
    await executeSteps(journal, deps)
    journal.setStatus('done')
    return report(params, journal, view, {dryRun: false, resumed})
  } finally {
    lock.release()
  }
}

function requireTime(options: {cluster: string; time?: Date; verify?: string[]}): {cluster: string; time: Date; verify?: string[]} {
  if (!options.time) throw new UsageError('--to-time is required to start a rollback.', {hint: 'For example: impress aurora rollback --to-time "2h ago".'})
  return {cluster: options.cluster, time: options.time, verify: options.verify}
}

async function executeSteps(journal: Journal<RollbackParams>, deps: RollbackDeps): Promise<void> {
  const p = journal.doc.params
  const {aurora} = deps
  const marker = {key: MARKER_KEY, value: journal.doc.id}
  const restoredRid = () => (journal.step('restore-cluster')?.data?.resourceId as string | undefined) ?? ''
  // Ctrl-C stops between steps: nothing new starts once the operator asked to stop.
  const run = (name: RollbackStep, fn: () => Promise<Record<string, unknown>>) => {
    if (deps.signal?.aborted && !journal.isDone(name)) throw new InterruptedError('Interrupted: the rollback stopped between steps.', {hint: 'Run `impress aurora rollback` to resume, or `--abort` to undo.'})
    return journal.run(name, fn)
  }

  await run('safety-snapshot', async () => {
    if (!(await aurora.getSnapshot(p.safetySnapshotId))) {
      const original = await aurora.getCluster(p.cluster)
      if (!original || original.resourceId !== p.sourceResourceId) throw new OperationError(`The cluster ${p.cluster} is not the one this rollback started from.`, {hint: 'Run `impress aurora rollback --status` and investigate.'})
      if (original.status !== 'available') await aurora.waitClusterAvailable(p.cluster, {signal: deps.signal})
      deps.progress?.(`Taking the safety snapshot ${p.safetySnapshotId}`)
      try {
        await aurora.createSnapshot(p.cluster, p.safetySnapshotId, {'created-by': deps.actor, 'created-with': 'impress', reason: `safety snapshot before rolling back to ${p.targetTime}`, keep: 'true', [MARKER_KEY]: journal.doc.id})
      } catch (error) {
        if (!(error instanceof AlreadyExistsError)) throw error
      }
    }
    deps.progress?.(`Waiting for the safety snapshot ${p.safetySnapshotId}`)
    await aurora.waitSnapshotAvailable(p.safetySnapshotId, {signal: deps.signal})
    return {snapshot: p.safetySnapshotId}
  })

  await run('restore-cluster', async () => {
    const c = await ensureRestoredCluster(p.restore, deps, marker)
    return {cluster: c.id, resourceId: c.resourceId}
  })

  await run('create-instances', async () => {
    const created = await ensureInstances(p.restore, deps)
    return {instances: p.restore.instances.map((i) => i.id), createdThisRun: created}
  })

  await run('wait-restored', async () => {
    await waitRestored(p.restore, deps)
    return {}
  })

  await run('check-restored', async () => {
    const check = await checkRestored(p.restore, deps)
    if (check.differences.length > 0) {
      throw new OperationError(`The restored cluster ${p.restoredId} differs from ${p.cluster}: ${check.differences.map(describeDifference).join('; ')}.`, {
        code: 'E_RESTORE_DIFFERS',
        hint: 'Nothing was swapped. Fix it and rerun to resume, or `impress aurora rollback --abort` to remove the restored cluster.',
        details: {differences: check.differences},
      })
    }
    return {compared: true}
  })

  await run('rename-original', async () => {
    await renameStep(p.cluster, p.asideId, p.sourceResourceId, deps)
    return {from: p.cluster, to: p.asideId, resourceId: p.sourceResourceId}
  })

  await run('rename-restored', async () => {
    await renameStep(p.restoredId, p.cluster, restoredRid(), deps)
    return {from: p.restoredId, to: p.cluster, resourceId: restoredRid()}
  })

  await run('verify', async () => {
    const check = await checkRestored(p.restore, deps, p.cluster)
    if (check.cluster.resourceId !== restoredRid()) throw new OperationError(`${p.cluster} is not the restored cluster after the swap.`, {hint: 'Run `impress aurora rollback --status` and investigate.'})
    if (check.differences.length > 0) {
      throw new OperationError(`After the swap, ${p.cluster} differs from the original: ${check.differences.map(describeDifference).join('; ')}.`, {code: 'E_RESTORE_DIFFERS', hint: 'Investigate; `impress aurora rollback --abort` swaps the original back.'})
    }
    const aside = await aurora.getCluster(p.asideId)
    if (!aside || aside.resourceId !== p.sourceResourceId) throw new OperationError(`The original cluster is not at ${p.asideId}.`, {hint: 'Run `impress aurora rollback --status` and investigate.'})
    const verification: {command: string; exitCode: number}[] = []
    for (const command of p.verify) {
      if (!deps.runCommand) break
      deps.progress?.(`Verifying: ${command}`)
      const r = await deps.runCommand(command, {IMPRESS_DB_CLUSTER: p.cluster, IMPRESS_DB_ENDPOINT: check.cluster.endpoint ?? '', IMPRESS_DB_READER_ENDPOINT: check.cluster.readerEndpoint ?? ''})
      verification.push({command, exitCode: r.exitCode})
      if (r.exitCode !== 0) throw new OperationError(`Verification failed: \`${command}\` exited ${r.exitCode}.`, {hint: 'Inspect the restored cluster; `impress aurora rollback --abort` swaps the original back.', details: {output: r.output.slice(-2000)}})
    }
    return {endpoint: check.cluster.endpoint, verification}
  })
}

/**
 * Rename the cluster `resourceId` from `from` to `to`, whatever state an earlier run left it in
 * (not started, renaming, renamed), then wait until it is available under `to`.
 */
async function renameStep(from: string, to: string, resourceId: string, deps: RestoreDeps): Promise<void> {
  const {aurora} = deps
  const atTarget = await aurora.getCluster(to)
  if (atTarget) {
    if (atTarget.resourceId !== resourceId) throw new OperationError(`A different cluster already uses the name ${to}.`, {hint: 'Investigate it; impress will not rename over it.'})
    if (atTarget.status !== 'available') await aurora.waitClusterAvailable(to, {signal: deps.signal})
    return
  }
  const c = await aurora.getCluster(from)
  if (!c || c.resourceId !== resourceId) throw new OperationError(`Cannot find the cluster ${from} (${resourceId}) to rename to ${to}.`, {hint: 'Run `impress aurora rollback --status` and check the clusters in the console.'})
  if (c.status !== 'renaming') {
    if (c.status !== 'available') await aurora.waitClusterAvailable(from, {signal: deps.signal})
    deps.progress?.(`Renaming ${from} to ${to}`)
    try {
      await aurora.renameCluster(from, to)
    } catch (error) {
      // A retried request whose first attempt went through: the cluster is renaming already.
      const again = await aurora.getCluster(from)
      const there = again ? undefined : await aurora.getCluster(to)
      if (!(again?.status === 'renaming' || there?.resourceId === resourceId)) throw error
    }
  }
  deps.progress?.(`Waiting for ${to} to be available`)
  await aurora.waitClusterAvailable(to, {signal: deps.signal})
}

function report(params: RollbackParams, journal: Journal<RollbackParams> | undefined, view: RollbackPlanView, flags: {dryRun: boolean; resumed: boolean}): RollbackReport {
  const verify = journal?.step('verify')?.data as {endpoint?: string; verification?: {command: string; exitCode: number}[]} | undefined
  return {
    cluster: params.cluster,
    targetTime: params.targetTime,
    journal: journal?.doc.id ?? '',
    resumed: flags.resumed,
    dryRun: flags.dryRun,
    plan: view,
    safetySnapshot: params.safetySnapshotId,
    aside: params.asideId,
    restoredFrom: params.restoredId,
    ...(verify?.endpoint ? {endpoint: verify.endpoint, endpointUnchanged: verify.endpoint === params.sourceEndpoint} : {}),
    verification: verify?.verification ?? [],
    steps: (journal?.doc.steps ?? []).map((s) => ({name: s.name, status: s.status, startedAt: s.startedAt, ...(s.endedAt ? {endedAt: s.endedAt} : {})})),
  }
}

export interface RollbackStatus {
  cluster: string
  /**
   * none: no rollback on record; running: unfinished and its process holds the lock;
   * interrupted: unfinished and nobody alive holds the lock (killed, crashed, Ctrl-C);
   * else the journal's final state.
   */
  state: 'none' | 'running' | 'interrupted' | 'done' | 'failed' | 'aborted'
  journal?: JournalDoc<RollbackParams>
  lock?: LockHolder
  next?: string
  /** The commands that finish or undo an interrupted rollback. */
  resume?: {command: string; abort: string}
}

/** The newest rollback journal of the cluster, whether it was interrupted, and who holds the lock. */
export function rollbackStatus(cluster: string, dataDir: string, envName: string, now = new Date()): RollbackStatus {
  const journal = Journal.list<RollbackParams>(dataDir, JOURNAL_KIND).find((j) => j.doc.target === cluster)
  const lock = lockHolder(path.join(dataDir, 'locks', `${lockName(cluster)}.lock`), now)
  const unfinished = journal?.doc.status === 'running'
  const next = unfinished ? ROLLBACK_STEPS.find((s) => !journal.isDone(s)) : undefined
  const state: RollbackStatus['state'] = !journal ? 'none' : unfinished ? (lock && !lock.stale ? 'running' : 'interrupted') : journal.doc.status === 'running' ? 'running' : journal.doc.status
  return {
    cluster,
    state,
    ...(journal ? {journal: journal.doc} : {}),
    ...(lock ? {lock} : {}),
    ...(next ? {next} : {}),
    ...(state === 'interrupted' ? {resume: {command: `impress aurora rollback --env ${envName} --yes`, abort: `impress aurora rollback --env ${envName} --abort --yes`}} : {}),
  }
}

/** The lines under the journal's table: who holds the lock and, when interrupted, how to resume. */
export function statusFooter(s: RollbackStatus): string[] {
  const l = s.lock
  const out: string[] = []
  if (l) out.push(`Lock held by ${l.user} on ${l.host}, pid ${l.pid}, since ${l.since} (${l.ageSeconds}s)${l.stale ? ': STALE, that process is gone (the next run takes the lock over)' : l.otherHost ? ': on another host, not checkable from here' : ''}.`)
  else if (s.journal) out.push('No lock held.')
  if (s.resume) out.push(`It was interrupted. Resume: \`${s.resume.command}\`  Undo instead: \`${s.resume.abort}\``)
  return out
}

export interface AbortReport {
  cluster: string
  journal: string
  actions: string[]
  kept: string[]
}

/** Undo an unfinished rollback: swap names back, delete the restored cluster; keep every original resource. */
export async function abortRollback(options: {cluster: string; dryRun?: boolean}, deps: RollbackDeps): Promise<AbortReport> {
  const journal = Journal.findRunning<RollbackParams>(deps.dataDir, JOURNAL_KIND, options.cluster)
  if (!journal) throw new UsageError(`There is no unfinished rollback of ${options.cluster} to abort.`, {hint: 'See `impress aurora rollback --status`.'})
  const p = journal.doc.params
  const kept = [`${p.cluster} (the original cluster, resource ${p.sourceResourceId})`, `${p.safetySnapshotId} (safety snapshot, if taken)`]
  if (options.dryRun) return {cluster: p.cluster, journal: journal.doc.id, actions: ['(dry run) would swap names back and delete the restored cluster and its instances'], kept}
  const lock = Lock.acquire(deps.dataDir, lockName(options.cluster), `The Aurora rollback of ${options.cluster}`)
  const actions: string[] = []
  try {
    await deps.confirm(`abort the rollback ${journal.doc.id}: swap names back and delete the restored cluster ${p.restoredId}`)
    const {aurora} = deps
    const find = async (rid: string): Promise<ClusterInfo | undefined> => (await aurora.listClusters()).find((c) => c.resourceId === rid)
    let restoredRid = journal.step('restore-cluster')?.data?.resourceId as string | undefined
    if (!restoredRid) {
      const c = await aurora.getCluster(p.restoredId)
      if (c && c.tags[MARKER_KEY] === journal.doc.id) restoredRid = c.resourceId
    }
    // Let renames in flight finish, so names are stable.
    for (;;) {
      const states = await Promise.all([find(p.sourceResourceId), restoredRid ? find(restoredRid) : Promise.resolve(undefined)])
      if (!states.some((c) => c?.status === 'renaming')) break
      await aurora.pause(30_000, {signal: deps.signal})
    }
    const restored = restoredRid ? await find(restoredRid) : undefined
    if (restored && restored.id === p.cluster) {
      await renameStep(p.cluster, p.restoredId, restored.resourceId, deps)
      actions.push(`renamed the restored cluster ${p.cluster} back to ${p.restoredId}`)
    }
    const original = await find(p.sourceResourceId)
    if (!original) throw new OperationError(`The original cluster (${p.sourceResourceId}) cannot be found.`, {hint: 'Check the clusters in the AWS console.'})
    if (original.id !== p.cluster) {
      await renameStep(original.id, p.cluster, p.sourceResourceId, deps)
      actions.push(`renamed the original ${original.id} back to ${p.cluster}`)
    }
    if (restoredRid) {
      const r = await find(restoredRid)
      if (r && r.status !== 'deleting') {
        const instances = await aurora.listInstances(r.id)
        for (const i of instances.filter((x) => x.status !== 'deleting')) {
          await aurora.deleteInstance(i.id)
          actions.push(`deleted the instance ${i.id}`)
        }
        if (r.status !== 'available') await aurora.waitClusterAvailable(r.id, {signal: deps.signal})
        if (r.deletionProtection) await aurora.setDeletionProtection(r.id, false)
        await aurora.deleteCluster(r.id)
        actions.push(`deleted the restored cluster ${r.id}`)
      }
    }
    journal.setStatus('aborted')
    return {cluster: p.cluster, journal: journal.doc.id, actions, kept}
  } finally {
    lock.release()
  }
}

export {windowText}
