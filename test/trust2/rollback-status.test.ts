/**
 * `aurora rollback --status` on a rollback killed with SIGKILL after a journaled step: it says
 * INTERRUPTED, gives the exact command that resumes it (which runs and finishes the rollback),
 * and names who holds the lock (user, host, pid, since) with "stale" since that pid is gone.
 */
import os from 'node:os'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, runCli} from '../helpers/cli.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {fresh, journals, sleep} from '../aurora/helpers.js'

let sb: TestSandbox
beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.0005})
})
afterAll(async () => {
  await sb.stop()
})

describe('aurora rollback --status on a killed rollback', () => {
  const cli = (args: string[]) => runCli(args, {env: sb.env, cwd: sb.cwd})

  it('says interrupted, how to resume (a command that works), and who holds the lock, stale', async () => {
    await fresh(sb)
    const time = new Date(Date.now() - 3_600_000).toISOString()
    const child = execa(process.execPath, [BIN, 'aurora', 'rollback', '--to-time', time, '--yes'], {cwd: sb.cwd, env: {...sb.env, CI: 'true'}, reject: false})
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline && !journals(sb)[0]?.steps.some((s) => s.name === 'restore-cluster' && s.status === 'done')) await sleep(5)
    child.kill('SIGKILL')
    const killed = await child
    expect(killed.signal).toBe('SIGKILL')

    const st = await cli(['aurora', 'rollback', '--status', '--json'])
    expect(st.exitCode, st.stderr).toBe(0)
    const doc = JSON.parse(st.stdout)
    expect(doc.state).toBe('interrupted')
    expect(doc.journal.status).toBe('running')
    expect(doc.next).toBeTruthy()
    expect(doc.lock).toMatchObject({pid: child.pid, host: os.hostname(), user: os.userInfo().username, stale: true, otherHost: false})
    expect(Date.parse(doc.lock.since)).toBeGreaterThan(Date.now() - 600_000)
    expect(doc.resume.command).toBe('impress aurora rollback --env sandbox --yes')

    const human = await cli(['aurora', 'rollback', '--status'])
    expect(human.exitCode).toBe(0)
    expect(human.stdout).toMatch(/INTERRUPTED/)
    expect(human.stdout).toContain(`pid ${child.pid}`)
    expect(human.stdout).toMatch(/STALE/)
    expect(human.stdout).toContain(`since ${doc.lock.since}`)
    expect(human.stdout).toContain('Resume: `impress aurora rollback --env sandbox --yes`')

    // The resume command it names exists and finishes the rollback.
    const resumed = await cli([...doc.resume.command.split(' ').slice(1), '--json'])
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    expect(JSON.parse(resumed.stdout)).toMatchObject({resumed: true, targetTime: time})
    const after = JSON.parse((await cli(['aurora', 'rollback', '--status', '--json'])).stdout)
    expect(after.state).toBe('done')
    expect(after.lock).toBeUndefined()
    expect(after.resume).toBeUndefined()
  }, 240_000)

  it('a live rollback is running, not interrupted, and its lock is not stale', async () => {
    await fresh(sb)
    const child = execa(process.execPath, [BIN, 'aurora', 'rollback', '--to-time', new Date(Date.now() - 3_600_000).toISOString(), '--yes'], {cwd: sb.cwd, env: {...sb.env, CI: 'true'}, reject: false})
    try {
      const deadline = Date.now() + 30_000
      while (Date.now() < deadline && !journals(sb)[0]?.steps.some((s) => s.name === 'safety-snapshot' && s.status === 'done')) await sleep(5)
      const doc = JSON.parse((await cli(['aurora', 'rollback', '--status', '--json'])).stdout)
      // It may have finished meanwhile on a fast machine; while it runs it is never "interrupted".
      expect(['running', 'done']).toContain(doc.state)
      if (doc.state === 'running') expect(doc.lock).toMatchObject({pid: child.pid, stale: false})
    } finally {
      child.kill('SIGKILL')
      await child
    }
  }, 120_000)
})
