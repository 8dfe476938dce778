/**
 * The report as a document: Markdown, JSON (the report object itself, keys in a fixed order)
 * and one self-contained HTML file (inline style, no script, no network at view time) that
 * reads like the company's security document, with the summary on top.
 */
import type {ClaimResult, ClaimStatus, SecurityReport} from './types.js'

const LABEL: Record<ClaimStatus, string> = {holds: 'HOLDS', fails: 'FAILS', unknown: 'NOT CHECKED'}
const MARK: Record<ClaimStatus, string> = {holds: '✅', fails: '❌', unknown: '❔'}

function evidenceText(c: ClaimResult): string {
  return c.evidence.map((e) => (e.kind === 'command' ? `\`${e.ref}\`` : `[${e.label ?? e.ref}](${e.ref})`)).join(', ')
}

function verdictLine(r: SecurityReport): string {
  const s = r.summary
  return `${s.holds} of ${s.claims} claims hold; ${s.fails} fail; ${s.unknown} could not be checked.`
}

export function renderJson(r: SecurityReport): string {
  return JSON.stringify(r, null, 2) + '\n'
}

export function renderMarkdown(r: SecurityReport): string {
  const out: string[] = []
  const all = r.sections.flatMap((s) => s.claims)
  out.push(`# ${r.title}: IMPRESS (${r.environment})`, '')
  out.push(`Generated ${r.generatedAt} by impress ${r.version} from live checks. Each statement below was checked at the time shown; a statement that no longer holds is marked as failing, and one that could not be checked is marked as such, never as holding.`, '')
  out.push('## Summary', '', `**${verdictLine(r)}**`, '')
  for (const [title, status] of [['Failing', 'fails'], ['Not checked', 'unknown']] as const) {
    const list = all.filter((c) => c.status === status)
    if (list.length === 0) continue
    out.push(`${title}:`, '')
    for (const c of list) out.push(`- \`${c.id}\`: ${c.sentence} (${c.detail})`)
    out.push('')
  }
  for (const s of r.sections) {
    out.push(`## ${s.name}`, '')
    for (const c of s.claims) {
      out.push(`- ${MARK[c.status]} **${LABEL[c.status]}**: ${c.sentence}  `)
      out.push(`  ${c.detail}  `)
      for (const f of c.facts) out.push(`  · ${f}  `)
      out.push(`  _\`${c.id}\`, checked ${c.checkedAt}; evidence: ${evidenceText(c)}_`)
    }
    out.push('')
  }
  out.push('---', '', `Regenerate with \`impress report security --env ${r.environment}\`. Check timings: ${r.probes.map((p) => `${p.name} ${p.durationMs} ms${p.ok ? '' : ' (failed)'}`).join(', ')}; whole report ${r.wallMs} ms.`, '')
  return out.join('\n')
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
/** `code` spans of the sentences and details, escaped. */
const inline = (s: string) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>')

const STYLE = `
:root{--ink:#1d2433;--muted:#5b6475;--line:#d9dde5;--holds:#1f7a4d;--fails:#b42318;--unknown:#8a6100}
*{box-sizing:border-box}
body{font:15px/1.55 Georgia,'Times New Roman',serif;color:var(--ink);max-width:880px;margin:0 auto;padding:40px 32px;background:#fff}
h1{font-size:32px;margin:0 0 4px;letter-spacing:.5px}
h2{font-size:21px;border-bottom:1px solid var(--line);padding-bottom:4px;margin:34px 0 12px}
.meta,.foot,.claim .small{font:12.5px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--muted)}
code{font:12.5px ui-monospace,Menlo,Consolas,monospace;background:#f3f4f7;padding:1px 4px;border-radius:3px}
#summary{border:2px solid var(--ink);border-radius:8px;padding:18px 22px;margin:22px 0 8px;font-family:system-ui,-apple-system,'Segoe UI',sans-serif}
#summary .verdict{font-size:18px;font-weight:700;margin:0 0 12px}
.counts{display:flex;gap:12px;margin-bottom:12px}
.count{flex:1;border-radius:6px;padding:10px 12px;color:#fff}
.count b{display:block;font-size:30px;line-height:1.1}
.count.holds{background:var(--holds)}.count.fails{background:var(--fails)}.count.unknown{background:var(--unknown)}
#summary ul{margin:6px 0 0;padding-left:20px;font-size:14px}
.claim{display:flex;gap:14px;padding:10px 0;border-bottom:1px dotted var(--line);page-break-inside:avoid}
.badge{flex:0 0 104px;text-align:center;font:700 11.5px/1 system-ui,sans-serif;letter-spacing:.6px;color:#fff;border-radius:4px;padding:6px 4px;height:fit-content;margin-top:3px}
.badge.holds{background:var(--holds)}.badge.fails{background:var(--fails)}.badge.unknown{background:var(--unknown)}
.claim .sentence{font-size:16px}
.claim .detail{margin:2px 0}
.claim ul{margin:2px 0 4px;padding-left:18px;font-size:13.5px;color:var(--muted)}
@media print{body{padding:0}#summary{page-break-after:avoid}}
`

export function renderHtml(r: SecurityReport): string {
  const all = r.sections.flatMap((s) => s.claims)
  const list = (status: ClaimStatus, title: string) => {
    const items = all.filter((c) => c.status === status)
    return items.length === 0 ? '' : `<p><strong>${title}</strong></p><ul class="${status}">${items.map((c) => `<li><a href="#${esc(c.id)}">${inline(c.sentence)}</a> — ${inline(c.detail)}</li>`).join('')}</ul>`
  }
  const claim = (c: ClaimResult) => `<div class="claim" id="${esc(c.id)}" data-status="${c.status}">
<div class="badge ${c.status}">${LABEL[c.status]}</div>
<div><div class="sentence">${inline(c.sentence)}</div>
<div class="detail">${inline(c.detail)}</div>
${c.facts.length > 0 ? `<ul>${c.facts.map((f) => `<li>${inline(f)}</li>`).join('')}</ul>` : ''}
<div class="small"><code>${esc(c.id)}</code> · checked ${esc(c.checkedAt)} · evidence: ${c.evidence.map((e) => (e.kind === 'command' ? `<code>${esc(e.ref)}</code>` : `<a href="${esc(e.ref.startsWith('/') ? `file://${e.ref}` : e.ref)}">${esc(e.label ?? e.ref)}</a>`)).join(', ')}</div></div>
</div>`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(r.title)}: IMPRESS (${esc(r.environment)})</title>
<style>${STYLE}</style></head>
<body>
<h1>${esc(r.title)}</h1>
<div class="meta">IMPRESS platform, environment <strong>${esc(r.environment)}</strong>. Generated ${esc(r.generatedAt)} by impress ${esc(r.version)} from live checks: each statement was checked at the time shown; one that no longer holds is marked as failing, one that could not be checked is marked as not checked, never as holding.</div>
<section id="summary" data-holds="${r.summary.holds}" data-fails="${r.summary.fails}" data-unknown="${r.summary.unknown}">
<p class="verdict">${esc(verdictLine(r))}</p>
<div class="counts"><div class="count holds"><b>${r.summary.holds}</b>hold</div><div class="count fails"><b>${r.summary.fails}</b>fail</div><div class="count unknown"><b>${r.summary.unknown}</b>not checked</div></div>
${list('fails', 'Failing')}${list('unknown', 'Not checked')}
</section>
${r.sections.map((s) => `<h2>${esc(s.name)}</h2>\n${s.claims.map(claim).join('\n')}`).join('\n')}
<p class="foot">Regenerate with <code>impress report security --env ${esc(r.environment)} --format html</code>. Check timings: ${r.probes.map((p) => `${esc(p.name)} ${p.durationMs} ms${p.ok ? '' : ' (failed)'}`).join(', ')}; whole report ${r.wallMs} ms.</p>
</body></html>
`
}
