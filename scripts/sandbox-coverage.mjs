// Writes docs/sandbox-coverage.md from the sandbox services' catalogs (run after the build).
import fs from 'node:fs'
import {catalogedServices, renderCoverage} from '../dist/lib/sandbox/coverage.js'

const out = new URL('../docs/sandbox-coverage.md', import.meta.url)
fs.writeFileSync(out, renderCoverage(await catalogedServices()))
console.log(`wrote ${out.pathname}`)
