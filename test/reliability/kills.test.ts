/**
 * The quick slice of the kills at every step (issue 17) that runs in CI: `impress deploy` killed
 * (SIGKILL) after its first two journal records, and `impress aurora rollback` killed right after
 * its restored cluster is journaled, and `impress drill` killed mid-restore, each then rerun: the same end state as a run never killed
 * (no second version or cluster, nothing left over, the original kept). The whole sweep over
 * every step of every kill scenario: `npm run reliability` (docs/RELIABILITY.md).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {killCampaign} from './kills.js'
import {auroraRollbackScenario, deployKillScenario, drillScenario} from './scenarios.js'

let sb: TestSandbox
beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.001})
})
afterAll(async () => {
  await sb?.stop()
})

describe('reliability: kills at every step (CI slice)', {timeout: 300_000}, () => {
  it('deploy: killed after its journal is created and after the module is recorded, the rerun serves the same code with no duplicate version', async () => {
    // the journal's three records: created, the module's result, the deploy's status (the campaign kills all three)
    const report = await killCampaign(sb, deployKillScenario, {maxSteps: 2})
    expect(report.expected).toMatchObject({alias: 'live', versions: 4})
    expect(report.runs.map((r) => [r.step, r.outcome, r.note])).toEqual([
      [1, 'resumed', ''],
      // the module's result is recorded once its alias has moved: the deploy is whole at that kill
      [2, 'resumed', 'complete at the kill'],
    ])
  })

  it('aurora rollback: killed once the restored cluster is journaled, the rerun finishes it: no second cluster, the original kept', async () => {
    // records: 1 journal created, 2-3 safety snapshot started/done, 4-5 restore-cluster started/done
    const report = await killCampaign(sb, auroraRollbackScenario, {steps: (n) => n === 5, maxSteps: 5})
    expect(report.expected).toMatchObject({originalAvailable: true, clusters: ['impress-sandbox available [impress-sandbox-rollback-T-reader-1 available, impress-sandbox-rollback-T-writer available] from impress-sandbox-before-rollback-T', expect.stringMatching(/^impress-sandbox-before-rollback-T available/)]})
    expect(report.runs.map((r) => [r.step, r.outcome, r.note])).toEqual([[5, 'resumed', '']])
  })

  it('drill: killed while restoring into the scratch database, the next drill cleans up after it and passes (not "scratch target is not empty", exit 3)', async () => {
    // found by the campaign: a killed drill left the scratch database filled and every later drill missed
    // (record 8: the Firebase restore into the scratch database is under way)
    const report = await killCampaign(sb, drillScenario, {steps: (n) => n === 8, maxSteps: 8})
    expect(report.expected).toMatchObject({clusters: ['impress-sandbox available [impress-sandbox-replica-1 available, impress-sandbox-writer available]'], originalAvailable: true})
    // the next drill itself must pass (before the fix it exited 3), whatever the killed one's cluster looked like at the kill
    expect(report.runs.map((r) => [r.step, r.outcome, r.rerunExitCode])).toEqual([[8, 'resumed', 0]])
  })
})
