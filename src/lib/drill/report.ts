/**
 * Drill reports: Markdown (for people and tickets), JSON (the same data as --json), a
 * self-contained HTML page (timeline as a Gantt-like SVG, RTO/RPO bars against the targets),
 * and JUnit XML so CI shows the drill as tests.
 */
import {fmt, type DrillReport} from './run.js'

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

export function reportMarkdown(r: DrillReport): string {
  const verdict = {passed: 'PASSED: every target met', missed: 'MISSED: a target or a verification failed', failed: 'FAILED: the drill could not run', interrupted: 'INTERRUPTED'}[r.status]
  const lines = [
    `# Disaster-recovery drill ${r.id} (${r.environment})`,
    '',
    `**${verdict}**${r.error ? `: ${r.error}` : ''}`,
    '',
    `Started ${r.startedAt}; clock started ${r.clockStartedAt ?? '-'}; verified ${r.verifiedAt ?? '-'}; ended ${r.endedAt}.`,
    '',
    '| target | measured | limit | met |',
    '|---|---|---|---|',
    `| RTO (start → verified) | ${r.rto.measuredMs === undefined ? 'not reached' : fmt(r.rto.measuredMs)} | ${fmt(r.rto.targetMs)} | ${r.rto.met ? 'yes' : 'no'} |`,
    `| RPO (newest recoverable data) | ${r.rpo.measuredMs === undefined ? 'unknown' : fmt(r.rpo.measuredMs)} | ${fmt(r.rpo.targetMs)} | ${r.rpo.met ? 'yes' : 'no'} |`,
    '',
    ...(r.rpo.aurora ? [`- Aurora restored to ${r.rpo.aurora.restoredTo} (gap ${fmt(r.rpo.aurora.gapMs)})`] : []),
    ...(r.rpo.firebase ? [`- Firebase backup of ${r.rpo.firebase.backupTime} (gap ${fmt(r.rpo.firebase.gapMs)})`] : []),
    '',
    '## Steps',
    '',
    '| step | status | duration | detail |',
    '|---|---|---|---|',
    ...r.steps.map((s) => `| ${s.name} | ${s.status} | ${fmt(s.durationMs)} | ${(s.detail ?? '').replace(/\|/g, '\\|')} |`),
    '',
    '## Checks',
    '',
    ...r.checks.map((c) => `- [${c.ok ? 'x' : ' '}] ${c.name}: ${c.detail}`),
    '',
    '## Clean-up',
    '',
    `Deleted: ${r.cleanup.deleted.join(', ') || 'nothing'}.`,
    ...(r.cleanup.failed.length ? [`Failed: ${r.cleanup.failed.map((f) => `${f.id} (${f.error})`).join(', ')}: run \`impress drill --cleanup\`.`] : []),
    ...(r.cleanup.sweptExpired.length ? [`Expired leftovers of earlier drills removed: ${r.cleanup.sweptExpired.join(', ')}.`] : []),
    '',
  ]
  return lines.join('\n')
}

const BRANCH_COLORS: Record<string, string> = {prepare: '#8a8f98', aurora: '#2d6cdf', firebase: '#f5a623', lambda: '#7b61ff', verify: '#2eb67d', cleanup: '#b0b4ba'}

export function timelineSvg(r: DrillReport): string {
  const t0 = Date.parse(r.startedAt)
  const t1 = Math.max(Date.parse(r.endedAt), t0 + 1)
  const width = 900
  const labelW = 330
  const rowH = 26
  const scale = (width - labelW - 20) / (t1 - t0)
  const rows = r.steps.map((s, i) => {
    const x = labelW + (Date.parse(s.startedAt) - t0) * scale
    const w = Math.max(2, s.durationMs * scale)
    const y = 30 + i * rowH
    const color = s.status === 'failed' ? '#e01e5a' : BRANCH_COLORS[s.branch] ?? '#888'
    return `<g class="step" data-status="${s.status}"><text x="4" y="${y + 16}" font-size="12">${esc(s.name.slice(0, 48))}</text><rect x="${x.toFixed(1)}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" rx="3" fill="${color}"><title>${esc(`${s.name}: ${fmt(s.durationMs)} (${s.status})`)}</title></rect><text x="${(x + w + 4).toFixed(1)}" y="${y + 16}" font-size="11" fill="#555">${fmt(s.durationMs)}</text></g>`
  })
  const height = 40 + r.steps.length * rowH
  const marks = [r.clockStartedAt && ['clock start', r.clockStartedAt], r.verifiedAt && ['verified', r.verifiedAt]].filter(Boolean) as [string, string][]
  const markSvg = marks.map(([label, at]) => {
    const x = labelW + (Date.parse(at) - t0) * scale
    return `<line x1="${x.toFixed(1)}" y1="18" x2="${x.toFixed(1)}" y2="${height}" stroke="#333" stroke-dasharray="4 3"/><text x="${(x + 3).toFixed(1)}" y="14" font-size="11">${label}</text>`
  })
  return `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">${rows.join('')}${markSvg.join('')}</svg>`
}

