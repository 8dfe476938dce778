/** What `impress deploy` is asked to do, read from its arguments and flags, and what its outcome means (the command stays flags → options → capability → render). */
import ms from 'ms'
import {OperationError, UsageError} from '../errors.js'
import {parseWeight, type DeployResult} from './deploy.js'

/** Flags whose next argument is their value, not a module (--canary 10%, --bake 5m, ...). */
const VALUE_FLAGS = ['--canary', '--bake', '--concurrency', '--env', '--config']

/** The modules named on the command line (or every configured one with --all), each once. */
export function deployTargets(all: boolean, argv: string[], configured: string[]): string[] {
  const names = all ? configured : argv.filter((a, i) => !a.startsWith('-') && !VALUE_FLAGS.includes(argv[i - 1] ?? ''))
  if (names.length === 0) throw new UsageError('Name the modules to deploy, or pass --all.', {hint: `Modules: ${configured.join(', ')}.`})
  return [...new Set(names)]
}

export interface CanaryRequest {
  /** The --canary share as a fraction, or undefined for a direct deploy. */
  weight: number | undefined
  /** --bake in milliseconds of real time. */
  bakeMs: number
}

/** --canary and --bake checked before anything runs: a bad value is a usage error (exit 2). */
export function canaryRequest(canary: string | undefined, bake: string): CanaryRequest {
  const weight = canary === undefined ? undefined : parseWeight(canary)
  if (canary !== undefined && weight === undefined) throw new UsageError(`--canary expects a share between 0% and 100%, got "${canary}".`, {hint: 'For example --canary 10%.'})
  const bakeMs = ms(bake as ms.StringValue)
  if (typeof bakeMs !== 'number' || bakeMs <= 0) throw new UsageError(`--bake expects a duration such as 5m, got "${bake}".`)
  return {weight, bakeMs}
}

/** The error a deploy ends with when a module failed or was rolled back (exit 1), or undefined. */
export function deployFailure(result: DeployResult): OperationError | undefined {
  const bad = result.modules.filter((m) => m.status === 'failed' || m.status === 'rolled-back')
  if (bad.length === 0) return undefined
  return new OperationError(`${bad.length} of ${result.modules.length} module(s) not deployed: ${bad.map((m) => `${m.module} (${m.status}: ${m.error})`).join('; ')}`, {
    code: 'E_DEPLOY',
    hint: bad.length === 1 && bad[0].hint ? bad[0].hint : "Each failed module's alias still points to its previous version; fix and deploy again.",
    details: {...result},
  })
}
