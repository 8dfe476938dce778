/**
 * Drill reports: Markdown (for people and tickets), JSON (the same data as --json), a
 * self-contained HTML page (timeline as a Gantt-like SVG, RTO/RPO bars against the targets),
 * and JUnit XML so CI shows the drill as tests.
 */
import {fmt, type DrillReport} from './run.js'

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

export function reportMarkdown(r: DrillReport): string {
  const verdict = {passed: 'PASSED: every target met', incomplete: 'INCOMPLETE: a configured system was not rehearsed', missed: 'MISSED: a target or a verification failed', failed: 'FAILED: the drill could not run', interrupted: 'INTERRUPTED'}[r.status]
  const lines = [
    `# Disaster-recovery drill ${r.id} (${r.environment})`,
    '',
    `**${verdict}**${r.error ? `: ${r.error}` : ''}`,
    '',
    `Started ${r.startedAt}; clock started ${r.clockStartedAt ?? '-'}; verified ${r.verifiedAt ?? '-'}; ended ${r.endedAt}.`,
    ...(r.provenance ? ['', `Run by ${r.provenance.ranBy} with impress ${r.provenance.impressVersion}; configuration ${r.provenance.configSource} (SHA-256 ${r.provenance.configSha256.slice(0, 16)}…).`] : []),
    '',
    ...notRehearsedLines(r).map((l) => `- ${l}`),
    ...(r.notRehearsed?.length ? [''] : []),
    '| target | measured | limit | met |',
    '|---|---|---|---|',
    `| RTO (start → verified) | ${r.rto.measuredMs === undefined ? 'not reached' : fmt(r.rto.measuredMs)} | ${fmt(r.rto.targetMs)} | ${r.rto.met ? 'yes' : 'no'} |`,
    `| RPO (newest recoverable data) | ${r.rpo.measuredMs === undefined ? 'unknown' : fmt(r.rpo.measuredMs)} | ${fmt(r.rpo.targetMs)} | ${r.rpo.met ? 'yes' : 'no'} |`,
    ...(r.incident
      ? [
          `| Time to detect (incident on ${r.incident.module} → ${r.incident.alarm} in ALARM) | ${r.incident.timeToDetectMs === undefined ? 'never' : fmt(r.incident.timeToDetectMs)} | - | ${r.incident.timeToDetectMs === undefined ? 'no' : 'yes'} |`,
          `| Time to notify (incident → message received) | ${r.incident.timeToNotifyMs === undefined ? r.incident.notification : fmt(r.incident.timeToNotifyMs)} | ${fmt(r.incident.targetMs)} | ${r.incident.met ? 'yes' : 'no'} |`,
        ]
      : []),
    '',
    ...(r.rpo.aurora ? [`- Aurora restored to ${r.rpo.aurora.restoredTo} (gap ${fmt(r.rpo.aurora.gapMs)})`] : []),
    ...(r.rpo.firebase ? [`- Firebase backup of ${r.rpo.firebase.backupTime} (gap ${fmt(r.rpo.firebase.gapMs)})`] : []),
    ...(r.rpo.firestore ? [`- Firestore ${firestoreKind(r.rpo.firestore.kind)} backup of ${r.rpo.firestore.backupTime} (gap ${fmt(r.rpo.firestore.gapMs)})`] : []),
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
    ...(r.notRehearsed ?? []).map((n) => `- [ ] ${n.part}: not rehearsed (${n.reason})${n.outOfScope ? ', out of scope' : ''}`),
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

/** The data gap of each restore: Aurora, Firebase (Realtime Database), Firestore. */
export function rpoParts(r: DrillReport): string {
  return [...(r.rpo.aurora ? [`Aurora ${fmt(r.rpo.aurora.gapMs)}`] : []), ...(r.rpo.firebase ? [`Firebase ${fmt(r.rpo.firebase.gapMs)}`] : []), ...(r.rpo.firestore ? [`Firestore ${firestoreKind(r.rpo.firestore.kind)} ${fmt(r.rpo.firestore.gapMs)}`] : [])].join(', ')
}

/** client-side (a walk at one read time) or managed (Firestore's export). */
export const firestoreKind = (kind?: string): string => (kind === 'firestore-managed' ? 'managed-export' : 'client-side')

const BRANCH_COLORS: Record<string, string> = {prepare: '#8a8f98', aurora: '#2d6cdf', firebase: '#f5a623', firestore: '#c77d0a', lambda: '#7b61ff', verify: '#2eb67d', monitoring: '#e8912d', cleanup: '#b0b4ba'}

/** Configured systems the drill did not rehearse, one line each. */
function notRehearsedLines(r: DrillReport): string[] {
  return (r.notRehearsed ?? []).map((n) => `${n.part}: NOT REHEARSED (${n.reason})${n.outOfScope ? '; out of scope by drill.outOfScope' : '; in scope, so the drill cannot pass'}`)
}

/** Approximate width of a label in the SVG's 12 px sans-serif (wide enough that nothing is clipped). */
const textWidth = (text: string, px = 12): number => Math.ceil(text.length * px * 0.62) + 8

export function timelineSvg(r: DrillReport): string {
  const t0 = Date.parse(r.startedAt)
  const t1 = Math.max(Date.parse(r.endedAt), t0 + 1)
  // Full step names: the label column is as wide as the longest name; the track keeps 560 px and
  // the duration text after a bar has its own room, so nothing runs past the drawing.
  const labelW = Math.max(200, ...r.steps.map((s) => textWidth(s.name)))
  const trackW = 560
  const width = labelW + trackW + 70
  const rowH = 26
  const scale = trackW / (t1 - t0)
  const rows = r.steps.map((s, i) => {
    const x = labelW + (Date.parse(s.startedAt) - t0) * scale
    const w = Math.max(2, s.durationMs * scale)
    const y = 30 + i * rowH
    const color = s.status === 'failed' ? '#e01e5a' : BRANCH_COLORS[s.branch] ?? '#888'
    return `<g class="step" data-status="${s.status}"><text x="4" y="${y + 16}" font-size="12">${esc(s.name)}</text><rect x="${x.toFixed(1)}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" rx="3" fill="${color}"><title>${esc(`${s.name}: ${fmt(s.durationMs)} (${s.status})`)}</title></rect><text x="${(x + w + 4).toFixed(1)}" y="${y + 16}" font-size="11" fill="#555">${fmt(s.durationMs)}</text></g>`
  })
  const height = 40 + r.steps.length * rowH
  const marks = [r.clockStartedAt && ['clock start', r.clockStartedAt], r.verifiedAt && ['verified', r.verifiedAt]].filter(Boolean) as [string, string][]
  const markSvg = marks.map(([label, at], i) => {
    const x = labelW + (Date.parse(at) - t0) * scale
    // Two marks close together: the second label goes to the left of its line.
    const tx = i === 1 && marks.length === 2 && Math.abs(Date.parse(marks[1][1]) - Date.parse(marks[0][1])) * scale < 90 ? x - textWidth(label, 11) : x + 3
    return `<line x1="${x.toFixed(1)}" y1="18" x2="${x.toFixed(1)}" y2="${height}" stroke="#333" stroke-dasharray="4 3"/><text x="${tx.toFixed(1)}" y="14" font-size="11">${label}</text>`
  })
  return `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">${rows.join('')}${markSvg.join('')}</svg>`
}

const TICKS: [number, string][] = [
  [1000, '1s'],
  [10_000, '10s'],
  [60_000, '1m'],
  [600_000, '10m'],
  [3_600_000, '1h'],
  [6 * 3_600_000, '6h'],
  [86_400_000, '1d'],
  [7 * 86_400_000, '7d'],
]

/**
 * A measured figure against its target on a logarithmic scale (1 s to past the larger of the two),
 * so a 13 s RTO stays visible next to a 4 h target; tick marks say where the decades are.
 */
function bar(label: string, measured: number | undefined, target: number, met: boolean): string {
  const w = 560
  const lo = 1000
  const hi = Math.max(target, measured ?? 0, lo * 10) * 1.5
  const at = (v: number): number => (Math.log(Math.max(v, lo) / lo) / Math.log(hi / lo)) * w
  const mw = measured === undefined ? 0 : Math.max(3, at(measured))
  const tx = at(target)
  const ticks = TICKS.filter(([v]) => v <= hi).map(([v, t]) => `<line x1="${at(v).toFixed(1)}" y1="19" x2="${at(v).toFixed(1)}" y2="23" stroke="#888"/><text x="${at(v).toFixed(1)}" y="34" font-size="10" fill="#666" text-anchor="middle">${t}</text>`)
  return `<div class="bar"><div class="label">${esc(label)}: ${measured === undefined ? 'not measured' : fmt(measured)} / target ${fmt(target)} <b class="${met ? 'ok' : 'bad'}">${met ? 'met' : 'missed'}</b> <span class="scale">(log scale)</span></div><svg width="${w + 20}" height="38" viewBox="-6 0 ${w + 20} 38"><rect x="0" y="3" width="${w}" height="16" fill="#eee"/><rect class="measured" x="0" y="3" width="${mw.toFixed(1)}" height="16" fill="${met ? '#2eb67d' : '#e01e5a'}"/><line class="target" x1="${tx.toFixed(1)}" y1="0" x2="${tx.toFixed(1)}" y2="22" stroke="#000" stroke-width="2"/>${ticks.join('')}</svg></div>`
}

export function reportHtml(r: DrillReport): string {
  const restorePoints = [
    ...(r.rpo.aurora ? [`<li>Aurora restored to <b>${esc(r.rpo.aurora.restoredTo)}</b> (data gap ${fmt(r.rpo.aurora.gapMs)})</li>`] : []),
    ...(r.rpo.firebase ? [`<li>Firebase backup of <b>${esc(r.rpo.firebase.backupTime)}</b> (data gap ${fmt(r.rpo.firebase.gapMs)})</li>`] : []),
    ...(r.rpo.firestore ? [`<li>Firestore ${firestoreKind(r.rpo.firestore.kind)} backup of <b>${esc(r.rpo.firestore.backupTime)}</b> (data gap ${fmt(r.rpo.firestore.gapMs)})</li>`] : []),
  ]
  const p = r.provenance
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Drill ${esc(r.id)}: ${r.status}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1232px}h1{font-size:20px;overflow-wrap:anywhere}.ok{color:#1a7f4b}.bad{color:#c0143c}.status{font-size:18px;font-weight:600}table{border-collapse:collapse;max-width:100%}td,th{border:1px solid #ddd;padding:4px 8px;font-size:13px;text-align:left;overflow-wrap:anywhere}.bar{margin:8px 0}.label{font-size:13px;margin-bottom:2px}.scale{color:#666;font-size:11px}.timeline{overflow-x:auto}svg{max-width:100%;height:auto}p,li{overflow-wrap:anywhere}</style></head>
<body>
<h1>Disaster-recovery drill ${esc(r.id)} · ${esc(r.environment)}</h1>
<p class="status ${r.status === 'passed' ? 'ok' : 'bad'}" id="status">${r.status.toUpperCase()}${r.error ? `: ${esc(r.error)}` : ''}</p>
${notRehearsedLines(r).length ? `<ul id="not-rehearsed">${notRehearsedLines(r).map((l) => `<li class="${l.includes('in scope') ? 'bad' : ''}">${esc(l)}</li>`).join('')}</ul>` : ''}
<p>Started ${esc(r.startedAt)} · ended ${esc(r.endedAt)}</p>
${p ? `<p id="provenance">Run by <b>${esc(p.ranBy)}</b> with impress ${esc(p.impressVersion)} · configuration ${esc(p.configSource)} (SHA-256 <code>${esc(p.configSha256)}</code>)</p>` : ''}
<h2>Targets</h2>
${bar('RTO', r.rto.measuredMs, r.rto.targetMs, r.rto.met)}
${bar('RPO', r.rpo.measuredMs, r.rpo.targetMs, r.rpo.met)}
${r.incident ? `<div id="incident">${bar(`Time to notify (incident on ${r.incident.module}; detected ${r.incident.timeToDetectMs === undefined ? 'never' : `after ${fmt(r.incident.timeToDetectMs)}`})`, r.incident.timeToNotifyMs, r.incident.targetMs, r.incident.met)}</div>` : ''}
<h2>Restore points</h2>
${restorePoints.length ? `<ul id="restore-points">${restorePoints.join('')}</ul>` : '<p id="restore-points">No restore reached its target.</p>'}
<h2>Timeline</h2>
<div class="timeline">${timelineSvg(r)}</div>
<h2>Checks</h2>
<table><tr><th>check</th><th>result</th><th>detail</th></tr>${r.checks.map((c) => `<tr><td>${esc(c.name)}</td><td class="${c.ok ? 'ok' : 'bad'}">${c.ok ? 'pass' : c.notRun ? 'not run' : 'fail'}</td><td>${esc(c.detail)}</td></tr>`).join('')}</table>
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
  cases.push(tc(`RPO within ${fmt(r.rpo.targetMs)}`, r.rpo.met, `measured ${r.rpo.measuredMs === undefined ? 'unknown' : fmt(r.rpo.measuredMs)}${rpoParts(r) ? ` (${rpoParts(r)})` : ''}`))
  if (r.incident) {
    const i = r.incident
    cases.push(tc(`time to detect an incident on ${i.module}`, i.timeToDetectMs !== undefined, `${i.alarm} ${i.timeToDetectMs === undefined ? 'never fired' : `fired after ${fmt(i.timeToDetectMs)}`}`, (i.timeToDetectMs ?? 0) / 1000))
    cases.push(tc(`time to notify within ${fmt(i.targetMs)}`, i.met, `measured ${i.timeToNotifyMs === undefined ? i.notification : fmt(i.timeToNotifyMs)}`, (i.timeToNotifyMs ?? 0) / 1000))
  }
  for (const c of r.checks) cases.push(tc(c.name, c.ok, c.detail))
  const inScope = (r.notRehearsed ?? []).filter((n) => !n.outOfScope)
  for (const n of r.notRehearsed ?? []) cases.push(n.outOfScope ? `  <testcase classname="impress.drill" name="${esc(`${n.part} rehearsed`)}" time="0"><skipped message="${esc(`out of scope: ${n.reason}`)}"/></testcase>` : tc(`${n.part} rehearsed`, false, `not rehearsed: ${n.reason}`))
  for (const s of r.steps) cases.push(tc(`step: ${s.name}`, s.status !== 'failed', s.detail ?? '', s.durationMs / 1000))
  if (r.error) cases.push(tc('drill ran', false, r.error))
  const failures = (r.rto.met ? 0 : 1) + (r.rpo.met ? 0 : 1) + (r.incident ? (r.incident.timeToDetectMs === undefined ? 1 : 0) + (r.incident.met ? 0 : 1) : 0) + r.checks.filter((c) => !c.ok).length + r.steps.filter((s) => s.status === 'failed').length + (r.error ? 1 : 0) + inScope.length
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="impress drill">\n <testsuite name="drill ${esc(r.id)} (${esc(r.environment)})" tests="${cases.length}" failures="${failures}" timestamp="${esc(r.startedAt)}">\n${cases.join('\n')}\n </testsuite>\n</testsuites>\n`
}
