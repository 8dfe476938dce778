/**
 * `impress deploy`: for each module, build → package → skip unchanged code (SHA-256 against
 * the alias's CodeSha256) → UpdateFunctionCode → wait → PublishVersion → smoke-invoke →
 * move the alias (directly, or through a canary weight, a bake and a promotion). Modules run
 * in parallel; each one ends deployed, unchanged, failed (alias untouched) or rolled back.
 */
import path from 'node:path'
import {ConfigError, ImpressError, InterruptedError, OperationError} from '../errors.js'
import {markDescription, markedCodeSha256} from './alias-mark.js'
import {runBuild} from './build.js'
import {inputsDigest, type BuildCache, type InputsDigest} from './build-cache.js'
import {artifactStamp, packageArtifact, type Artifact} from './package.js'
import type {AliasInfo, CanaryProbe, LambdaPort} from './ports.js'
import {pruneVersions} from './prune.js'
import {sleep as sleepFor} from '../time/sleep.js'
import {describeWeights} from './weights.js'

export interface ModuleSpec {
  module: string
  function: string
  build?: string
  /** Globs of the files the build reads: with them, an unchanged build is skipped (build-cache.ts). */
  inputs?: string[]
  artifact?: string
  smokePayload?: unknown
  smokeTimeoutMs: number
}

export interface CanaryOptions {
  /** Weight of the new version during the bake (0 < weight < 1). */
  weight: number
  /** Bake time in real milliseconds (already scaled in the sandbox). */
  bakeMs: number
  /** Return after shifting the weight; `impress deploy promote|abort` finish it. */
  detach: boolean
}

export interface DeployOptions {
  modules: ModuleSpec[]
  alias: string
  /** Directory builds run in and artifact paths resolve against. */
  cwd: string
  dryRun: boolean
  concurrency: number
  /** Version description: who deployed which commit (a function: computed on the first publish only). */
  description: string | (() => Promise<string>)
  canary?: CanaryOptions
  keepVersions?: number
  /** Where builds with declared inputs are remembered; `rebuild` ignores what it holds. */
  buildCache?: BuildCache
  rebuild?: boolean
  signal?: AbortSignal
  onEvent?: (module: string, message: string) => void
}

export interface DeployDeps {
  /** May still be loading (the SDK import then overlaps the builds and packaging). */
  lambda: LambdaPort | Promise<LambdaPort>
  probe?: CanaryProbe
  /** Persist each module's progress (the deploy journal). */
  record?: (module: string, result: ModuleResult) => void
  /**
   * Resolves once the run may change something (the command's audit gate, docs/audit.md, checked
   * while the modules are hashed and their aliases read); awaited before a build runs and before
   * an upload. Its rejection ends the whole run with that error.
   */
  ready?: () => Promise<void>
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

export type ModuleStatus = 'planned' | 'unchanged' | 'deployed' | 'canary' | 'failed' | 'rolled-back'

export interface ModuleResult {
  module: string
  function: string
  status: ModuleStatus
  /** The version the alias pointed to before. */
  previousVersion?: string
  newVersion?: string
  codeSha256?: string
  currentSha256?: string
  codeSize?: number
  /** ran: the build command ran; cached: skipped, its inputs and artifact unchanged since the last build. */
  build?: 'ran' | 'cached'
  aliasMoved: boolean
  canaryWeight?: number
  bake?: {checks: number; samples: number; errors: number}
  /** Something the user should know about a module that still succeeded (e.g. a canary that saw no traffic). */
  warning?: string
  /** A detached canary finished by `impress deploy promote` or `impress deploy abort`. */
  finishedBy?: 'promote' | 'abort'
  pruned?: string[]
  error?: string
  hint?: string
  durationMs: number
}

export interface DeployResult {
  alias: string
  dryRun: boolean
  modules: ModuleResult[]
  summary: Record<ModuleStatus, number>
}

/** A package: its bytes are read only when they must be uploaded when the build cache vouched for its hash. */
type Packaged = Omit<Artifact, 'zip'> & {zip?: Buffer}

const defaultSleep = (ms: number, signal?: AbortSignal) => sleepFor(ms, signal, () => new InterruptedError())

/** "10%", "10" or "0.1" → 0.1 */
export function parseWeight(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim())
  if (!m) return undefined
  const n = Number(m[1])
  const w = m[2] === '%' || n >= 1 ? n / 100 : n
  return w > 0 && w < 1 ? Math.round(w * 10_000) / 10_000 : undefined
}