function bar(label: string, measured: number | undefined, target: number, met: boolean): string {
  const max = Math.max(target, measured ?? 0) * 1.1 || 1
  const w = 500
  const mw = measured === undefined ? 0 : Math.max(1, (measured / max) * w)
  const tx = (target / max) * w
  return `<div class="bar"><div class="label">${esc(label)}: ${measured === undefined ? 'not measured' : fmt(measured)} / target ${fmt(target)} <b class="${met ? 'ok' : 'bad'}">${met ? 'met' : 'missed'}</b></div><svg width="${w + 10}" height="22"><rect x="0" y="3" width="${w}" height="16" fill="#eee"/><rect class="measured" x="0" y="3" width="${mw.toFixed(1)}" height="16" fill="${met ? '#2eb67d' : '#e01e5a'}"/><line x1="${tx.toFixed(1)}" y1="0" x2="${tx.toFixed(1)}" y2="22" stroke="#000" stroke-width="2"/></svg></div>`
}

export function reportHtml(r: DrillReport): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drill ${esc(r.id)}: ${r.status}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}.ok{color:#1a7f4b}.bad{color:#c0143c}.status{font-size:18px;font-weight:600}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px 8px;font-size:13px;text-align:left}.bar{margin:8px 0}.label{font-size:13px;margin-bottom:2px}</style></head>
<body>
<h1>Disaster-recovery drill ${esc(r.id)} · ${esc(r.environment)}</h1>
<p class="status ${r.status === 'passed' ? 'ok' : 'bad'}" id="status">${r.status.toUpperCase()}${r.error ? `: ${esc(r.error)}` : ''}</p>
<p>Started ${esc(r.startedAt)} · ended ${esc(r.endedAt)}</p>
<h2>Targets</h2>
${bar('RTO', r.rto.measuredMs, r.rto.targetMs, r.rto.met)}
${bar('RPO', r.rpo.measuredMs, r.rpo.targetMs, r.rpo.met)}
<h2>Timeline</h2>
${timelineSvg(r)}
<h2>Checks</h2>
<table><tr><th>check</th><th>result</th><th>detail</th></tr>${r.checks.map((c) => `<tr><td>${esc(c.name)}</td><td class="${c.ok ? 'ok' : 'bad'}">${c.ok ? 'pass' : 'fail'}</td><td>${esc(c.detail)}</td></tr>`).join('')}</table>
<h2>Clean-up</h2>
<p>${esc(r.cleanup.deleted.join(', ') || 'nothing to delete')}${r.cleanup.failed.length ? ` · <span class="bad">failed: ${esc(r.cleanup.failed.map((f) => f.id).join(', '))}</span>` : ''}</p>
</body></html>
`
}

export function reportJunit(r: DrillReport): string {
  const cases: string[] = []
  const tc = (name: string, ok: boolean, detail: string, seconds = 0) =>
    `  <testcase classname="impress.drill" name="${esc(name)}" time="${seconds.toFixed(3)}">${ok ? '' : `<failure message="${esc(detail)}">${esc(detail)}</failure>`}</testcase>`
  cases.push(tc(`RTO within ${fmt(r.rto.targetMs)}`, r.rto.met, `measured ${r.rto.measuredMs === undefined ? 'not reached' : fmt(r.rto.measuredMs)}`, (r.rto.measuredMs ?? 0) / 1000))
  cases.push(tc(`RPO within ${fmt(r.rpo.targetMs)}`, r.rpo.met, `measured ${r.rpo.measuredMs === undefined ? 'unknown' : fmt(r.rpo.measuredMs)}`))
  for (const c of r.checks) cases.push(tc(c.name, c.ok, c.detail))
  for (const s of r.steps) cases.push(tc(`step: ${s.name}`, s.status !== 'failed', s.detail ?? '', s.durationMs / 1000))
  if (r.error) cases.push(tc('drill ran', false, r.error))
  const failures = (r.rto.met ? 0 : 1) + (r.rpo.met ? 0 : 1) + r.checks.filter((c) => !c.ok).length + r.steps.filter((s) => s.status === 'failed').length + (r.error ? 1 : 0)
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="impress drill">\n <testsuite name="drill ${esc(r.id)} (${esc(r.environment)})" tests="${cases.length}" failures="${failures}" timestamp="${esc(r.startedAt)}">\n${cases.join('\n')}\n </testsuite>\n</testsuites>\n`
}
