/**
 * `impress logs --query`: one Logs Insights query over the chosen modules' log groups, polled
 * until it ends (stopped when interrupted), its rows as a table or one JSON document.
 */
import type {ChalkInstance} from 'chalk'
import {OperationError} from '../errors.js'
import {sleep} from '../time/sleep.js'
import {renderTable} from '../ui/table.js'
import type {ModuleLog} from './merge.js'

export interface QueryStatistics {
  recordsMatched: number
  recordsScanned: number
  bytesScanned: number
}

export interface InsightsPort {
  /** StartQuery (times in epoch ms; the port converts); returns the query id. */
  start(q: {groups: string[]; start: number; end: number; query: string; limit?: number}): Promise<string>
  results(queryId: string): Promise<{status: string; rows: Record<string, string>[]; statistics: QueryStatistics}>
  stop(queryId: string): Promise<void>
}

export interface InsightsResult {
  queryId: string
  query: string
  modules: string[]
  status: string
  fields: string[]
  rows: Record<string, string>[]
  statistics: QueryStatistics
  polls: number
}

/** Start the query, poll (100 ms doubling to 1 s) until it is no longer Scheduled/Running. */
export async function runInsights(o: {modules: ModuleLog[]; start: number; end: number; query: string; limit?: number; signal: AbortSignal}, port: InsightsPort): Promise<InsightsResult> {
  const queryId = await port.start({groups: o.modules.map((m) => m.group), start: o.start, end: o.end, query: o.query, ...(o.limit ? {limit: o.limit} : {})})
  let wait = 100
  let polls = 0
  try {
    for (;;) {
      const r = await port.results(queryId)
      polls++
      if (r.status !== 'Running' && r.status !== 'Scheduled') {
        if (r.status !== 'Complete') throw new OperationError(`The Logs Insights query ${queryId} ended ${r.status}.`, {code: 'E_QUERY', hint: 'Narrow the time range (--since) or the modules, then run it again.'})
        const rows = r.rows.map(({'@ptr': _ptr, ...rest}) => rest)
        const fields = [...new Set(rows.flatMap((x) => Object.keys(x)))]
        return {queryId, query: o.query, modules: o.modules.map((m) => m.module), status: r.status, fields, rows, statistics: r.statistics, polls}
      }
      await sleep(wait, o.signal)
      wait = Math.min(1000, wait * 2)
    }
  } catch (error) {
    if (o.signal.aborted) await port.stop(queryId).catch(() => undefined)
    throw error
  }
}

export function renderInsights(r: InsightsResult, color: ChalkInstance): string {
  const s = r.statistics
  const head = color.dim(`${r.rows.length} row(s); ${s.recordsMatched} of ${s.recordsScanned} record(s) matched, ${s.bytesScanned} bytes scanned (${r.modules.join(', ')}).`)
  if (r.rows.length === 0) return head
  const cell = (v: string | undefined) => (v ?? '').replace(/\s+$/, '').replace(/[\t\n]+/g, ' ')
  return `${renderTable(r.fields, r.rows.map((x) => r.fields.map((f) => cell(x[f]))), {header: color.bold})}\n${head}`
}
