import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // End-to-end tests spawn bin/run.js; keep the machine (2 cores in CI) from thrashing.
    maxWorkers: 3,
    globalSetup: ['test/helpers/global-setup.ts'],
  },
})
