// End-to-end tests run the built CLI (dist/). Fail early with a clear message if it is missing.
import fs from 'node:fs'

export default function setup(): void {
  if (!fs.existsSync(new URL('../../dist/commands', import.meta.url)) || !fs.existsSync(new URL('../../oclif.manifest.json', import.meta.url))) {
    throw new Error('dist/ is missing: run `npm run build` (npm ci does it through prepare) before the tests.')
  }
}
