/**
 * Finishing a detached canary (`impress deploy status | promote | abort`) from the deploy
 * journal, and the sandbox's canary probe (repeated smoke invokes of the new version).
 */
import {OperationError, UsageError} from '../errors.js'
import {Lock} from '../journal/journal.js'
import {markDescription} from './alias-mark.js'
import {DeployJournal} from './deploy-journal.js'
import type {ModuleResult} from './deploy.js'
import type {AliasInfo, CanaryProbe, LambdaPort} from './ports.js'
import {describeWeights} from './weights.js'

/** Invokes the version a few times per check: the sandbox has no CloudWatch metrics of its own here. */
export class SmokeInvokeProbe implements CanaryProbe {
  private samples = 0
  private errorsSeen = 0
  constructor(
    private readonly lambda: LambdaPort,
    private readonly payload: (fn: string) => unknown,
    private readonly perCheck = 3,
    private readonly timeoutMs = 10_000,
  ) {}

  async errors(fn: string, version: string): Promise<{errors: number; samples: number}> {
    for (let i = 0; i < this.perCheck; i++) {
      const r = await this.lambda.invoke(fn, version, this.payload(fn), this.timeoutMs)
      this.samples++
      if (!r.ok) this.errorsSeen++
    }
    return {errors: this.errorsSeen, samples: this.samples}
  }
}

export interface CanaryModuleState extends ModuleResult {
  /** The alias as Lambda reports it now. */
  live?: AliasInfo
  /** When the weight was shifted (ISO time), and how long ago, in ms. */
  since?: string
  ageMs?: number
}

export interface CanaryState {
  journal: string
  alias: string
  modules: CanaryModuleState[]
}

export function pendingCanary(dataDir: string): {journal: DeployJournal; modules: ModuleResult[]} {
  const journal = DeployJournal.waitingCanary(dataDir)
  const modules = journal?.modules().filter((m) => m.status === 'canary') ?? []
  if (!journal || modules.length === 0) {
    throw new UsageError('No detached canary is waiting.', {hint: 'Start one with `impress deploy MODULE --canary 10% --detach`.'})
  }
  return {journal, modules}
}

export async function canaryStatus(dataDir: string, deps: {lambda: LambdaPort; now?: () => number}): Promise<CanaryState> {
  const {journal, modules} = pendingCanary(dataDir)
  const now = deps.now?.() ?? Date.now()
  const out = await Promise.all(
    modules.map(async (m) => {
      const since = journal.recordedAt(m.module)
      return {...m, live: await deps.lambda.getAlias(m.function, journal.alias), ...(since ? {since, ageMs: Math.max(0, now - Date.parse(since))} : {})}
    }),
  )
  return {journal: journal.id, alias: journal.alias, modules: out}
}

/** Is the alias still serving exactly this canary (previous version + weight on the new one)? */
function isCanary(live: AliasInfo, m: ModuleResult): boolean {
  return live.functionVersion === m.previousVersion && live.weights !== undefined && m.newVersion !== undefined && m.newVersion in live.weights
}

/**
 * Promote (alias → new version only) or abort (alias → previous version only) every waiting
 * canary. Every alias is read first: if one was changed since the canary started (by a rollback,
 * the console, another tool), nothing is touched and the command fails naming it; an alias
 * already in the wanted state is just recorded. Each move carries the alias's RevisionId as a
 * precondition and writes the alias mark (alias-mark.ts), so the next deploy needs GetAlias only.
 */
export async function finishCanary(dataDir: string, action: 'promote' | 'abort', deps: {lambda: LambdaPort}): Promise<CanaryState> {
  const {journal, modules} = pendingCanary(dataDir)
  // The deploy's lock per function: not while a deploy of it (a canary being baked) runs here, nor twice at once.
  return Lock.with(dataDir, modules.map((m) => `lambda-deploy-${m.function}`), `impress deploy of ${modules.map((m) => m.function).join(', ')}`, () => finish(journal, modules, action, deps))
}

async function finish(journal: DeployJournal, modules: ModuleResult[], action: 'promote' | 'abort', deps: {lambda: LambdaPort}): Promise<CanaryState> {
  const current = await Promise.all(modules.map(async (m) => ({m, live: await deps.lambda.getAlias(m.function, journal.alias)})))
  const target = (m: ModuleResult) => (action === 'promote' ? m.newVersion! : m.previousVersion!)
  const done = (live: AliasInfo, m: ModuleResult) => live.functionVersion === target(m) && !live.weights
  const moved = current.filter(({m, live}) => !isCanary(live, m) && !done(live, m))
  if (moved.length > 0) {
    const what = moved.map(({m, live}) => `${m.function}:${journal.alias} → ${live.functionVersion}${live.weights ? ` (${describeWeights(live.weights)})` : ''} (canary: ${m.previousVersion} + ${m.newVersion})`).join('; ')
    throw new OperationError(`The alias changed since the canary started: ${what}. Nothing was changed.`, {
      code: 'E_LAMBDA_CONFLICT',
      hint: 'Look at `impress versions MODULE`; move the alias with `impress rollback MODULE --to VERSION` if needed.',
    })
  }
  const out: CanaryState['modules'] = []
  for (const {m, live} of current) {
    const version = target(m)
    const code = action === 'promote' ? m.codeSha256 : m.currentSha256
    const after = done(live, m)
      ? live
      : await deps.lambda.updateAlias(m.function, journal.alias, {version, weights: {}, revisionId: live.revisionId, ...(code ? {description: markDescription(live.description, version, code)} : {})})
    const r: ModuleResult = {
      ...m,
      status: action === 'promote' ? 'deployed' : 'rolled-back',
      aliasMoved: action === 'promote',
      canaryWeight: undefined,
      finishedBy: action,
      ...(action === 'abort' ? {error: `canary of version ${m.newVersion} aborted (impress deploy abort)`, hint: `The alias ${journal.alias} points to version ${m.previousVersion} again.`} : {}),
    }
    journal.record(m.module, r)
    out.push({...r, live: after})
  }
  journal.close(action === 'abort' ? 'aborted' : undefined)
  return {journal: journal.id, alias: journal.alias, modules: out}
}
