/** Plain aligned tables for the terminal (ANSI-aware widths). */

// eslint-disable-next-line no-control-regex
const ANSI = /\u001B\[[0-9;]*m/g

export function visibleWidth(s: string): number {
  return [...s.replace(ANSI, '')].length
}

export interface TableOptions {
  /** Style for the header row (e.g. chalk.bold). */
  header?: (s: string) => string
  /** Right-align these column indexes. */
  alignRight?: number[]
}

export function renderTable(head: string[], rows: (string | number | undefined | null)[][], options: TableOptions = {}): string {
  const cells = rows.map((r) => head.map((_, i) => (r[i] === undefined || r[i] === null ? '' : String(r[i]))))
  const widths = head.map((h, i) => Math.max(visibleWidth(h), ...cells.map((r) => visibleWidth(r[i]))))
  const pad = (s: string, i: number): string => {
    const gap = ' '.repeat(widths[i] - visibleWidth(s))
    return options.alignRight?.includes(i) ? gap + s : s + gap
  }
  const style = options.header ?? ((s: string) => s)
  const lines = [style(head.map((h, i) => pad(h, i)).join('  ').trimEnd())]
  for (const r of cells) lines.push(r.map((c, i) => pad(c, i)).join('  ').trimEnd())
  return lines.join('\n')
}
