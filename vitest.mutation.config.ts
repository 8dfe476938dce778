import fs from 'node:fs'
import path from 'node:path'
import {defineConfig} from 'vitest/config'

// `npm run test:mutation` (StrykerJS, stryker.config.mjs): the tests a mutant can fail.
//
// Stryker mutates src/ in a sandbox copy and runs vitest in-process with `related`, so only the test
// files whose imports reach the mutated file run, and with per-test coverage only the tests that
// execute the mutant. Left out here:
// - the end-to-end tests (they import test/helpers/cli.ts and run bin/run.js, which loads the built
//   dist/ bundle: a mutant in src/ never reaches them, so they would only cost time);
// - the slow scenarios (property round-trips over every service, the fault campaign, the scale test).
const slow = new Set([
  'test/sandbox/roundtrip.property.test.ts',
  'test/reliability/faults.test.ts',
  'test/firebase/rtdb-sandbox-scale.test.ts',
])

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, {withFileTypes: true}).flatMap((d) => {
    const p = path.posix.join(dir, d.name)
    if (d.isDirectory()) return testFiles(p)
    return d.name.endsWith('.test.ts') ? [p] : []
  })
}

const runsTheBuiltCli = (file: string) => /helpers\/cli(\.js)?['"]|bin\/run\.js/.test(fs.readFileSync(file, 'utf8'))

export default defineConfig({
  test: {
    include: testFiles('test').filter((f) => !slow.has(f) && !runsTheBuiltCli(f)),
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 1,
  },
})
