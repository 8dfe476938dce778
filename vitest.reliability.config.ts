import {defineConfig} from 'vitest/config'

// `npm run reliability`: the whole reliability campaign (issue 17), on demand, one file at a time.
export default defineConfig({
  test: {
    include: ['test/reliability/*.campaign.ts'],
    pool: 'forks',
    maxWorkers: 1,
    globalSetup: ['test/helpers/global-setup.ts'],
  },
})
