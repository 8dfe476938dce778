/** Headless Debian Chromium through playwright-core (no browser download). */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export async function withPage<T>(fn: (page: import('playwright-core').Page) => Promise<T>): Promise<T> {
  const {chromium} = await import('playwright-core')
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-'))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: {width: 1000, height: 900},
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  try {
    const page = await context.newPage()
    return await fn(page)
  } finally {
    await context.close()
    fs.rmSync(userDataDir, {recursive: true, force: true})
  }
}
