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

describe('rollback interrupted, inspected, resumed or aborted through the CLI', () => {
  const cli = (args: string[]) => runCli(args, {env: sb.env, cwd: sb.cwd})
  const startAndWaitFor = async (step: string, time: string) => {
    const child = execa(process.execPath, [BIN, 'aurora', 'rollback', '--to-time', time, '--yes'], {cwd: sb.cwd, env: {...sb.env, CI: 'true'}, reject: false})
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline && !journals(sb)[0]?.steps.some((s) => s.name === step && s.status === 'done')) await sleep(5)
    return {child} // wrapped: the subprocess is a thenable an async function would await
  }

  it('Ctrl-C stops cleanly (exit 130); --status shows the next step; a rerun without --to-time resumes to the end', async () => {
    await fresh(sb)
    const time = new Date(Date.now() - 3_600_000).toISOString()
    const {child} = await startAndWaitFor('restore-cluster', time)
    child.kill('SIGINT')
    const first = await child
    expect(first.exitCode).toBe(130)
    expect(first.stderr).toMatch(/stopping cleanly/)
    const st = JSON.parse((await cli(['aurora', 'rollback', '--status', '--json'])).stdout)
    expect(st.journal.status).toBe('running')
    expect(st.next).toMatch(/^(create-instances|wait-restored|check-restored|rename-original)$/)
    expect(st.lock).toBeUndefined()
    const other = await cli(['aurora', 'rollback', '--to-time', new Date(Date.now() - 7_200_000).toISOString(), '--yes'])
    expect(other.exitCode).toBe(4)
    expect(other.stderr).toMatch(/unfinished rollback/)
    const resumed = await cli(['aurora', 'rollback', '--yes', '--json'])
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    expect(JSON.parse(resumed.stdout)).toMatchObject({resumed: true, targetTime: time, endpointUnchanged: true})
    expect((await rdsCounts(sb)).RestoreDBClusterToPointInTime).toBe(1)
  })

  it('kill -9 after the original was renamed aside, then --abort: the original is back under its name, the restored one deleted', async () => {
    await fresh(sb)
    const original = (await clusters(sb)).find((c) => c.id === 'impress-sandbox')!
    const {child} = await startAndWaitFor('rename-original', new Date(Date.now() - 3_600_000).toISOString())
    child.kill('SIGKILL')
    await child
    const noYes = await cli(['aurora', 'rollback', '--abort'])
    expect(noYes.exitCode).toBe(4)
    const r = await cli(['aurora', 'rollback', '--abort', '--yes', '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc.actions.join('\n')).toMatch(/deleted the restored cluster/)
    const live = (await clusters(sb)).filter((c) => c.status !== 'deleting')
    expect(live.map((c) => [c.id, c.resourceId])).toEqual([['impress-sandbox', original.resourceId]])
    expect(live[0].instances.map((i) => i.id)).toEqual(['impress-sandbox-writer', 'impress-sandbox-replica-1'])
    expect(journals(sb).map((j) => j.status)).toEqual(['aborted'])
    const snaps = JSON.parse((await cli(['aurora', 'snapshots', '--json'])).stdout).snapshots
    expect(snaps.some((s: {id: string; tags: Record<string, string>}) => s.id.includes('before-rollback') && s.tags.keep === 'true')).toBe(true)
  })
})