export function summarize(modules: ModuleResult[]): Record<ModuleStatus, number> {
  const s: Record<ModuleStatus, number> = {planned: 0, unchanged: 0, deployed: 0, canary: 0, failed: 0, 'rolled-back': 0}
  for (const m of modules) s[m.status]++
  return s
}

export async function runDeploy(options: DeployOptions, deps: DeployDeps): Promise<DeployResult> {
  const {default: pLimit} = await import('p-limit')
  const limit = pLimit(Math.max(1, options.concurrency))
  // A module with no artifact is a configuration error for the whole run (exit 2), found before any build.
  const unconfigured = options.modules.filter((m) => !m.artifact).map((m) => m.module)
  if (unconfigured.length > 0) {
    throw new ConfigError(`${unconfigured.length === 1 ? `Module ${unconfigured[0]} has` : `Modules ${unconfigured.join(', ')} have`} no artifact configured; nothing was deployed.`, {
      code: 'E_NO_ARTIFACT',
      hint: `Set lambda.modules.${unconfigured[0]}.artifact (a zip file or a directory${unconfigured.length > 1 ? '; the same for each module named' : ''}) in the configuration.`,
      details: {modules: unconfigured},
    })
  }
  // Build inputs are hashed first: a glob that matches nothing is a configuration error for the whole run (exit 2).
  const inputs = await Promise.all(options.modules.map((m) => (m.build && m.inputs?.length && options.buildCache ? inputsDigest(options.cwd, m.inputs, m.build) : undefined)))
  const modules = await Promise.all(options.modules.map((m, i) => limit(() => deployModule(m, options, deps, inputs[i]))))
  return {alias: options.alias, dryRun: options.dryRun, modules, summary: summarize(modules)}
}

