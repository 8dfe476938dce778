/**
 * The quick slice of the reliability campaign that runs in CI: `impress deploy` with a fault at
 * each of its Lambda calls that change the platform (one kind per call; the publish's answer lost
 * after it took effect), outlasting the
 * SDK's retries. Every run must complete, or stop cleanly and complete on a rerun, to the same
 * code behind the alias. The whole campaign: `npm run reliability` (docs/RELIABILITY.md).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {FAULT_KINDS, faultCampaign, tally, type FaultKind} from './harness.js'
import {deployScenario, rollbackScenario} from './scenarios.js'

let sb: TestSandbox
beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.001})
})
afterAll(async () => {
  await sb?.stop()
})

describe('reliability: faults at every call (CI slice)', {timeout: 600_000}, () => {
  it('deploy: a fault at any Lambda call completes or stops cleanly and resumes to the same code; nothing is lost', async () => {
    const mutating = ['UpdateFunctionCode', 'PublishVersion', 'UpdateAlias']
    // the publish's answer lost after it took effect, every attempt: the rerun must not publish a second version
    const kindFor: Record<string, FaultKind> = {UpdateFunctionCode: 'throttle', PublishVersion: 'drop-after', UpdateAlias: 'error'}
    let sequence: string[] = []
    const report = await faultCampaign(sb, deployScenario, {
      kinds: FAULT_KINDS.filter((k) => k !== 'slow'),
      // the calls that change the platform, one fault kind each: the campaign does every call × every kind
      pick: (index, kind, calls) => {
        sequence = calls.map((c) => c.operation)
        return kindFor[calls[index].operation] === kind
      },
      times: [6],
    })
    // the changed module's steps, in order
    expect(sequence.filter((o) => mutating.includes(o) || o === 'Invoke')).toEqual(['UpdateFunctionCode', 'PublishVersion', 'Invoke', 'UpdateAlias'])
    expect(report.expected).toMatchObject({alias: 'live', sha: expect.stringMatching(/^[A-Za-z0-9+/=]{40,}$/), versions: 4})
    expect(report.runs.map((r) => `${r.call.operation} ${r.kind}`)).toEqual(['UpdateFunctionCode throttle', 'PublishVersion drop-after', 'UpdateAlias error'])
    const lost = report.runs.filter((r) => r.outcome === 'lost')
    expect(lost, JSON.stringify(lost, null, 2)).toEqual([])
    const t = tally(report.runs)
    expect(t.runs).toBe(3)
    // faults that outlast the SDK's retries stop the command cleanly, and a rerun completes (transient ones: the campaign)
    expect(t.resumed).toBe(3)
  })

  it('rollback: an alias update whose answer is lost (applied, then timed out) is finished by the rerun, not stepped back twice', async () => {
    const report = await faultCampaign(sb, rollbackScenario, {kinds: ['slow'], times: [6], pick: (index, _kind, calls) => calls[index].operation === 'UpdateAlias'})
    // found by the campaign: the rerun used to roll back from the version the lost update had applied
    expect(report.runs.map((r) => [r.call.operation, r.outcome])).toEqual([['UpdateAlias', 'resumed']])
    expect(report.runs[0].note).toMatch(/timed out/)
  })
})
