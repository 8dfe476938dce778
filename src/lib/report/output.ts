/** Where the report goes: checked before any check runs, so a bad path costs nothing. */
import fs from 'node:fs'
import path from 'node:path'
import {UsageError} from '../errors.js'

export const FORMATS = ['md', 'html', 'json', 'pdf'] as const
export type ReportFormat = (typeof FORMATS)[number]

/** The format asked, or the one the file's extension names, or Markdown. */
export function chooseFormat(flag: string | undefined, out: string | undefined): ReportFormat {
  if (flag) return flag as ReportFormat
  const ext = out ? path.extname(out).slice(1).toLowerCase() : ''
  if (ext === 'markdown') return 'md'
  return (FORMATS as readonly string[]).includes(ext) ? (ext as ReportFormat) : 'md'
}

/** Refuse (exit 2) an --out that cannot be written: a directory, a missing or read-only parent; PDF needs a file. */
export function checkOutPath(out: string | undefined, format: ReportFormat): string | undefined {
  if (!out) {
    if (format === 'pdf') throw new UsageError('A PDF is written to a file: --format pdf needs --out FILE.', {hint: 'Run `impress report security --format pdf --out security.pdf`.'})
    return undefined
  }
  const file = path.resolve(out)
  const dir = path.dirname(file)
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new UsageError(`--out ${out} is a directory.`, {hint: 'Name a file, e.g. --out security.html.'})
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`--out ${out}: the directory ${dir} does not exist.`, {hint: `Create it first (mkdir -p ${dir}), or write elsewhere.`})
  try {
    fs.accessSync(dir, fs.constants.W_OK)
    if (fs.existsSync(file)) fs.accessSync(file, fs.constants.W_OK)
  } catch {
    throw new UsageError(`--out ${out} cannot be written (permission denied).`, {hint: 'Choose a path you can write to.'})
  }
  return file
}

/** The SARIF evidence file written beside a report file: security.html → security.compliance.sarif. */
export function sarifBeside(file: string): string {
  const ext = path.extname(file)
  return path.join(path.dirname(file), `${path.basename(file, ext)}.compliance.sarif`)
}
