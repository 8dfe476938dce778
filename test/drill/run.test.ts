import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {Journal} from '../../src/lib/journal/journal.js'
import {cleanupFromJournal, runDrill, type DrillOptions} from '../../src/lib/drill/run.js'
import {reportHtml, reportJunit, reportMarkdown} from '../../src/lib/drill/report.js'
import {fakePorts, type FakeWorld} from './fake-ports.js'
import {tmpDir} from '../helpers/tmp.js'

function options(overrides: Partial<DrillOptions> = {}): DrillOptions {
  const dir = tmpDir('drill-')
  return {
    drillId: 'd1',
    environment: 'sandbox',
    rtoMs: 4 * 3600_000,
    rpoMs: 15 * 60_000,
    verify: ['./check.sh'],
    lambdaModule: 'pdf',
    scratchTtlMs: 3600_000,
    journal: Journal.create(dir, 'drill', 'sandbox', {drillId: 'd1'}),
    signal: new AbortController().signal,
    ...overrides,
  }
}

const world = (): FakeWorld => ({existing: [], deleted: [], log: []})

describe('runDrill', () => {
  it('passes when every target is met, runs branches in parallel, verifies with the scratch endpoints, cleans up', async () => {
    const w = world()
    const r = await runDrill(options(), fakePorts(w))
    expect(r.status).toBe('passed')
    // parallel: every branch started before any ended
    expect(w.log.slice(0, 3).sort()).toEqual(['aurora:start', 'firebase:start', 'lambda:start'])
    expect(w.log).toContain('verify:./check.sh:impress-drill-d1.cluster.local')
    expect(r.rto.measuredMs).toBeGreaterThan(0)
    expect(r.rpo.measuredMs).toBeGreaterThanOrEqual(120_000) // the Firebase backup is the older source
    expect(r.cleanup.deleted.sort()).toEqual(['aurora-cluster:impress-drill-d1', 'firebase-namespace:impress-drill-d1', 'lambda-alias:pdf:drill-d1'])
    expect(w.existing).toEqual([])
  })

  it('a missed RPO target or a failing verification is "missed"; clean-up still done', async () => {
    const w = world()
    const r = await runDrill(options({rpoMs: 1000}), fakePorts(w))
    expect(r.status).toBe('missed')
    expect(r.rpo.met).toBe(false)
    const w2 = world()
    const r2 = await runDrill(options(), fakePorts(w2, {verifyExit: 1}))
    expect(r2.status).toBe('missed')
    expect(r2.verifiedAt).toBeUndefined()
    expect(r2.rto.met).toBe(false)
    expect(w2.existing).toEqual([])
  })

  it('a restore that fails is "failed" (could not run), and what was created is deleted', async () => {
    const w = world()
    const r = await runDrill(options(), fakePorts(w, {failAurora: true}))
    expect(r.status).toBe('failed')
    expect(r.error).toMatch(/InsufficientDBClusterCapacityFault/)
    expect(w.existing).toEqual([])
  })

  it('refuses a non-empty scratch target before restoring anything', async () => {
    const w = world()
    const r = await runDrill(options(), fakePorts(w, {nonEmpty: true}))
    expect(r.status).toBe('missed')
    expect(r.checks.at(-1)).toMatchObject({ok: false, name: 'scratch target is empty'})
    expect(w.log).toEqual([])
  })

  it('sweeps only expired leftovers that carry a drill tag', async () => {
    const w = world()
    w.existing.push({kind: 'aurora-cluster', id: 'impress-drill-old', drillId: 'old', expiresAt: new Date(Date.now() - 1000).toISOString()})
    w.existing.push({kind: 'aurora-cluster', id: 'impress-drill-young', drillId: 'young', expiresAt: new Date(Date.now() + 3600_000).toISOString()})
    const r = await runDrill(options(), fakePorts(w))
    expect(r.cleanup.sweptExpired).toEqual(['aurora-cluster:impress-drill-old'])
    expect(w.existing.map((x) => x.id)).toEqual(['impress-drill-young'])
  })

  it('an interrupt mid-restore stops, cleans up and reports "interrupted"', async () => {
    const w = world()
    const ac = new AbortController()
    setTimeout(() => ac.abort(new Error('Interrupted.')), 20)
    const r = await runDrill(options({signal: ac.signal}), fakePorts(w, {restoreMs: 2000}))
    expect(r.status).toBe('interrupted')
    expect(w.existing).toEqual([])
  })

  it('property: whatever fails, every resource the drill created is deleted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.record({failAurora: fc.boolean(), mismatch: fc.boolean(), verifyExit: fc.constantFrom(0, 1), rpoMs: fc.constantFrom(1, 3600_000)}), async (o) => {
        const w = world()
        const r = await runDrill(options({rpoMs: o.rpoMs}), fakePorts(w, {...o, restoreMs: 1}))
        expect(w.existing).toEqual([])
        expect(r.status === 'passed').toBe(!o.failAurora && !o.mismatch && o.verifyExit === 0 && o.rpoMs > 1)
      }),
      {numRuns: 30},
    )
  })

  it('the journal lets --cleanup remove resources of a drill that was killed', async () => {
    const o = options()
    o.journal.start('resources', {list: [{kind: 'aurora-cluster', id: 'impress-drill-d1', drillId: 'd1'}]})
    const w = world()
    w.existing.push({kind: 'aurora-cluster', id: 'impress-drill-d1', drillId: 'd1'})
    const out = await cleanupFromJournal(Journal.load(o.journal.file), fakePorts(w))
    expect(out.deleted).toEqual(['aurora-cluster:impress-drill-d1'])
    expect(w.existing).toEqual([])
  })
})

describe('drill reports', () => {
  it('renders Markdown, HTML with a timeline, and JUnit with failures counted', async () => {
    const r = await runDrill(options({rpoMs: 1000}), fakePorts(world()))
    const md = reportMarkdown(r)
    expect(md).toContain('| RPO (newest recoverable data) |')
    expect(md).toContain('MISSED')
    const html = reportHtml(r)
    expect(html).toContain('<svg id="timeline"')
    expect((html.match(/class="step"/g) ?? []).length).toBe(r.steps.length)
    const junit = reportJunit(r)
    expect(junit).toMatch(/failures="1"/)
    expect(junit).toContain('<failure message="measured')
  })
})
