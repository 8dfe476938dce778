/** The drill's result for people (the command prints it), and the error its status ends with. */
import type {ChalkInstance} from 'chalk'
import {InterruptedError, OperationError, ViolationError, type ImpressError} from '../errors.js'
import type {DrillOutcome} from './command-flow.js'
import {rpoParts} from './report.js'
import {fmt} from './run.js'

export function renderDrill(outcome: DrillOutcome, c: ChalkInstance): string[] {
  const r = outcome.report
  const checkMark = (ok: boolean, notRun?: boolean) => (ok ? c.green('✓') : notRun ? c.yellow('-') : c.red('✗'))
  return [
    `Drill ${r.id}: ${r.status === 'passed' ? c.green('PASSED') : c.red(r.status === 'incomplete' ? 'INCOMPLETE (not everything was rehearsed)' : r.status.toUpperCase())}`,
    `  RTO ${r.rto.measuredMs === undefined ? 'not reached' : fmt(r.rto.measuredMs)} (target ${fmt(r.rto.targetMs)})   RPO ${r.rpo.measuredMs === undefined ? 'unknown' : fmt(r.rpo.measuredMs)} (target ${fmt(r.rpo.targetMs)}${rpoParts(r) ? `; ${rpoParts(r)}` : ''})`,
    ...(r.incident ? [`  time to detect ${r.incident.timeToDetectMs === undefined ? 'never' : fmt(r.incident.timeToDetectMs)}   time to notify ${r.incident.timeToNotifyMs === undefined ? r.incident.notification : fmt(r.incident.timeToNotifyMs)} (target ${fmt(r.incident.targetMs)}; incident on ${r.incident.module})`] : []),
    ...r.checks.map((ch) => `  ${checkMark(ch.ok, ch.notRun)} ${ch.name}: ${ch.detail}`),
    ...(r.notRehearsed ?? []).map((n) => `  ${n.outOfScope ? c.yellow('-') : c.red('✗')} ${n.part}: NOT REHEARSED (${n.reason})${n.outOfScope ? ', out of scope (drill.outOfScope)' : ''}`),
    `  clean-up: ${r.cleanup.deleted.length} deleted${r.cleanup.failed.length ? `, ${c.red(`${r.cleanup.failed.length} FAILED`)} (${r.cleanup.failed.map((f) => f.id).join(', ')})` : ''}`,
    `  report: ${outcome.files.html}`,
  ]
}

/** The exit the drill's status calls for (undefined: passed). Messages agree with the clean-up's outcome. */
export function drillConclusion(outcome: DrillOutcome): ImpressError | undefined {
  const r = outcome.report
  const leftovers = r.cleanup.failed.map((f) => f.id).join(', ')
  const cleanupHint = 'Run `impress drill --cleanup --yes` to delete the leftovers (they also expire in 24 h and the next drill sweeps them).'
  if (r.status === 'interrupted') {
    return r.cleanup.failed.length === 0
      ? new InterruptedError('The drill was interrupted; its scratch resources were cleaned up.')
      : new InterruptedError(`The drill was interrupted; ${r.cleanup.failed.length} scratch resource(s) could not be deleted: ${leftovers}.`, {hint: cleanupHint})
  }
  if (r.status === 'failed') return new OperationError(`The drill could not run: ${r.error}`, {hint: 'Fix the cause above and run it again; `impress drill --cleanup` removes leftovers.'})
  if (r.cleanup.failed.length > 0) return new OperationError(`The drill could not delete ${leftovers}.`, {code: 'E_DRILL_CLEANUP', hint: cleanupHint})
  if (r.status === 'missed') return new ViolationError('The drill missed a target or a verification failed.', {code: 'E_DRILL_MISSED', hint: `See ${outcome.files.markdown}.`})
  if (r.status === 'incomplete') {
    const parts = (r.notRehearsed ?? []).filter((n) => !n.outOfScope)
    return new ViolationError(`Not rehearsed: ${parts.map((n) => `${n.part} (${n.reason})`).join('; ')}; the drill did not prove recovery of the whole platform.`, {
      code: 'E_DRILL_INCOMPLETE',
      hint: `Configure what it needs (e.g. drill.firebaseTarget), or list ${parts.map((n) => n.part).join(', ')} in drill.outOfScope if it is deliberately not rehearsed.`,
      details: {notRehearsed: parts},
    })
  }
  return undefined
}
