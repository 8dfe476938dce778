import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {Journal} from '../../src/lib/journal/journal.js'
import {reportHtml} from '../../src/lib/drill/report.js'
import {runDrill} from '../../src/lib/drill/run.js'
import {CHROMIUM, withPage} from '../helpers/browser.js'
import {fakePorts} from './fake-ports.js'
import {tmpDir} from '../helpers/tmp.js'

describe('drill HTML report in a real browser', () => {
  it('opens in headless Chromium and draws the timeline and the target bars', async () => {
    expect(fs.existsSync(CHROMIUM), `Chromium must be installed at ${CHROMIUM} (the CI script installs Debian's chromium)`).toBe(true)
    const dir = tmpDir('drill-html-')
    const report = await runDrill(
      {drillId: 'html1', environment: 'sandbox', rtoMs: 3600_000, rpoMs: 3600_000, verify: ['true'], lambdaModule: 'pdf', scratchTtlMs: 1000, journal: Journal.create(dir, 'drill', 'x', {}), signal: new AbortController().signal},
      fakePorts({existing: [], deleted: [], log: []}),
    )
    const file = path.join(dir, 'report.html')
    fs.writeFileSync(file, reportHtml(report))
    const shot = path.join(dir, 'report.png')
    const drawn = await withPage(async (page) => {
      await page.goto(`file://${file}`)
      await page.screenshot({path: shot, fullPage: true})
      return page.evaluate(() => {
        const svg = document.querySelector('#timeline') as SVGSVGElement
        const rects = [...svg.querySelectorAll('g.step rect')].map((r) => (r as SVGRectElement).getBBox())
        const bars = [...document.querySelectorAll('rect.measured')].map((r) => (r as SVGRectElement).getBBox().width)
        return {status: document.querySelector('#status')?.textContent, svgWidth: svg.getBoundingClientRect().width, rects: rects.map((b) => ({x: b.x, w: b.width})), bars}
      })
    })
    expect(drawn.status).toBe('PASSED')
    expect(drawn.svgWidth).toBeGreaterThan(500)
    expect(drawn.rects).toHaveLength(report.steps.length)
    for (const r of drawn.rects) expect(r.w).toBeGreaterThan(0)
    // the parallel branches overlap on the timeline
    const a = drawn.rects[report.steps.findIndex((s) => s.branch === 'aurora')]
    const f = drawn.rects[report.steps.findIndex((s) => s.branch === 'firebase')]
    expect(Math.max(a.x, f.x)).toBeLessThan(Math.min(a.x + a.w, f.x + f.w))
    expect(drawn.bars).toHaveLength(2)
    expect(drawn.bars.every((w) => w > 0)).toBe(true)
    expect(fs.statSync(shot).size).toBeGreaterThan(5000)
  })
})
