/** Honest drill results: a skipped system is not PASSED, checks that never ran are not passed, messages agree, the HTML report is readable. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {DrillOutcome} from '../../src/lib/drill/command-flow.js'
import {drillConclusion} from '../../src/lib/drill/render.js'
import {reportHtml, reportJunit, reportMarkdown} from '../../src/lib/drill/report.js'
import {runDrill, type DrillOptions, type DrillReport} from '../../src/lib/drill/run.js'
import {Journal} from '../../src/lib/journal/journal.js'
import {CHROMIUM, withPage} from '../helpers/browser.js'
import {fakePorts} from '../drill/fake-ports.js'

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-trust-drill-'))
afterAll(() => fs.rmSync(root, {recursive: true, force: true}))

function options(overrides: Partial<DrillOptions> = {}): DrillOptions {
  return {
    drillId: 'd1',
    environment: 'sandbox',
    rtoMs: 4 * 3600_000,
    rpoMs: 15 * 60_000,
    verify: ['./check.sh'],
    lambdaModule: 'pdf',
    scratchTtlMs: 3600_000,
    journal: Journal.create(fs.mkdtempSync(path.join(root, 'j-')), 'drill', 'sandbox', {drillId: 'd1'}),
    signal: new AbortController().signal,
    ...overrides,
  }
}
const world = () => ({existing: [], deleted: [], log: []})
const outcome = (report: DrillReport): DrillOutcome => ({report, files: {json: 'r.json', markdown: 'r.md', html: 'r.html'}, junit: '', notifications: []})

describe('a configured system that was not rehearsed', () => {
  it('in scope: the drill is INCOMPLETE (exit 3), not PASSED, and every report says which part', async () => {
    const ports = fakePorts(world())
    delete ports.firebase
    const r = await runDrill(options({notRehearsed: [{part: 'firebase', reason: 'no drill.firebaseTarget (scratch database) configured', outOfScope: false}]}), ports)
    expect(r.status).toBe('incomplete')
    const e = drillConclusion(outcome(r))
    expect(e).toMatchObject({exitCode: 3, code: 'E_DRILL_INCOMPLETE'})
    expect(e!.message).toContain('firebase')
    expect(reportMarkdown(r)).toContain('firebase: NOT REHEARSED (no drill.firebaseTarget')
    expect(reportHtml(r)).toMatch(/id="not-rehearsed".*firebase: NOT REHEARSED/s)
    expect(reportJunit(r)).toMatch(/<testcase classname="impress.drill" name="firebase rehearsed" time="0.000"><failure message="not rehearsed: no drill.firebaseTarget/)
  })

  it('out of scope by configuration: PASSED, and the reports still name it', async () => {
    const ports = fakePorts(world())
    delete ports.firebase
    const r = await runDrill(options({notRehearsed: [{part: 'firebase', reason: 'no drill.firebaseTarget (scratch database) configured', outOfScope: true}]}), ports)
    expect(r.status).toBe('passed')
    expect(drillConclusion(outcome(r))).toBeUndefined()
    expect(reportMarkdown(r)).toContain('out of scope by drill.outOfScope')
    expect(reportJunit(r)).toMatch(/name="firebase rehearsed" time="0"><skipped /)
  })
})

describe('checks that never ran', () => {
  it('an interrupted drill lists them as not run (not passed), and says honestly what the clean-up did', async () => {
    const ac = new AbortController()
    setTimeout(() => ac.abort(new Error('Interrupted.')), 20)
    const r = await runDrill(options({signal: ac.signal}), fakePorts(world(), {restoreMs: 2000}))
    expect(r.status).toBe('interrupted')
    const notRun = r.checks.filter((c) => c.notRun)
    expect(notRun.map((c) => c.name)).toContain('verify: ./check.sh')
    expect(notRun.every((c) => !c.ok)).toBe(true)
    expect(drillConclusion(outcome(r))!.message).toBe('The drill was interrupted; its scratch resources were cleaned up.')
    const failedCleanup = {...r, cleanup: {...r.cleanup, failed: [{id: 'aurora-cluster:impress-drill-d1', error: 'boom'}]}}
    const e = drillConclusion(outcome(failedCleanup))!
    expect(e.exitCode).toBe(130)
    expect(e.message).not.toContain('were cleaned up')
    expect(e.message).toContain('aurora-cluster:impress-drill-d1')
  })

  it('a drill that failed early shows every planned check as not run', async () => {
    const r = await runDrill(options(), fakePorts(world(), {failAurora: true}))
    expect(r.status).toBe('failed')
    expect(r.checks.filter((c) => c.ok).length).toBeLessThan(r.checks.length)
    expect(r.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['aurora: restored cluster like the source', 'verify: ./check.sh']))
  })
})

describe('the HTML report at 1280 px', () => {
  it('clips nothing, shows full step names, a visible 13 s RTO against 4 h, the restore points and who ran it', async () => {
    const longModule = 'a-module-with-a-really-quite-long-name-for-the-rollback-rehearsal'
    const base = await runDrill(options({lambdaModule: longModule, provenance: {ranBy: 'ops@host', impressVersion: '9.9.9', configSha256: 'ab'.repeat(32), configSource: '/etc/impress.config.yaml'}}), fakePorts(world()))
    // 13 s measured against a 4 h target.
    const r: DrillReport = {...base, rto: {targetMs: 4 * 3600_000, measuredMs: 13_000, met: true}}
    const file = path.join(root, 'report.html')
    fs.writeFileSync(file, reportHtml(r))
    expect(fs.existsSync(CHROMIUM)).toBe(true)
    const seen = await withPage(async (page) => {
      await page.setViewportSize({width: 1280, height: 900})
      await page.goto(`file://${file}`)
      return page.evaluate(() => {
        const overflowing = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5).map((el) => el.tagName)
        const svg = document.querySelector('#timeline') as SVGSVGElement
        const labels = [...svg.querySelectorAll('g.step text:first-child')].map((t) => ({text: t.textContent, right: (t as SVGTextElement).getBBox().x + (t as SVGTextElement).getBBox().width}))
        const firstBar = (svg.querySelector('g.step rect') as SVGRectElement).getBBox().x
        const measured = [...document.querySelectorAll('rect.measured')].map((el) => el.getBoundingClientRect().width)
        return {scrollWidth: document.documentElement.scrollWidth, overflowing, labels, firstBar, measured, restore: document.querySelector('#restore-points')?.textContent, provenance: document.querySelector('#provenance')?.textContent}
      })
    })
    expect(seen.overflowing).toEqual([])
    expect(seen.scrollWidth).toBeLessThanOrEqual(1280)
    expect(seen.labels.map((l) => l.text)).toContain(`rehearse Lambda rollback of ${longModule} on alias drill-d1`)
    for (const l of seen.labels) expect(l.right).toBeLessThanOrEqual(seen.firstBar)
    expect(seen.measured[0]).toBeGreaterThan(50) // 13 s of 4 h is still a bar you can see (log scale)
    expect(seen.restore).toMatch(/Aurora restored to .*Firebase backup of /)
    expect(seen.provenance).toContain('ops@host')
    expect(seen.provenance).toContain('9.9.9')
    expect(seen.provenance).toContain('ab'.repeat(32))
  })
})
