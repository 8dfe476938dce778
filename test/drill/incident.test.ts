/**
 * The drill's incident step (monitor test as one more step): figures beside RTO/RPO in every
 * format, a missed notification is a miss, an unmonitored module is "not rehearsed", an
 * interrupt during the rehearsal still cleans up, and the rehearsal runs after recovery
 * (outside the RTO). In-memory ports; the real adapter runs in test/drill/e2e.test.ts.
 */
import {describe, expect, it} from 'vitest'
import {RefusedError} from '../../src/lib/errors.js'
import {Journal} from '../../src/lib/journal/journal.js'
import type {IncidentDrillPort, IncidentRehearsal} from '../../src/lib/drill/ports.js'
import {cleanupFromJournal, runDrill, type DrillOptions} from '../../src/lib/drill/run.js'
import {reportHtml, reportJunit, reportMarkdown} from '../../src/lib/drill/report.js'
import {fakePorts, type FakeWorld} from './fake-ports.js'
import {tmpDir} from '../helpers/tmp.js'

function options(overrides: Partial<DrillOptions> = {}): DrillOptions {
  return {drillId: 'd1', environment: 'sandbox', rtoMs: 4 * 3600_000, rpoMs: 15 * 60_000, verify: [], lambdaModule: 'pdf', scratchTtlMs: 3600_000, journal: Journal.create(tmpDir('drill-inc-'), 'drill', 'sandbox', {drillId: 'd1'}), signal: new AbortController().signal, ...overrides}
}

const world = (): FakeWorld => ({existing: [], deleted: [], log: []})

/** An incident port whose scratch alias is recorded and left for the drill's clean-up unless `selfClean`. */
function incident(w: FakeWorld, o: {result?: Partial<IncidentRehearsal>; throws?: Error; waitMs?: number; selfClean?: boolean} = {}): IncidentDrillPort {
  return {
    module: 'etl',
    async listScratch() {
      return w.existing.filter((r) => r.kind === 'monitor-alias')
    },
    async destroy(r) {
      w.deleted.push(`${r.kind}:${r.id}`)
      w.existing = w.existing.filter((x) => x.id !== r.id)
    },
    async rehearse({signal, onResource}) {
      w.log.push('incident:start')
      if (o.throws) throw o.throws
      const r = {kind: 'monitor-alias' as const, id: 'etl:monitor-test-x', expiresAt: new Date(Date.now() + 3600_000).toISOString()}
      onResource(r)
      w.existing.push(r)
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, o.waitMs ?? 5)
        signal.addEventListener('abort', () => {
          clearTimeout(t)
          reject(new Error('aborted'))
        })
      })
      if (o.selfClean) w.existing = w.existing.filter((x) => x.id !== r.id)
      return {module: 'etl', alarm: 'impress/etl/errors', timeToDetectMs: 1200, timeToNotifyMs: 1500, targetMs: 300_000, notification: 'received', ok: true, ...o.result}
    },
  }
}

