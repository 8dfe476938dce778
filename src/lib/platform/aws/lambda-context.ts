/**
 * Wiring of the Lambda capabilities for a command: the adapter on the context's client
 * (paced, waiters scaled), the canary probe (CloudWatch in the cloud, smoke invokes in the
 * sandbox), and module lookup in the environment's lambda section.
 */
import ms from 'ms'
import {ConfigError, UsageError} from '../../errors.js'
import type {Context} from '../../context.js'
import type {ModuleSpec} from '../../lambda/deploy.js'
import {SmokeInvokeProbe} from '../../lambda/canary.js'
import type {CanaryProbe} from '../../lambda/ports.js'
import {AwsLambdaAdapter} from './lambda.js'
import {awsSdk} from './sdk.js'
import {didYouMean} from '../../cli/suggest.js'

export function lambdaSection(ctx: Context) {
  const section = ctx.env.config.lambda
  if (!section) {
    throw new ConfigError(`Environment "${ctx.env.name}" has no lambda section.`, {hint: 'Add lambda.modules to the environment in impress.config.yaml.'})
  }
  return section
}

export function moduleSpecs(ctx: Context, names: string[]): ModuleSpec[] {
  const section = lambdaSection(ctx)
  const known = Object.keys(section.modules)
  return names.map((name) => {
    const m = section.modules[name] ?? Object.entries(section.modules).find(([, v]) => v.function === name)?.[1]
    if (!m) throw new UsageError(`Unknown module "${name}".${didYouMean(name, known)}`, {hint: `Modules of environment ${ctx.env.name}: ${known.join(', ')}.`})
    const key = section.modules[name] ? name : Object.entries(section.modules).find(([, v]) => v.function === name)![0]
    return {
      module: key,
      function: m.function,
      build: m.build,
      inputs: m.inputs,
      artifact: m.artifact,
      smokePayload: m.smoke?.payload ?? {},
      smokeTimeoutMs: m.smoke?.timeout ? ms(m.smoke.timeout as ms.StringValue) : 30_000,
    }
  })
}

export async function lambdaAdapter(ctx: Context): Promise<AwsLambdaAdapter> {
  const section = ctx.env.config.lambda
  const timeScale = await ctx.timeScale()
  return AwsLambdaAdapter.create((Ctor) => ctx.aws(Ctor), {timeScale, requestsPerSecond: section?.requestsPerSecond ?? 10})
}

/**
 * The canary probe `lambda.canaryProbe` selects: `cloudwatch` (the version's Errors/Invocations
 * through the alias; real traffic must reach the alias during the bake), `invoke` (smoke invokes
 * of the version), `auto`: cloudwatch in AWS, invoke in the sandbox (which has no traffic of its own).
 */
export async function canaryProbe(ctx: Context, lambda: AwsLambdaAdapter, specs: ModuleSpec[]): Promise<CanaryProbe> {
  const kind = lambdaSection(ctx).canaryProbe ?? 'auto'
  if (kind === 'invoke' || (kind === 'auto' && ctx.env.sandbox)) {
    return new SmokeInvokeProbe(lambda, (fn) => specs.find((s) => s.function === fn)?.smokePayload ?? {})
  }
  const {CloudWatchClient} = awsSdk('@aws-sdk/client-cloudwatch')
  const {CloudWatchErrorsProbe} = await import('./lambda-metrics.js')
  return new CloudWatchErrorsProbe(await ctx.aws(CloudWatchClient), lambdaSection(ctx).alias)
}
