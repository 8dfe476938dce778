/** Rollback's journal on an in-memory Lambda port: a lost answer is finished by the rerun, and once closed the next rollback steps back again. */
import {describe, expect, it} from 'vitest'
import {Journal} from '../../src/lib/journal/journal.js'
import type {LambdaPort} from '../../src/lib/lambda/ports.js'
import {applyRollbacks, pendingNote, pendingRollback, planRollbacks, ROLLBACK_JOURNAL, type RollbackIntent} from '../../src/lib/lambda/rollback.js'
import {tmpDir} from '../helpers/tmp.js'

function fakeLambda(live: string) {
  const state = {live, updates: 0}
  const lambda = {
    getAlias: async () => ({name: 'live', functionVersion: state.live, revisionId: `r${state.updates}`}),
    listVersions: async () => ['1', '2', '3'].map((version) => ({version, codeSha256: `sha${version}`, codeSize: 1, lastModified: '2026-12-01T00:00:00Z', description: ''})),
    updateAlias: async (_fn: string, _alias: string, o: {version: string}) => {
      state.updates++
      state.live = o.version
      return {name: 'live', functionVersion: o.version, revisionId: `r${state.updates}`}
    },
  } as unknown as LambdaPort
  return {state, lambda}
}
const target = [{module: 'etl', function: 'impress-etl'}]

describe('rollback journal', () => {
  it('an unfinished rollback found applied is closed without a second move; the next rollback steps back again', async () => {
    const dataDir = tmpDir('rollback-journal-')
    // the lost answer: the alias moved 3 → 2, the journal still says running
    Journal.create<RollbackIntent>(dataDir, ROLLBACK_JOURNAL, 'impress-etl', {alias: 'live', from: '3', to: '2'})
    const {state, lambda} = fakeLambda('2')
    const rerun = await planRollbacks(target, 'live', {lambda, dataDir})
    expect(rerun.plans[0]).toMatchObject({resumed: 'already-applied', noop: true, toVersion: '2'})
    expect(pendingNote(rerun.plans[0], rerun.pending)).toBe('etl: an earlier rollback 3 → 2 did not finish: it took effect.')
    await applyRollbacks(rerun.plans, rerun.pending, {lambda, dataDir}, () => undefined)
    expect(state.updates).toBe(0)
    expect(pendingRollback(dataDir, 'impress-etl')).toBeUndefined()

    const next = await planRollbacks(target, 'live', {lambda, dataDir})
    expect(next.plans[0]).toMatchObject({toVersion: '1', noop: false})
    expect(next.plans[0].resumed).toBeUndefined()
    const applied: string[] = []
    await applyRollbacks(next.plans, next.pending, {lambda, dataDir}, (p) => applied.push(p.toVersion))
    expect(applied).toEqual(['1'])
    expect(state.live).toBe('1')
    expect(pendingRollback(dataDir, 'impress-etl')).toBeUndefined()
  })

  it('an unfinished rollback whose alias never moved is finished to its target; one that the alias left is stale and closed', async () => {
    const dataDir = tmpDir('rollback-journal-')
    Journal.create<RollbackIntent>(dataDir, ROLLBACK_JOURNAL, 'impress-etl', {alias: 'live', from: '3', to: '1'})
    const {state, lambda} = fakeLambda('3')
    const resume = await planRollbacks(target, 'live', {lambda, dataDir})
    expect(resume.plans[0]).toMatchObject({resumed: 'resuming', fromVersion: '3', toVersion: '1'})
    await applyRollbacks(resume.plans, resume.pending, {lambda, dataDir}, () => undefined)
    expect(state.live).toBe('1')
    expect(pendingRollback(dataDir, 'impress-etl')).toBeUndefined()

    const other = tmpDir('rollback-journal-')
    Journal.create<RollbackIntent>(other, ROLLBACK_JOURNAL, 'impress-etl', {alias: 'live', from: '2', to: '1'})
    const moved = fakeLambda('3')
    const stale = await planRollbacks(target, 'live', {lambda: moved.lambda, dataDir: other})
    expect(stale.plans[0]).toMatchObject({resumed: 'stale', toVersion: '2'})
    expect(pendingNote(stale.plans[0], stale.pending)).toMatch(/has moved since \(now 3\): planning afresh/)
    await applyRollbacks(stale.plans, stale.pending, {lambda: moved.lambda, dataDir: other}, () => undefined)
    expect(moved.state.live).toBe('2')
    expect(Journal.list<RollbackIntent>(other, ROLLBACK_JOURNAL).map((j) => j.doc.status).sort()).toEqual(['aborted', 'done'])
  })
})
