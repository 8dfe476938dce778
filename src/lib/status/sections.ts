/** The status sections of an environment, each built from its capability (only configured ones). */
import type {Context} from '../context.js'
import {fmt} from '../drill/run.js'
import {readHistory} from '../drill/store.js'
import type {StatusSection} from './run.js'

const DRILL_MAX_AGE_MS = 90 * 24 * 3600_000

export function drillSection(ctx: Context, now = new Date()): StatusSection {
  return {
    name: 'last drill',
    async gather() {
      const last = readHistory(ctx.env.dataDir)[0]
      if (!last) return {rows: [['last drill', 'never']], problems: ['no drill has ever run: run `impress drill`']}
      const age = now.getTime() - Date.parse(last.startedAt)
      const problems: string[] = []
      if (age > DRILL_MAX_AGE_MS) problems.push(`last drill is ${fmt(age)} old (more than 90 days)`)
      if (last.status !== 'passed') problems.push(`last drill ${last.id} ${last.status}`)
      return {
        rows: [
          ['last drill', `${last.id} (${fmt(age)} ago): ${last.status}`],
          ['RTO / RPO', `${last.rto.measuredMs === undefined ? '-' : fmt(last.rto.measuredMs)} / ${last.rpo.measuredMs === undefined ? '-' : fmt(last.rpo.measuredMs)}`],
        ],
        problems,
      }
    },
  }
}

export async function buildSections(ctx: Context): Promise<StatusSection[]> {
  return [drillSection(ctx)]
}