async function deployModule(spec: ModuleSpec, options: DeployOptions, deps: DeployDeps, inputs?: InputsDigest): Promise<ModuleResult> {
  const started = Date.now()
  // GetAlias (read-only) goes out while the module builds and packages; awaited in step 2.
  const port = Promise.resolve(deps.lambda)
  const aliasRead = port.then((l) => l.getAlias(spec.function, options.alias))
  aliasRead.catch(() => undefined) // a build failure may come first; the error is seen when awaited
  let lambda!: LambdaPort
  const sleep = deps.sleep ?? defaultSleep
  const say = (msg: string) => options.onEvent?.(spec.module, msg)
  const result: ModuleResult = {module: spec.module, function: spec.function, status: 'failed', aliasMoved: false, durationMs: 0}
  const done = (r: Partial<ModuleResult>): ModuleResult => {
    Object.assign(result, r, {durationMs: Date.now() - started})
    if (!options.dryRun) deps.record?.(spec.module, result)
    return result
  }
  const checkSignal = () => {
    if (options.signal?.aborted) throw new InterruptedError('Interrupted before the alias moved.')
  }
  let alias: AliasInfo | undefined
  let refusal: unknown
  const ready = async () => {
    try {
      await deps.ready?.()
    } catch (error) {
      refusal = error
      throw error
    }
  }
  try {
    // 1. Build and package.
    const artifactPath = path.resolve(options.cwd, spec.artifact!)
    const artifact: Packaged = spec.build ? await buildAndPackage(spec as ModuleSpec & {build: string}, artifactPath, inputs, options, say, result, ready) : await packageArtifact(artifactPath)
    result.codeSha256 = artifact.sha256
    result.codeSize = artifact.size
    checkSignal()

    lambda = await port
    // 2. What runs now? GetAlias: its mark (alias-mark.ts) names the code of the version it points
    // to; only when another tool moved the alias is GetFunctionConfiguration needed as well.
    alias = await aliasRead
    result.previousVersion = alias.functionVersion
    if (alias.weights && Object.keys(alias.weights).length > 0) {
      return done({status: 'failed', error: `a canary is in progress on ${spec.function}:${options.alias} (${describeWeights(alias.weights)})`, hint: 'Finish it first: `impress deploy promote` or `impress deploy abort`.'})
    }
    const currentSha256 = markedCodeSha256(alias) ?? (await lambda.getVersion(spec.function, alias.functionVersion)).codeSha256
    result.currentSha256 = currentSha256
    if (currentSha256 === artifact.sha256) {
      say(`unchanged (version ${alias.functionVersion}, ${artifact.sha256.slice(0, 12)}…)`)
      return done({status: 'unchanged'})
    }
    if (options.dryRun) {
      say(`would upload ${artifact.sha256.slice(0, 12)}… (${artifact.size} bytes) and move ${options.alias} from ${alias.functionVersion}`)
      return done({status: 'planned'})
    }

    // 3. Upload, publish (once Lambda has finished the update).
    await ready()
    say(`uploading ${artifact.size} bytes`)
    const zip = artifact.zip ?? (await repackage(artifactPath, artifact.sha256))
    const updated = await lambda.updateCode(spec.function, zip)
    if (updated.codeSha256 !== artifact.sha256) {
      throw new OperationError(`Lambda reports CodeSha256 ${updated.codeSha256} for ${spec.function}, but the package hashes to ${artifact.sha256}`, {hint: 'The upload was altered; run the deploy again.'})
    }
    const description = typeof options.description === 'string' ? options.description : await options.description()
    checkSignal()
    const published = await lambda.publishUpdated(spec.function, {codeSha256: artifact.sha256, description}, options.signal)
    result.newVersion = published.version
    say(`published version ${published.version}`)

    // 4. Smoke test the new version before any traffic reaches it.
    const smoke = await lambda.invoke(spec.function, published.version, spec.smokePayload ?? {}, spec.smokeTimeoutMs)
    if (!smoke.ok) {
      return done({status: 'failed', error: `smoke test of version ${published.version} failed: ${smoke.error}`, hint: `The alias ${options.alias} still points to version ${alias.functionVersion}; fix the code and deploy again.`})
    }
    say('smoke test passed')
    checkSignal()

    // 5. Move the alias, directly or through a canary.
    if (!options.canary) {
      await lambda.updateAlias(spec.function, options.alias, {version: published.version, revisionId: alias.revisionId, description: markDescription(alias.description, published.version, artifact.sha256)})
      say(`${options.alias}: ${alias.functionVersion} → ${published.version}`)
      const pruned = await pruneAfter(spec, options, lambda, say)
      return done({status: 'deployed', aliasMoved: true, ...(pruned ? {pruned} : {})})
    }
    const weights = {[published.version]: options.canary.weight}
    const shifted = await lambda.updateAlias(spec.function, options.alias, {version: alias.functionVersion, weights, revisionId: alias.revisionId})
    say(`canary: ${Math.round(options.canary.weight * 100)}% of ${options.alias} → version ${published.version}`)
    if (options.canary.detach) return done({status: 'canary', aliasMoved: true, canaryWeight: options.canary.weight})
    record(deps, spec.module, {...result, status: 'canary', aliasMoved: true, canaryWeight: options.canary.weight}, options)
    const bake = await bakeCanary(spec, published.version, options, deps, sleep, say)
    if (bake.errors > 0 || bake.interrupted || bake.probeError) {
      await lambda.updateAlias(spec.function, options.alias, {version: alias.functionVersion, weights: {}, revisionId: shifted.revisionId})
      say(`rolled back: ${options.alias} → version ${alias.functionVersion} only`)
      return done({
        status: 'rolled-back',
        aliasMoved: false,
        bake: {checks: bake.checks, samples: bake.samples, errors: bake.errors},
        error: bake.interrupted
          ? 'interrupted during the bake'
          : bake.probeError
            ? `could not check canary version ${published.version}: ${bake.probeError}`
            : `canary version ${published.version} had ${bake.errors} error(s) in ${bake.samples} sample(s)`,
        hint: `The alias ${options.alias} points to version ${alias.functionVersion} again.`,
      })
    }
    // No invocation reached the canary (no traffic during the bake): it is promoted on the smoke test alone; say so.
    const warning = bake.samples === 0 ? `no invocation reached version ${published.version} during the bake: promoted on the smoke test alone` : undefined
    if (warning) say(`warning: ${warning}`)
    await lambda.updateAlias(spec.function, options.alias, {version: published.version, weights: {}, revisionId: shifted.revisionId, description: markDescription(alias.description, published.version, artifact.sha256)})
    say(`promoted: ${options.alias} → ${published.version}`)
    const pruned = await pruneAfter(spec, options, lambda, say)
    return done({status: 'deployed', aliasMoved: true, bake: {checks: bake.checks, samples: bake.samples, errors: 0}, ...(warning ? {warning} : {}), ...(pruned ? {pruned} : {})})
  } catch (error) {
    if (refusal !== undefined && error === refusal) throw error
    const e = error instanceof ImpressError ? error : new OperationError((error as Error).message, {cause: error})
    const untouched = alias ? `The alias ${options.alias} still points to version ${alias.functionVersion}.` : 'Nothing was changed.'
    return done({status: 'failed', error: e.message, hint: e.code === 'E_BUILD' ? `${e.hint} ${untouched}` : untouched})
  }
}

