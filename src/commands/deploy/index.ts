import {Args, Flags} from '@oclif/core'
import path from 'node:path'
import {ImpressCommand, mutatingFlags} from '../../lib/cli/base-command.js'
import {InterruptedError} from '../../lib/errors.js'
import {Lock} from '../../lib/journal/journal.js'
import {BuildCache} from '../../lib/lambda/build-cache.js'
import {ensureDemoWorkspace} from '../../lib/lambda/demo-workspace.js'
import {DeployJournal} from '../../lib/lambda/deploy-journal.js'
import {runDeploy, type DeployResult} from '../../lib/lambda/deploy.js'
import {canaryRequest, deployFailure, deployTargets} from '../../lib/lambda/deploy-options.js'
import {deployer, lazyDescription} from '../../lib/lambda/provenance.js'
import {canaryProbe, lambdaAdapter, lambdaSection, moduleSpecs} from '../../lib/platform/aws/lambda-context.js'
import {renderDeploy} from '../../lib/lambda/render.js'

export default class Deploy extends ImpressCommand<typeof Deploy> {
  static override summary = 'Build, package and deploy Lambda modules: skip unchanged code, smoke-test, move the alias.'
  static override description =
    'Each module: build, deterministic zip, compare its SHA-256 with the live version, upload, wait, publish a version (who/commit in its description), smoke-invoke it, then move the alias, directly or through a canary. Modules deploy in parallel; each ends deployed, unchanged, failed (alias untouched) or rolled back.'
  static override examples = [
    '<%= config.bin %> deploy pdf',
    '<%= config.bin %> deploy --all --dry-run',
    '<%= config.bin %> deploy etl request --canary 10% --bake 5m',
    '<%= config.bin %> deploy pdf --canary 10% --detach   # then: deploy status | promote | abort',
  ]
  static override strict = false
  static override mutating = true
  // The audit key is read while the modules are hashed and their aliases read (runDeploy awaits the gate before a build or an upload).
  static override deferAuditGate = true
  static handlesInterrupt = true
  static override args = {module: Args.string({description: 'Module(s) to deploy (names from lambda.modules).'})}
  static override flags = {
    ...mutatingFlags,
    all: Flags.boolean({description: 'Deploy every module of the environment.'}),
    concurrency: Flags.integer({description: 'Modules deployed at once.', default: 4, min: 1, max: 16}),
    canary: Flags.string({description: 'Shift this share of the alias to the new version first, e.g. 10%.'}),
    bake: Flags.string({description: 'How long the canary bakes before promotion.', default: '5m'}),
    rebuild: Flags.boolean({description: 'Run every build, even one whose declared inputs are unchanged since its last build.'}),
    detach: Flags.boolean({description: 'Return after shifting the canary weight; finish with `deploy promote|abort`.', dependsOn: ['canary']}),
  }

  async run(): Promise<DeployResult> {
    const specs = moduleSpecs(this.ctx, deployTargets(this.flags.all, this.argv, Object.keys(lambdaSection(this.ctx).modules)))
    const {weight, bakeMs} = canaryRequest(this.flags.canary, this.flags.bake)
    // A protected environment (prod) follows rollback's rule: confirm, or --yes; no terminal and no --yes → exit 4.
    if (this.environment.config.protected && !this.dryRun) await this.confirm(`deploy ${specs.map((s) => s.module).join(', ')} to the protected environment ${this.environment.name}`)
    if (this.environment.source.kind === 'builtin') ensureDemoWorkspace(this.environment.baseDir, specs.map((s) => s.module))
    const scale = await this.ctx.timeScale()
    const lambda = lambdaAdapter(this.ctx) // not awaited: loading the SDK overlaps the builds; each module (and the canary probe) awaits it
    lambda.catch(() => undefined)
    const section = lambdaSection(this.ctx)
    const description = lazyDescription(this.environment.baseDir, `impress ${this.config.version}`)
    const canary = weight === undefined ? undefined : {weight, bakeMs: Math.max(1, Math.round(bakeMs * scale)), detach: Boolean(this.flags.detach)}
    // One deploy per function at a time from this machine (Lambda's RevisionId preconditions catch the rest).
    const locks = this.dryRun ? [] : specs.map((s) => `lambda-deploy-${s.function}`)
    return Lock.with(this.environment.dataDir, locks, `impress deploy of ${specs.map((s) => s.function).join(', ')}`, () => this.deploy(specs, lambda, section, description, canary))
  }

  private async deploy(specs: ReturnType<typeof moduleSpecs>, lambda: ReturnType<typeof lambdaAdapter>, section: ReturnType<typeof lambdaSection>, description: () => Promise<string>, canary: {weight: number; bakeMs: number; detach: boolean} | undefined): Promise<DeployResult> {
    const journal = this.dryRun ? undefined : DeployJournal.start(this.environment.dataDir, {alias: section.alias, modules: specs.map((s) => s.module), canary, deployer: deployer()})
    this.io.info(`${this.dryRun ? 'Plan' : 'Deploying'}: ${specs.map((s) => s.module).join(', ')} → alias ${section.alias}${canary ? ` (canary ${Math.round(canary.weight * 100)}%, bake ${this.flags.bake})` : ''}`)
    let result: DeployResult
    try {
      result = await runDeploy(
        {modules: specs, alias: section.alias, cwd: this.environment.baseDir, dryRun: this.dryRun, concurrency: this.flags.concurrency, description, canary, keepVersions: section.keepVersions, signal: this.signal,
          buildCache: new BuildCache(path.join(this.environment.dataDir, 'builds')), rebuild: this.flags.rebuild,
          onEvent: (m, msg) => this.io.info(`[${m}] ${msg}`)},
        {lambda, probe: canary ? await canaryProbe(this.ctx, await lambda, specs) : undefined, record: (m, r) => journal?.record(m, r), ready: () => this.auditGateReady()},
      )
      await this.auditGateReady() // an unchanged run refuses on a broken audit log too (exit 4)
    } finally {
      journal?.close()
    }
    this.auditDetails = {journal: journal?.id, alias: section.alias, modules: result.modules.map((m) => ({module: m.module, status: m.status, from: m.previousVersion, to: m.newVersion}))}
    this.io.out(renderDeploy(result, this.io.color))
    if (this.signal.aborted) throw new InterruptedError('Interrupted: modules not finished stopped before moving their alias.', {details: {...result}})
    const failure = deployFailure(result)
    if (failure) throw failure
    return result
  }
}
