import {defineConfig} from 'vitest/config'

// `npm run test:mutation` (StrykerJS, stryker.config.mjs): the tests a mutant of a guarded module
// can fail, and that run in seconds. Stryker runs vitest in-process with `related`, so of these only
// the files whose imports reach the mutated file run, and with per-test coverage only the tests that
// execute the mutant. Left out on purpose:
// - the end-to-end tests (they run bin/run.js, which loads the built dist/ bundle: a mutant in src/
//   never reaches them, so they would only cost time);
// - the slow scenarios (restore-resume's 150 s sandbox restore, the property round-trips over every
//   service, the fault campaign, the scale test): each mutant would pay for them again;
// - test/roles/rotate.test.ts: it times the sandbox's secret propagation (100 ms) and fails when the
//   loaded machine is slower than that (seen in the dry run), which stops the whole mutation run.
// IMPRESS_MUTATION_TESTS (comma-separated globs) replaces the list for a one-off run.
const fast = [
  'test/unit/**/*.test.ts',
  'test/mutation/**/*.test.ts',
  'test/roles/plan.test.ts',
  'test/roles/file.test.ts',
  'test/firebase/rtdb-backup.test.ts',
  'test/firebase/firestore.test.ts',
  'test/firebase/verify.test.ts',
  'test/lambda/unit.test.ts',
  'test/lambda/adapter.integration.test.ts',
  'test/lambda/rollback-journal.test.ts',
  'test/aurora/capability.test.ts',
  'test/aurora/unit/*.test.ts',
  'test/drill/run.test.ts',
  'test/access/revoke-plan.test.ts',
  'test/report/run.test.ts',
  'test/report/claims-monitoring.test.ts',
]

export default defineConfig({
  test: {
    include: process.env.IMPRESS_MUTATION_TESTS ? process.env.IMPRESS_MUTATION_TESTS.split(',') : fast,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 1,
  },
})
