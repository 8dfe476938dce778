import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {checkIdentifier, compactUtc, names} from '../../../src/lib/aurora/names.js'
import type {Tags} from '../../../src/lib/aurora/ports.js'
import {parseTagFlags, planPrune} from '../../../src/lib/aurora/snapshots.js'

const DAY = 86_400_000
const now = new Date('2026-11-23T05:00:00Z')

describe('prune plan', () => {
  it('deletes only old, unkept manual snapshots and never the newest N', () => {
    const snaps: {id: string; type: 'manual' | 'automated'; status: string; createdAt: string; tags: Tags}[] = [
      {id: 'new', type: 'manual' as const, status: 'available', createdAt: new Date(now.getTime() - 1 * DAY).toISOString(), tags: {}},
      {id: 'old-keep', type: 'manual' as const, status: 'available', createdAt: new Date(now.getTime() - 40 * DAY).toISOString(), tags: {keep: 'true'}},
      {id: 'old', type: 'manual' as const, status: 'available', createdAt: new Date(now.getTime() - 20 * DAY).toISOString(), tags: {}},
      {id: 'auto', type: 'automated' as const, status: 'available', createdAt: new Date(now.getTime() - 30 * DAY).toISOString(), tags: {}},
    ]
    const plan = planPrune(snaps, {retentionDays: 7, keepNewest: 1}, now)
    expect(plan.delete.map((d) => d.id)).toEqual(['old'])
    expect(plan.keep.map((k) => [k.id, k.reason])).toEqual([
      ['new', 'one of the newest 1'],
      ['old-keep', 'tagged keep=true'],
    ])
    expect(planPrune(snaps, {retentionDays: 7, keepNewest: 2}, now).delete).toEqual([])
  })

  it('property: never deletes keep=true, young, automated, or the newest N', () => {
    const snap = fc.record({
      id: fc.uuid(),
      type: fc.constantFrom('manual' as const, 'automated' as const),
      status: fc.constantFrom('available', 'creating'),
      ageDays: fc.integer({min: 0, max: 60}),
      keep: fc.boolean(),
    })
    fc.assert(
      fc.property(fc.array(snap, {maxLength: 25}), fc.integer({min: 1, max: 30}), fc.integer({min: 0, max: 5}), (list, retentionDays, keepNewest) => {
        const snaps = list.map((s) => ({id: s.id, type: s.type, status: s.status, createdAt: new Date(now.getTime() - s.ageDays * DAY - 1000).toISOString(), tags: (s.keep ? {keep: 'true'} : {}) as Tags}))
        const plan = planPrune(snaps, {retentionDays, keepNewest}, now)
        const newest = new Set(snaps.filter((s) => s.type === 'manual').sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, keepNewest).map((s) => s.id))
        for (const d of plan.delete) {
          const s = snaps.find((x) => x.id === d.id)!
          expect(s.type).toBe('manual')
          expect(s.tags).not.toHaveProperty('keep')
          expect(s.status).toBe('available')
          expect(Date.parse(s.createdAt)).toBeLessThan(now.getTime() - retentionDays * DAY)
          expect(newest.has(s.id)).toBe(false)
        }
        expect(plan.delete.length + plan.keep.length).toBe(snaps.filter((s) => s.type === 'manual').length)
      }),
    )
  })
})

describe('names and tags', () => {
  it('writes UTC times without letters so identifiers stay valid', () => {
    expect(compactUtc(new Date('2026-11-23T05:15:09.123Z'))).toBe('20261123-051509')
    expect(names.aside('impress-prod', now)).toBe('impress-prod-before-rollback-20261123-050000')
    expect(names.instance('x', 0)).toBe('x-writer')
    expect(names.instance('x', 2)).toBe('x-reader-2')
    expect(() => checkIdentifier('Bad--name', '--target')).toThrow(/not a valid RDS identifier/)
    expect(() => names.restored('a'.repeat(50), now)).toThrow(/not a valid RDS identifier/)
  })

  it('parses --tag key=value and rejects a bare word (exit 2)', () => {
    expect(parseTagFlags(['reason=before migration=43', 'who=me'])).toEqual({reason: 'before migration=43', who: 'me'})
    expect(() => parseTagFlags(['oops'])).toThrow(expect.objectContaining({exitCode: 2}))
  })
})