describe('drill: the incident rehearsal step', () => {
  it('runs after recovery, reports time to detect and to notify beside RTO/RPO in JSON, Markdown, HTML and JUnit', async () => {
    const w = world()
    const r = await runDrill(options(), {...fakePorts(w), incident: incident(w, {selfClean: true})})
    expect(r.status).toBe('passed')
    expect(r.incident).toEqual({module: 'etl', alarm: 'impress/etl/errors', timeToDetectMs: 1200, timeToNotifyMs: 1500, targetMs: 300_000, notification: 'received', ok: true, met: true})
    expect(r.checks.find((c) => c.name.startsWith('monitoring:'))).toMatchObject({ok: true, detail: 'impress/etl/errors fired after 1.2s; notified after 1.5s (target 5m0s)'})
    // after recovery: the step starts once verification is done, so the RTO does not include it
    const step = r.steps.find((s) => s.branch === 'monitoring')!
    expect(step.status).toBe('ok')
    expect(Date.parse(step.startedAt)).toBeGreaterThanOrEqual(Date.parse(r.verifiedAt!))
    expect(w.log.indexOf('incident:start')).toBeGreaterThan(w.log.indexOf('lambda:end'))
    expect(reportMarkdown(r)).toMatch(/\| Time to detect \(incident on etl → impress\/etl\/errors in ALARM\) \| 1\.2s \|[^\n]*\n\| Time to notify \(incident → message received\) \| 1\.5s \| 5m0s \| yes \|/)
    expect(reportHtml(r)).toMatch(/<div id="incident"><div class="bar"><div class="label">Time to notify \(incident on etl; detected after 1\.2s\): 1\.5s \/ target 5m0s <b class="ok">met/)
    const junit = reportJunit(r)
    expect(junit).toContain('name="time to detect an incident on etl" time="1.200"></testcase>')
    expect(junit).toContain('name="time to notify within 5m0s" time="1.500"></testcase>')
    expect(junit).toMatch(/failures="0"/)
    // the rehearsal deleted its alias itself: the drill's clean-up finds nothing of it left
    expect(w.existing).toEqual([])
  })

  it('a notification that never arrives is a miss; failures counted in JUnit; the alias is cleaned up', async () => {
    const w = world()
    const r = await runDrill(options(), {...fakePorts(w), incident: incident(w, {result: {timeToNotifyMs: undefined, notification: 'not received', ok: false}})})
    expect(r.status).toBe('missed')
    expect(r.incident).toMatchObject({met: false, notification: 'not received'})
    expect(r.checks.find((c) => c.name.startsWith('monitoring:'))).toMatchObject({ok: false, detail: expect.stringContaining('notification not received')})
    expect(reportJunit(r)).toMatch(/name="time to notify within 5m0s" time="0.000"><failure message="measured not received"/)
    expect(w.deleted).toContain('monitor-alias:etl:monitor-test-x')
    expect(w.existing).toEqual([])
  })

  it('a module without its alarm is "not rehearsed" (incomplete), never a passed or a "not run" check', async () => {
    const w = world()
    const r = await runDrill(options(), {...fakePorts(w), incident: incident(w, {throws: new RefusedError('etl has no alarm impress/etl/errors: nothing would detect the failure.', {code: 'E_NOT_MONITORED'})})})
    expect(r.status).toBe('incomplete')
    expect(r.notRehearsed).toEqual([{part: 'monitoring', reason: 'etl has no alarm impress/etl/errors: nothing would detect the failure.', outOfScope: false}])
    expect(r.checks.some((c) => c.name.startsWith('monitoring:'))).toBe(false)
    expect(r.incident).toBeUndefined()
    expect(reportJunit(r)).toContain('name="monitoring rehearsed"')
  })

  it('an interrupt during the rehearsal: interrupted, the scratch alias deleted; a killed drill leaves it to --cleanup', async () => {
    const w = world()
    const ac = new AbortController()
    const port = incident(w, {waitMs: 5000})
    const started = port.rehearse.bind(port)
    port.rehearse = async (p) => {
      setTimeout(() => ac.abort(new Error('Interrupted.')), 20)
      return started(p)
    }
    const r = await runDrill(options({signal: ac.signal}), {...fakePorts(w), incident: port})
    expect(r.status).toBe('interrupted')
    expect(r.cleanup.deleted).toContain('monitor-alias:etl:monitor-test-x')
    expect(w.existing).toEqual([])
    // the journal names the alias: --cleanup after a SIGKILL routes it to the incident port
    const w2 = world()
    const journal = Journal.create(tmpDir('drill-inc-'), 'drill', 'sandbox', {drillId: 'd2'})
    journal.start('resources', {list: [{kind: 'monitor-alias', id: 'etl:monitor-test-y'}]})
    const out = await cleanupFromJournal(journal, {...fakePorts(w2), incident: incident(w2)})
    expect(out.deleted).toEqual(['monitor-alias:etl:monitor-test-y'])
    expect(w2.deleted).toEqual(['monitor-alias:etl:monitor-test-y'])
  })
})
