/** Plain-text renderings of Lambda results for the terminal (no colour decisions here beyond the given chalk). */
import type {ChalkInstance} from 'chalk'
import {renderTable} from '../ui/table.js'
import type {DeployResult} from './deploy.js'

export function renderDeploy(result: DeployResult, color: ChalkInstance): string {
  const paint = (s: string) =>
    s === 'deployed' ? color.green(s) : s === 'failed' || s === 'rolled-back' ? color.red(s) : s === 'canary' ? color.yellow(s) : s
  const rows = result.modules.map((m) => [
    m.module,
    m.function,
    paint(m.status),
    m.status === 'deployed' ? `${m.previousVersion} → ${m.newVersion}` : m.status === 'canary' ? `${m.previousVersion} + ${m.newVersion} @ ${Math.round((m.canaryWeight ?? 0) * 100)}%` : m.status === 'planned' ? `${m.previousVersion} → (new)` : (m.previousVersion ?? ''),
    (m.status === 'planned' ? `new ${m.codeSha256?.slice(0, 12)}…` : m.status === 'unchanged' ? `unchanged ${m.codeSha256?.slice(0, 12)}…` : (m.error ?? (m.pruned?.length ? `pruned ${m.pruned.join(',')}` : ''))) +
      (m.build === 'cached' ? ' (build skipped: inputs unchanged)' : '') +
      (m.warning ? ` (warning: ${m.warning})` : ''),
  ])
  const s = result.summary
  const parts = (['deployed', 'canary', 'unchanged', 'planned', 'rolled-back', 'failed'] as const).filter((k) => s[k] > 0).map((k) => `${s[k]} ${k}`)
  return `${renderTable(['MODULE', 'FUNCTION', 'RESULT', `ALIAS ${result.alias}`, 'DETAIL'], rows)}\n${result.dryRun ? 'Dry run: nothing was changed. ' : ''}${parts.join(', ')}`
}
