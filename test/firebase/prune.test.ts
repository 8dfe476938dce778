/** Pure logic: the retention plan (fast-check properties). */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import type {BackupSummary} from '../../src/lib/firebase/list.js'
import {planPrune, weekStart} from '../../src/lib/firebase/prune.js'

const NOW = new Date('2026-11-23T05:00:00Z')
const summary = (startedAt: Date, complete = true, i = 0): BackupSummary => ({
  id: `${startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-rtdb-x${i}`,
  kind: 'rtdb',
  source: 'x',
  startedAt: startedAt.toISOString(),
  ageSeconds: 0,
  complete,
  bytes: 1,
  chunks: 1,
  count: 1,
  lines: 1,
  keys: {},
})
const backups = fc.array(fc.tuple(fc.integer({min: 0, max: 120 * 24}), fc.boolean()), {maxLength: 40}).map((xs) =>
  xs.map(([hoursAgo, complete], i) => summary(new Date(NOW.getTime() - hoursAgo * 3600_000 - i * 1000), complete, i)),
)

describe('planPrune', () => {
  it('keeps the newest N complete backups and the newest of each of the last M weeks; never deletes incomplete ones by default', () => {
    fc.assert(
      fc.property(backups, fc.integer({min: 1, max: 10}), fc.integer({min: 0, max: 12}), (bs, keepLast, keepWeeks) => {
        const plan = planPrune(bs, {keepLast, keepWeeks}, NOW)
        expect(plan).toHaveLength(bs.length)
        const kept = new Set(plan.filter((p) => p.action === 'keep').map((p) => p.id))
        const complete = bs.filter((b) => b.complete).sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))
        for (const b of complete.slice(0, keepLast)) expect(kept.has(b.id)).toBe(true)
        for (const b of bs.filter((x) => !x.complete)) expect(kept.has(b.id)).toBe(true)
        const oldest = weekStart(NOW) - (keepWeeks - 1) * 7 * 24 * 3600_000
        const weeks = new Map<number, BackupSummary>()
        for (const b of complete) {
          const w = weekStart(new Date(b.startedAt))
          if (keepWeeks > 0 && w >= oldest && !weeks.has(w)) weeks.set(w, b)
        }
        for (const b of weeks.values()) expect(kept.has(b.id)).toBe(true)
        // Everything deleted is complete and outside both rules.
        for (const p of plan.filter((x) => x.action === 'delete')) {
          expect(p.complete).toBe(true)
          expect(complete.slice(0, keepLast).some((b) => b.id === p.id)).toBe(false)
          expect([...weeks.values()].some((b) => b.id === p.id)).toBe(false)
        }
      }),
    )
  })

  it('deletes stale incomplete backups only when asked', () => {
    const old = summary(new Date('2026-11-01T00:00:00Z'), false)
    const fresh = summary(new Date('2026-11-22T00:00:00Z'), true)
    expect(planPrune([old, fresh], {keepLast: 1, keepWeeks: 0}, NOW).find((p) => p.id === old.id)?.action).toBe('keep')
    expect(planPrune([old, fresh], {keepLast: 1, keepWeeks: 0, includeIncomplete: true}, NOW).find((p) => p.id === old.id)?.action).toBe('delete')
  })

  it('applies the policy to each database separately', () => {
    const a = summary(new Date('2026-11-22T00:00:00Z'), true, 1)
    const b = {...summary(new Date('2026-11-21T00:00:00Z'), true, 2), source: 'other'}
    const c = summary(new Date('2026-11-20T00:00:00Z'), true, 3)
    const plan = planPrune([a, b, c], {keepLast: 1, keepWeeks: 0}, NOW)
    expect(plan.map((p) => [p.id, p.action])).toEqual([[a.id, 'keep'], [b.id, 'keep'], [c.id, 'delete']])
  })

  it('weeks start on Monday (UTC)', () => {
    expect(new Date(weekStart(new Date('2026-11-23T05:00:00Z'))).toISOString()).toBe('2026-11-23T00:00:00.000Z') // a Monday
    expect(new Date(weekStart(new Date('2026-11-22T23:59:00Z'))).toISOString()).toBe('2026-11-16T00:00:00.000Z') // Sunday
  })
})

describe('newBackupId', () => {
  it('never reuses an id already in the store (two backups in the same second)', async () => {
    const {newBackupId} = await import('../../src/lib/firebase/read-backup.js')
    const t = new Date('2026-11-23T05:00:00.400Z')
    const taken = ['20261123T050000Z-rtdb-x', '20261123T050001Z-rtdb-x']
    const store = {list: async () => taken} as unknown as import('../../src/lib/firebase/ports.js').BackupStore
    expect(await newBackupId(store, t, 'rtdb', 'x')).toBe('20261123T050002Z-rtdb-x')
    expect(await newBackupId(store, t, 'rtdb', 'y')).toBe('20261123T050000Z-rtdb-y')
  })
})
