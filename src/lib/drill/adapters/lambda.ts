/**
 * The drill's Lambda port: a scratch alias (never the live one) created at the live version,
 * rolled back one published version, then forward again. Aliases cannot be tagged, so the
 * drill marks its aliases in their description and deletes only aliases so marked.
 */
import type {Context} from '../../context.js'
import {RefusedError} from '../../errors.js'
import {lambdaAdapter, moduleSpecs} from '../../platform/aws/lambda-context.js'
import {DRILL_EXPIRES_TAG, DRILL_TAG, type LambdaDrillPort, type ScratchResource} from '../ports.js'

const MARK = /impress:drill=(\S+) impress:drill-expires=(\S+)/

export async function lambdaDrillPort(ctx: Context): Promise<LambdaDrillPort | undefined> {
  const section = ctx.env.config.lambda
  if (!section || Object.keys(section.modules).length === 0) return undefined
  const lambda = await lambdaAdapter(ctx)
  const fnOf = (module: string) => moduleSpecs(ctx, [module])[0].function
  const split = (id: string) => {
    const i = id.lastIndexOf(':')
    return {module: id.slice(0, i), alias: id.slice(i + 1)}
  }
  return {
    async rehearse({drillId, module, alias, onResource}) {
      if (alias === section.alias) throw new RefusedError(`The drill never touches the ${section.alias} alias.`, {hint: 'Use a scratch alias.'})
      const fn = fnOf(module)
      const live = await lambda.getAlias(fn, section.alias)
      const versions = (await lambda.listVersions(fn)).map((v) => v.version).filter((v) => v !== '$LATEST').map(Number).sort((a, b) => a - b)
      const current = Number(live.functionVersion)
      const previous = versions.filter((v) => v < current).at(-1)
      if (previous === undefined) throw new RefusedError(`${module} has no version before ${current} to roll back to.`, {hint: 'Deploy the module twice first.'})
      const expires = new Date(Date.now() + 24 * 3600_000).toISOString()
      onResource({kind: 'lambda-alias', id: `${module}:${alias}`})
      await lambda.createAlias(fn, alias, String(current), `${DRILL_TAG}=${drillId} ${DRILL_EXPIRES_TAG}=${expires}`)
      await lambda.updateAlias(fn, alias, {version: String(previous)})
      const back = await lambda.getAlias(fn, alias)
      await lambda.updateAlias(fn, alias, {version: String(current)})
      const forward = await lambda.getAlias(fn, alias)
      return {module, alias, from: String(current), to: back.functionVersion, restored: back.functionVersion === String(previous) && forward.functionVersion === String(current)}
    },
    async listScratch() {
      const out: ScratchResource[] = []
      for (const module of Object.keys(section.modules)) {
        for (const a of await lambda.listAliases(fnOf(module))) {
          const m = MARK.exec(a.description ?? '')
          if (m) out.push({kind: 'lambda-alias', id: `${module}:${a.name}`, drillId: m[1], expiresAt: m[2]})
        }
      }
      return out
    },
    async destroy(r) {
      const {module, alias} = split(r.id)
      const fn = fnOf(module)
      let current
      try {
        current = await lambda.getAlias(fn, alias)
      } catch {
        return // already gone
      }
      if (alias === section.alias || !MARK.test(current.description ?? '')) {
        throw new RefusedError(`Refusing to delete alias ${alias} of ${fn}: it is not marked as a drill's.`, {code: 'E_NOT_DRILL', hint: 'Only aliases a drill created are deleted.'})
      }
      await lambda.deleteAlias(fn, alias)
    },
  }
}
