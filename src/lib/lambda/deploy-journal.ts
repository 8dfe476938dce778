/**
 * The deploy journal: one file per `impress deploy` run under <dataDir>/journals/deploy/,
 * rewritten after each module, so `rollback --all` knows what the last deploy changed and
 * `deploy status|promote|abort` can finish a detached canary.
 */
import {Journal} from '../journal/journal.js'
import type {ModuleResult} from './deploy.js'

export const DEPLOY_KIND = 'deploy'

export interface DeployParams extends Record<string, unknown> {
  alias: string
  modules: string[]
  canary?: {weight: number; bakeMs: number; detach: boolean}
  deployer: string
}

export class DeployJournal {
  private constructor(readonly journal: Journal<DeployParams>) {}

  static start(dataDir: string, params: DeployParams): DeployJournal {
    return new DeployJournal(Journal.create<DeployParams>(dataDir, DEPLOY_KIND, 'deploy', params, `deploy-${new Date().toISOString().replace(/[-:.]/g, '')}-${process.pid}`))
  }

  /** The newest deploy run that changed something, if any (unchanged modules and failed ones, whose alias stayed, change nothing). */
  static latest(dataDir: string): DeployJournal | undefined {
    const j = Journal.list<DeployParams>(dataDir, DEPLOY_KIND).find((x) => x.doc.steps.some((s) => s.data?.status !== 'unchanged' && !(s.data?.status === 'failed' && !s.data?.aliasMoved)))
    return j ? new DeployJournal(j) : undefined
  }

  /** The newest deploy run with a detached canary still waiting (later runs that failed on it do not hide it). */
  static waitingCanary(dataDir: string): DeployJournal | undefined {
    const j = Journal.list<DeployParams>(dataDir, DEPLOY_KIND).find((x) => x.doc.steps.some((s) => s.data?.status === 'canary'))
    return j ? new DeployJournal(j) : undefined
  }

  get id(): string {
    return this.journal.doc.id
  }

  get alias(): string {
    return this.journal.doc.params.alias
  }

  /** An unchanged module is written with the next save (close): it changed nothing a rerun or a rollback needs. */
  record(module: string, result: ModuleResult): void {
    this.journal.finish(module, {...result}, {save: result.status !== 'unchanged'})
  }

  modules(): ModuleResult[] {
    return this.journal.doc.steps.map((s) => s.data as unknown as ModuleResult).filter(Boolean)
  }

  /** When the module's latest result was recorded (ISO time). */
  recordedAt(module: string): string | undefined {
    return this.journal.doc.steps.find((s) => s.name === module)?.endedAt
  }

  /** Mark the run finished: done, or running while a detached canary waits; `aborted` after `deploy abort`. */
  close(status?: 'aborted'): void {
    const waiting = this.modules().some((m) => m.status === 'canary')
    const failed = this.modules().some((m) => m.status === 'failed' || m.status === 'rolled-back')
    this.journal.setStatus(waiting ? 'running' : (status ?? (failed ? 'failed' : 'done')))
  }
}
