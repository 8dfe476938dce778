/** Human lines of `impress audit verify`: the chain, the signatures, the anchors' coverage. */
import type {AnchorReport, LineRange} from './anchor.js'
import type {AuditReport} from './record.js'

const range = (r?: LineRange) => (r ? (r.from === r.to ? `line ${r.from}` : `lines ${r.from}–${r.to}`) : '')
const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

function anchorLine(a: AnchorReport, lines: number): string {
  if (a.status === 'not-configured') return 'Anchors: not configured (set audit.anchor; see docs/audit.md): no entry is anchored outside this machine.'
  if (a.status === 'unavailable') return `Anchors: could not be checked in ${a.location}: ${a.error}.`
  const covered = a.covered ? `${range(a.covered)} covered by an anchor` : 'no entry covered by an anchor yet'
  const pending = a.notCovered ? `; ${range(a.notCovered)} (${count(a.notCovered.to - a.notCovered.from + 1, 'entry', 'entries')}) not anchored yet` : lines > 0 ? '; every entry anchored' : ''
  return `Anchors in ${a.location}/${a.prefix}: ${count(a.count, 'anchor')}, ${covered}${pending}.`
}

export function renderAuditReport(r: AuditReport): string[] {
  const out: string[] = []
  const s = r.signatures
  const partial = s.status === 'unavailable' || r.anchors.status === 'unavailable'
  out.push(`Audit log ${r.path}: ${count(r.lines, 'entry', 'entries')}${r.ok ? (partial ? ', no problem found in what could be checked' : ', verified') : ''}.`)
  if (s.status === 'not-configured') out.push('Signatures: no key configured (set audit.key; see docs/audit.md): the hash chain alone does not stop someone who can write this folder.')
  else if (s.status === 'unavailable') out.push(`Signatures: not checked: ${s.error}`)
  else out.push(`Signatures (key ${s.key}): ${count(r.signed, 'line')} signed${r.signedThrough > 0 ? `, lines 1–${r.signedThrough} vouched for` : ''}${r.unsigned > 0 ? `, ${count(r.unsigned, 'line')} unsigned` : ''}.`)
  if (r.unchecked > 0) out.push(`  ${count(r.unchecked, 'line')} carry signatures that were not checked.`)
  out.push(anchorLine(r.anchors, r.lines))
  for (const a of r.acknowledgements) out.push(`Acknowledged at line ${a.line} by ${a.by} (${a.time}): ${count(a.problems, 'problem')} accepted: "${a.reason}".`)
  const open = r.problems.filter((p) => p.acknowledgedAt === undefined)
  for (const p of open.slice(0, 5)) out.push(`  line ${p.line} ${p.reason}.`)
  if (open.length > 5) out.push(`  … and ${open.length - 5} more (--json lists them all).`)
  return out
}
