import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROLLBACK_STEPS} from '../../src/lib/aurora/rollback.js'
import {BIN, runCli} from '../helpers/cli.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {clusters, fresh, journals, rdsCounts, sleep} from './helpers.js'

let sb: TestSandbox
beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.0005})
})
afterAll(async () => {
  await sb.stop()
})

describe('rollback killed with SIGKILL after each step, then rerun', () => {
  it.each(ROLLBACK_STEPS.map((s) => [s]))('after %s: the rerun finishes with exactly one restored cluster, the original aside, the identifiers right', async (step) => {
    await fresh(sb)
    const original = (await clusters(sb)).find((c) => c.id === 'impress-sandbox')!
    const time = new Date(Date.now() - 2 * 3_600_000).toISOString()
    const child = execa(process.execPath, [BIN, 'aurora', 'rollback', '--to-time', time, '--yes'], {cwd: sb.cwd, env: {...sb.env, CI: 'true'}, reject: false})
    let exited = false
    void child.finally(() => {
      exited = true
    })
    const deadline = Date.now() + 30_000
    let killedAt: string | undefined
    while (!exited && Date.now() < deadline) {
      const j = journals(sb)[0]
      if (j?.steps.some((s) => s.name === step && s.status === 'done')) {
        child.kill('SIGKILL')
        killedAt = j.steps.filter((s) => s.status === 'done').map((s) => s.name).at(-1)
        break
      }
      await sleep(5)
    }
    const first = await child
    // Killed (unless the last step finished and the process exited on its own).
    if (step !== 'verify') {
      expect(first.signal).toBe('SIGKILL')
      // killed no earlier than the end of `step` (the journal is written before the next step starts)
      expect(ROLLBACK_STEPS.indexOf(killedAt as (typeof ROLLBACK_STEPS)[number])).toBeGreaterThanOrEqual(ROLLBACK_STEPS.indexOf(step))
    }

    const rerun = await runCli(['aurora', 'rollback', '--to-time', time, '--yes', '--json'], {env: sb.env, cwd: sb.cwd})
    expect(rerun.exitCode, rerun.stderr).toBe(0)
    const doc = JSON.parse(rerun.stdout)
    expect(doc.resumed).toBe(true)

    const after = await clusters(sb)
    expect(after).toHaveLength(2)
    const current = after.find((c) => c.id === 'impress-sandbox')!
    const aside = after.find((c) => c.id === doc.aside)!
    expect(aside.resourceId).toBe(original.resourceId)
    expect(aside.instances.map((i) => i.id)).toEqual(original.instances.map((i) => i.id))
    expect(current.resourceId).not.toBe(original.resourceId)
    expect(current.restoredFrom).toMatchObject({resourceId: original.resourceId, time})
    expect(current.instances.map((i) => i.status)).toEqual(['available', 'available'])
    const counts = await rdsCounts(sb)
    expect(counts).toMatchObject({RestoreDBClusterToPointInTime: 1, CreateDBClusterSnapshot: 1, CreateDBInstance: 2, ModifyDBCluster: 2})
    expect(journals(sb).map((j) => j.status)).toEqual(['done'])
  })
})
