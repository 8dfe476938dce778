/**
 * Finishing a detached canary (`impress deploy status | promote | abort`) from the deploy
 * journal, and the sandbox's canary probe (repeated smoke invokes of the new version).
 */
import {UsageError} from '../errors.js'
import {DeployJournal} from './deploy-journal.js'
import type {ModuleResult} from './deploy.js'
import type {AliasInfo, CanaryProbe, LambdaPort} from './ports.js'

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

export interface CanaryState {
  journal: string
  alias: string
  modules: (ModuleResult & {live?: AliasInfo})[]
}

export function pendingCanary(dataDir: string): {journal: DeployJournal; modules: ModuleResult[]} {
  const journal = DeployJournal.waitingCanary(dataDir)
  const modules = journal?.modules().filter((m) => m.status === 'canary') ?? []
  if (!journal || modules.length === 0) {
    throw new UsageError('No detached canary is waiting.', {hint: 'Start one with `impress deploy MODULE --canary 10% --detach`.'})
  }
  return {journal, modules}
}

export async function canaryStatus(dataDir: string, deps: {lambda: LambdaPort}): Promise<CanaryState> {
  const {journal, modules} = pendingCanary(dataDir)
  const out = await Promise.all(modules.map(async (m) => ({...m, live: await deps.lambda.getAlias(m.function, journal.alias)})))
  return {journal: journal.id, alias: journal.alias, modules: out}
}

/** Promote (alias → new version) or abort (alias → previous version only) every waiting canary. */
export async function finishCanary(dataDir: string, action: 'promote' | 'abort', deps: {lambda: LambdaPort}): Promise<CanaryState> {
  const {journal, modules} = pendingCanary(dataDir)
  const out: CanaryState['modules'] = []
  for (const m of modules) {
    const version = action === 'promote' ? m.newVersion! : m.previousVersion!
    const live = await deps.lambda.updateAlias(m.function, journal.alias, {version, weights: {}})
    const r: ModuleResult = {...m, status: action === 'promote' ? 'deployed' : 'rolled-back', aliasMoved: action === 'promote', canaryWeight: undefined}
    journal.record(m.module, r)
    out.push({...r, live})
  }
  journal.close()
  return {journal: journal.id, alias: journal.alias, modules: out}
}
