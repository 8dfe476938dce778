/**
 * "Did you mean …?": the closest known name to a mistyped one (commands, flags, configuration
 * keys, module and environment names). Plain edit distance; a suggestion is made only when the
 * two are close enough that it is likely to be what was meant.
 */

/** Levenshtein distance (insert, delete, substitute; a swap of two neighbours counts as one). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({length: a.length + 1}, (_, i) => [i, ...Array.from({length: b.length}, (_, j) => (i === 0 ? j + 1 : 0))])
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
    }
  }
  return d[a.length][b.length]
}

/** The closest candidate, or undefined when none is close (case-insensitive). */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  const needle = input.toLowerCase()
  let best: {name: string; distance: number} | undefined
  for (const name of new Set(candidates)) {
    if (name === input) continue
    const lower = name.toLowerCase()
    const distance = lower === needle ? 0 : lower.startsWith(needle) && needle.length >= 3 ? 1 : editDistance(needle, lower)
    if (!best || distance < best.distance) best = {name, distance}
  }
  if (!best) return undefined
  const limit = Math.max(2, Math.floor(needle.length / 3))
  return best.distance <= limit ? best.name : undefined
}

/** " Did you mean X?" (with a leading space), or '' when nothing is close. */
export function didYouMean(input: string, candidates: Iterable<string>, format: (name: string) => string = (n) => `"${n}"`): string {
  const match = closest(input, candidates)
  return match === undefined ? '' : ` Did you mean ${format(match)}?`
}

/**
 * The hint for oclif's "Nonexistent flag" error: the closest flag of the command for each unknown
 * one (`--dryrun` → `--dry-run`), or undefined when none is close.
 */
export function unknownFlagHint(unknown: string[], known: Iterable<string>): string | undefined {
  const names = [...known]
  const pairs = unknown.flatMap((flag) => {
    const match = closest(flag.replace(/^-+/, '').split('=')[0], names)
    return match ? [`${flag} → --${match}`] : []
  })
  if (pairs.length === 0) return undefined
  return pairs.length === 1 && unknown.length === 1
    ? `Did you mean --${closest(unknown[0].replace(/^-+/, '').split('=')[0], names)}? See the command's --help for its flags.`
    : `Did you mean: ${pairs.join(', ')}? See the command's --help for its flags.`
}
