// Mutation testing (issue 22): `npm run test:mutation`, or one module at a time:
//   npm run test:mutation -- --mutate src/lib/audit/chain.ts
// The scope is the code whose job is to protect data, money or access (docs/RELIABILITY.md,
// § Mutation testing, lists each module's score and the surviving mutants with their reason).
// Incremental: the results are kept in reports/stryker-incremental.json (reports/ is not
// committed), so a rerun tests only the mutants whose code or covering tests changed.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: {configFile: 'vitest.mutation.config.ts', related: true},
  // IMPRESS_MUTATION_NO_CHECK=1 skips the type check (for a quick look on a loaded machine: mutants
  // that would not compile are then run too, and a survivor among them is equivalent by compilation).
  checkers: process.env.IMPRESS_MUTATION_NO_CHECK ? [] : ['typescript'],
  // The checker type-checks only the guarded modules and what they import (tsconfig.mutation.json
  // lists the same files as `mutate` below): the whole project took 2 GB and most of each run.
  tsconfigFile: 'tsconfig.mutation.json',
  typescriptChecker: {prioritizePerformanceOverAccuracy: true},
  coverageAnalysis: 'perTest',
  mutate: [
    'src/lib/audit/chain.ts',
    'src/lib/audit/verify.ts',
    'src/lib/audit/sign.ts',
    'src/lib/roles/file.ts',
    'src/lib/roles/plan.ts',
    'src/lib/firebase/verify.ts',
    'src/lib/firebase/restore.ts',
    'src/lib/firebase/backup.ts',
    'src/lib/lambda/deploy.ts',
    'src/lib/lambda/alias-mark.ts',
    'src/lib/lambda/prune.ts',
    'src/lib/lambda/rollback.ts',
    'src/lib/aurora/rollback.ts',
    'src/lib/drill/run.ts',
    'src/lib/access/revoke.ts',
    'src/lib/report/run.ts',
  ],
  // dist/ is kept: a few unit-test files also start a child process on the built module (they pass
  // on the unmutated build, and cannot kill a mutant; the mutation run does not rebuild).
  ignorePatterns: ['coverage', 'reports', '.impress', 'bench', 'docs'],
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['html', 'clear-text', 'progress', 'json'],
  htmlReporter: {fileName: 'reports/mutation/mutation.html'},
  jsonReporter: {fileName: 'reports/mutation/mutation.json'},
  thresholds: {high: 90, low: 85, break: null},
  // The machine is shared (2 cores): one test process, and Stryker's run is niced by the npm script.
  concurrency: 1,
  timeoutMS: 20_000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
}