function record(deps: DeployDeps, module: string, r: ModuleResult, options: DeployOptions): void {
  if (!options.dryRun) deps.record?.(module, r)
}

async function bakeCanary(
  spec: ModuleSpec,
  version: string,
  options: DeployOptions,
  deps: DeployDeps,
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  say: (m: string) => void,
): Promise<{checks: number; samples: number; errors: number; interrupted: boolean; probeError?: string}> {
  const canary = options.canary!
  const checks = 5
  const since = new Date()
  let samples = 0
  let errors = 0
  for (let i = 1; i <= checks; i++) {
    try {
      await sleep(canary.bakeMs / checks, options.signal)
    } catch {
      return {checks: i - 1, samples, errors, interrupted: true}
    }
    if (!deps.probe) continue
    let r: {errors: number; samples: number}
    try {
      r = await deps.probe.errors(spec.function, version, since)
    } catch (error) {
      // Unable to check the canary: it is not promoted blind, it is rolled back.
      return {checks: i, samples, errors, interrupted: false, probeError: (error as Error).message}
    }
    samples = r.samples
    errors = r.errors
    say(`bake ${i}/${checks}: ${errors} error(s) in ${samples} sample(s)`)
    if (errors > 0) return {checks: i, samples, errors, interrupted: false}
  }
  return {checks, samples, errors, interrupted: false}
}

async function pruneAfter(spec: ModuleSpec, options: DeployOptions, lambda: LambdaPort, say: (m: string) => void): Promise<string[] | undefined> {
  if (!options.keepVersions) return undefined
  try {
    const r = await pruneVersions({function: spec.function, keep: options.keepVersions, dryRun: false}, {lambda})
    if (r.deleted.length > 0) say(`pruned versions ${r.deleted.join(', ')}`)
    return r.deleted
  } catch (error) {
    say(`pruning skipped: ${(error as Error).message}`)
    return undefined
  }
}

/** Run the module's build (or skip it: its declared inputs and artifact are unchanged since its last build), then package. */
async function buildAndPackage(
  spec: ModuleSpec & {build: string},
  artifactPath: string,
  inputs: InputsDigest | undefined,
  options: DeployOptions,
  say: (msg: string) => void,
  result: ModuleResult,
  ready: () => Promise<void>,
): Promise<Packaged> {
  const cache = inputs ? options.buildCache : undefined
  const last = cache && !options.rebuild ? cache.read(spec.module) : undefined
  if (cache && inputs && last?.inputs === inputs.digest) {
    const skipped = () => {
      say(`build skipped: ${inputs.files} input file(s) unchanged since ${last.builtAt}`)
      result.build = 'cached'
    }
    // The stamp is taken before packaging: a write after it changes the next stamp, never this package's hash.
    const stamp = artifactStamp(artifactPath)
    if (stamp !== undefined && stamp === last.artifactStamp && last.artifactSize !== undefined) {
      skipped()
      return {sha256: last.artifactSha256, size: last.artifactSize, files: 0}
    }
    const packaged = await packageArtifact(artifactPath).catch(() => undefined)
    if (packaged?.sha256 === last.artifactSha256) {
      skipped()
      // Touched but the same bytes: remember the new stamp, the next deploy reads no file.
      if (!options.dryRun) cache.write(spec.module, {...last, artifactStamp: stamp, artifactSize: packaged.size})
      return packaged
    }
    say('the artifact is not what the last build produced: building')
  }
  await ready()
  say(`build: ${spec.build}`)
  await runBuild(spec.build, {cwd: options.cwd, onLine: (l) => say(`  ${l}`), signal: options.signal})
  result.build = 'ran'
  const stamp = artifactStamp(artifactPath)
  const artifact = await packageArtifact(artifactPath)
  // A dry run writes nothing of impress's own, not even this record (the next real deploy builds again).
  if (cache && inputs && !options.dryRun) {
    cache.write(spec.module, {inputs: inputs.digest, artifactSha256: artifact.sha256, files: inputs.files, builtAt: new Date().toISOString(), artifactStamp: stamp, artifactSize: artifact.size})
  }
  return artifact
}

/** The bytes of a package the build cache vouched for, read now that they must be uploaded; they must still hash as recorded. */
async function repackage(artifactPath: string, sha256: string): Promise<Buffer> {
  const artifact = await packageArtifact(artifactPath)
  if (artifact.sha256 !== sha256) {
    throw new OperationError(`The artifact ${artifactPath} changed during the deploy (it hashes to ${artifact.sha256}, not ${sha256}).`, {hint: 'Deploy again once the build has finished writing it.'})
  }
  return artifact.zip
}
