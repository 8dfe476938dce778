/** The drill's Firestore step on in-memory ports: restored like the Realtime Database, measured, reported, always cleaned up. */
import {describe, expect, it} from 'vitest'
import {Journal} from '../../src/lib/journal/journal.js'
import {runDrill, type DrillOptions} from '../../src/lib/drill/run.js'
import {reportJunit, reportMarkdown} from '../../src/lib/drill/report.js'
import {fakePorts, type FakeWorld} from './fake-ports.js'
import {tmpDir} from '../helpers/tmp.js'

const options = (overrides: Partial<DrillOptions> = {}): DrillOptions => ({
  drillId: 'd1',
  environment: 'sandbox',
  rtoMs: 4 * 3600_000,
  rpoMs: 15 * 60_000,
  verify: [],
  scratchTtlMs: 3600_000,
  journal: Journal.create(tmpDir('drill-fs-'), 'drill', 'sandbox', {drillId: 'd1'}),
  signal: new AbortController().signal,
  ...overrides,
})
const world = (): FakeWorld => ({existing: [], deleted: [], log: []})

describe('the drill rehearses Firestore', () => {
  it('restores the newest (managed) backup beside the others, checks it, counts its data gap in the RPO, empties the scratch database', async () => {
    const w = world()
    const r = await runDrill(options(), fakePorts(w, {backupAgeMs: 60_000, firestore: {kind: 'firestore-managed', ageMs: 300_000}}))
    expect(r.status).toBe('passed')
    // in parallel with the Realtime Database restore
    expect(w.log.indexOf('firestore:start:firestore-managed')).toBeLessThan(w.log.indexOf('firebase:end'))
    expect(r.checks.find((c) => c.name.startsWith('firestore:'))).toMatchObject({ok: true, detail: expect.stringContaining('312 document(s); in top-level collections; counts per collection equal')})
    expect(r.steps.find((s) => s.branch === 'firestore')?.name).toBe('restore Firestore backup fs1 (managed export) to scratch')
    // the Firestore backup is the oldest data: it sets the RPO
    expect(r.rpo.firestore).toMatchObject({kind: 'firestore-managed', gapMs: expect.any(Number)})
    expect(r.rpo.firestore!.gapMs).toBeGreaterThanOrEqual(300_000)
    expect(r.rpo.measuredMs).toBe(r.rpo.firestore!.gapMs)
    expect(r.cleanup.deleted).toContain('firestore-database:scratch')
    expect(w.existing).toEqual([])
    expect(reportMarkdown(r)).toMatch(/- Firestore managed-export backup of \S+ \(gap 5m0s\)/)
    expect(reportJunit(r)).toMatch(/RPO within 15m0s[^>]*>/)
  })

  it('a Firestore backup older than the RPO misses it, named in the JUnit detail', async () => {
    const r = await runDrill(options(), fakePorts(world(), {firestore: {kind: 'firestore', ageMs: 3600_000}}))
    expect(r.status).toBe('missed')
    expect(r.rpo.met).toBe(false)
    expect(reportJunit(r)).toMatch(/<failure message="measured 1h0m \(Aurora 60.0s, Firebase 2m0s, Firestore client-side 1h0m\)"/)
  })

  it('restored documents that differ from the manifest fail its check; the scratch database is still emptied', async () => {
    const w = world()
    const r = await runDrill(options(), fakePorts(w, {firestore: {kind: 'firestore', ageMs: 1000, mismatch: true}}))
    expect(r.status).toBe('missed')
    expect(r.checks.find((c) => c.name.startsWith('firestore:'))).toMatchObject({ok: false, detail: 'users: 39/40 documents'})
    expect(w.existing).toEqual([])
  })

  it('no Firestore backup yet: one is taken before the clock starts', async () => {
    const w = world()
    const r = await runDrill(options(), fakePorts(w, {firestore: {kind: 'firestore', ageMs: 0, none: true}}))
    expect(r.status).toBe('passed')
    expect(w.log).toContain('firestore:backup')
    const backupStep = r.steps.find((s) => s.name === 'no Firestore backup yet: take one')!
    expect(Date.parse(backupStep.endedAt)).toBeLessThanOrEqual(Date.parse(r.clockStartedAt!))
  })

  it('a scratch database that is not empty is refused before anything is restored', async () => {
    const w = world()
    const r = await runDrill(options(), fakePorts(w, {firestore: {kind: 'firestore', ageMs: 1000, nonEmpty: true}}))
    expect(r.status).toBe('missed')
    expect(r.checks.at(-1)).toMatchObject({name: 'scratch target is empty', ok: false, detail: expect.stringContaining('scratch Firestore target scratch is not empty')})
    expect(w.log.filter((l) => l.includes(':start'))).toEqual([])
  })

  it('interrupted during the Firestore restore: "interrupted", its check not run, the scratch database emptied', async () => {
    const w = world()
    const ac = new AbortController()
    setTimeout(() => ac.abort(new Error('Interrupted.')), 50)
    const r = await runDrill(options({signal: ac.signal}), fakePorts(w, {restoreMs: 1, firestore: {kind: 'firestore', ageMs: 1000, restoreMs: 5000}}))
    expect(r.status).toBe('interrupted')
    expect(r.checks.find((c) => c.name.startsWith('firestore:'))).toMatchObject({ok: false, notRun: true})
    expect(r.cleanup.deleted).toContain('firestore-database:scratch')
    expect(w.existing).toEqual([])
  })
})
