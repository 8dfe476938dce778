import {createHash} from 'node:crypto'
import type {StateStore} from '../../state.js'
import {appendEvents, newGroup, openLogs} from './store.js'

/**
 * What a Lambda invocation writes to `/aws/lambda/<function>` (the Lambda service calls it):
 * START, the function's output, an error line for a function error, END and REPORT, in the
 * day's stream `YYYY/MM/DD/[version]<id>`. The group is created on first use, as Lambda does.
 */
export function writeInvocationLog(
  state: StateStore,
  inv: {fn: string; version: string; requestId: string; startedAt: number; durationMs: number; memoryMb: number; output: string; error?: {type: string; message: string}; timedOut?: boolean; timeoutSeconds: number},
): void {
  const s = openLogs(state)
  const name = `/aws/lambda/${inv.fn}`
  let g = s.data.groups.find((x) => x.name === name)
  if (!g) {
    g = newGroup(name, inv.startedAt)
    s.data.groups.push(g)
  }
  const end = inv.startedAt + inv.durationMs
  const at = (t: number) => new Date(t).toISOString()
  const lines: {timestamp: number; message: string}[] = [{timestamp: inv.startedAt, message: `START RequestId: ${inv.requestId} Version: ${inv.version}\n`}]
  for (const line of inv.output.split('\n').filter((l) => l.trim() !== '')) lines.push({timestamp: Math.min(end, inv.startedAt + 1), message: `${at(inv.startedAt + 1)}\t${inv.requestId}\tINFO\t${line}\n`})
  if (inv.timedOut) lines.push({timestamp: end, message: `${at(end)} ${inv.requestId} Task timed out after ${inv.timeoutSeconds.toFixed(2)} seconds\n`})
  else if (inv.error) lines.push({timestamp: end, message: `${at(end)}\t${inv.requestId}\tERROR\tInvoke Error \t${JSON.stringify({errorType: inv.error.type, errorMessage: inv.error.message})}\n`})
  lines.push({timestamp: end, message: `END RequestId: ${inv.requestId}\n`})
  lines.push({timestamp: end, message: `REPORT RequestId: ${inv.requestId}\tDuration: ${inv.durationMs.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(inv.durationMs))} ms\tMemory Size: ${inv.memoryMb} MB\tMax Memory Used: 64 MB\t\n`})
  const day = new Date(inv.startedAt).toISOString().slice(0, 10).replaceAll('-', '/')
  appendEvents(g, `${day}/[${inv.version}]${createHash('md5').update(`${inv.fn}/${day}/${inv.version}`).digest('hex')}`, lines, Date.now())
  s.save()
}
