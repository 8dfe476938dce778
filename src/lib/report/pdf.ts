/**
 * PDF through headless Chromium found on PATH (Debian's `chromium` package): the HTML report
 * printed to PDF. No network: Chromium's background services are switched off, as on every
 * machine of this project.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {ExitCode, ImpressError, OperationError} from '../errors.js'

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']

/** The first Chromium on PATH (or CHROMIUM_PATH), or undefined. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CHROMIUM_PATH) return fs.existsSync(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of NAMES) {
      const file = path.join(dir, name)
      try {
        fs.accessSync(file, fs.constants.X_OK)
        return file
      } catch {
        // not here
      }
    }
  }
  return undefined
}

export function chromiumMissing(): ImpressError {
  return new ImpressError('E_NO_CHROMIUM', ExitCode.Usage, 'PDF output needs Chromium, and none was found on PATH (chromium, chromium-browser, google-chrome).', {
    hint: 'Install it with `apt-get install chromium` (or set CHROMIUM_PATH), or use --format html.',
  })
}

export async function htmlToPdf(html: string, out: string, options: {chromium: string; timeoutMs?: number; signal?: AbortSignal}): Promise<void> {
  const {execa} = await import('execa')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-pdf-'))
  try {
    const page = path.join(dir, 'report.html')
    fs.writeFileSync(page, html)
    const r = await execa(
      options.chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${path.join(dir, 'profile')}`,
        '--no-pdf-header-footer',
        `--print-to-pdf=${path.resolve(out)}`,
        `file://${page}`,
      ],
      {reject: false, timeout: options.timeoutMs ?? 60_000, cancelSignal: options.signal, stdin: 'ignore'},
    )
    const ok = r.exitCode === 0 && fs.existsSync(out) && fs.readFileSync(out).subarray(0, 5).toString() === '%PDF-'
    if (!ok) {
      const why = String(r.stderr ?? '').split('\n').filter((l) => l.trim() && !/^\[\d+:\d+:/.test(l))[0] ?? `exit code ${r.exitCode}`
      throw new OperationError(`Chromium did not print the PDF (${why}).`, {code: 'E_PDF', hint: `Run \`${options.chromium} --headless --print-to-pdf=out.pdf\` by hand to see why, or use --format html.`})
    }
  } finally {
    fs.rmSync(dir, {recursive: true, force: true})
  }
}
