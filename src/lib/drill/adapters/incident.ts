/**
 * The drill's incident step: `impress monitor test` (the same rehearsal, the same settings) on
 * the drill's module. The rehearsal deletes its scratch alias itself; the drill also records it
 * (kind monitor-alias) so `drill --cleanup` and the next drill's sweep remove it after a SIGKILL.
 * Only aliases carrying the rehearsal's mark are ever deleted.
 */
import type {Context} from '../../context.js'
import {RefusedError} from '../../errors.js'
import {chosenModules, rehearsalSetup} from '../../monitor/deps.js'
import {rehearse, TEST_MARK} from '../../monitor/rehearsal.js'
import {writeLastTest} from '../../monitor/store.js'
import {lambdaAdapter} from '../../platform/aws/lambda-context.js'
import type {IncidentDrillPort, ScratchResource} from '../ports.js'

const MARK = new RegExp(`${TEST_MARK}=(\\S+) ${TEST_MARK}-expires=(\\S+)`)

export async function incidentDrillPort(ctx: Context, module: string | undefined): Promise<IncidentDrillPort | undefined> {
  const section = ctx.env.config.lambda
  if (!section || Object.keys(section.modules).length === 0) return undefined
  const all = chosenModules(ctx, [])
  const chosen = chosenModules(ctx, [module ?? all[0].module])[0]
  const fnOf = (m: string) => all.find((x) => x.module === m)?.function ?? m
  const lambda = await lambdaAdapter(ctx)
  return {
    module: chosen.module,
    async rehearse({signal, onResource, progress}) {
      const {options, ports} = await rehearsalSetup(ctx, chosen, signal, progress)
      const r = await rehearse({...options, onAlias: (alias, expiresAt) => onResource({kind: 'monitor-alias', id: `${chosen.module}:${alias}`, expiresAt})}, ports)
      writeLastTest(ctx.env.dataDir, r)
      return {module: r.module, alarm: r.alarm, ...(r.timeToDetectMs === undefined ? {} : {timeToDetectMs: r.timeToDetectMs}), ...(r.timeToNotifyMs === undefined ? {} : {timeToNotifyMs: r.timeToNotifyMs}), targetMs: r.targetMs, notification: r.notification, ok: r.ok}
    },
    async listScratch() {
      const lists = await Promise.all(all.map(async (m) => ({m, aliases: await lambda.listAliases(m.function)})))
      return lists.flatMap(({m, aliases}) =>
        aliases.flatMap((a): ScratchResource[] => {
          const mark = MARK.exec(a.description ?? '')
          return mark && mark[1] === a.name ? [{kind: 'monitor-alias', id: `${m.module}:${a.name}`, expiresAt: mark[2]}] : []
        }),
      )
    },
    async destroy(r) {
      const i = r.id.lastIndexOf(':')
      const fn = fnOf(r.id.slice(0, i))
      const alias = r.id.slice(i + 1)
      let current
      try {
        current = await lambda.getAlias(fn, alias)
      } catch {
        return // already gone (the rehearsal deletes its alias itself)
      }
      if (alias === section.alias || MARK.exec(current.description ?? '')?.[1] !== alias) {
        throw new RefusedError(`Refusing to delete alias ${alias} of ${fn}: it is not marked as a rehearsal's.`, {code: 'E_NOT_REHEARSAL', hint: 'Only aliases monitor test created are deleted.'})
      }
      await lambda.deleteAlias(fn, alias)
    },
  }
}
