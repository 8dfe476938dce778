import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import type {AuroraPort} from '../../src/lib/aurora/ports.js'
import {runRestore} from '../../src/lib/aurora/restore.js'
import {abortRollback, rollbackStatus, runRollback, type RollbackDeps} from '../../src/lib/aurora/rollback.js'
import {runStatus} from '../../src/lib/aurora/status.js'
import {runSnapshot, listSnapshotRows} from '../../src/lib/aurora/snapshots.js'
import {Lock} from '../../src/lib/journal/journal.js'
import {createCloudWatchPort} from '../../src/lib/platform/aws/cloudwatch.js'
import {createRdsPort, WAIT_MIN_DELAY_S} from '../../src/lib/platform/aws/rds.js'
import {getJson} from '../helpers/http.js'
import {awsTestConfig, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

const SCALE = 0.0005
let sb: TestSandbox
let aurora: AuroraPort
const clients: {destroy(): void}[] = []
const adapterDeps = () => ({
  aws: async <C extends {destroy(): void}>(Ctor: new (c: ReturnType<typeof awsTestConfig>) => C) => {
    const c = new Ctor(awsTestConfig(sb.url))
    clients.push(c)
    return c
  },
  timeScale: async () => SCALE,
})

beforeAll(async () => {
  sb = await startTestSandbox({timeScale: SCALE})
  aurora = await createRdsPort(adapterDeps())
})
afterAll(async () => {
  for (const c of clients) c.destroy()
  await sb.stop()
})
beforeEach(async () => {
  sb.host.reset()
})

interface LogEntry {
  operation: string
  time: string
  status: number
}
const log = async (): Promise<LogEntry[]> => (await getJson(`${sb.url}/_sandbox/requests?log=1&service=rds`)).log

describe('Aurora capabilities over the real SDK against the sandbox', () => {
  it('status: instances, replica lag from CloudWatch, window, snapshots; a tight lag policy is a violation', async () => {
    const metrics = await createCloudWatchPort(adapterDeps())
    const s = await runStatus({cluster: 'impress-sandbox', policy: {retentionDays: 7, maxReplicaLagMs: 1000}}, {aurora, metrics})
    expect(s.ok).toBe(true)
    expect(s.instances.map((i) => [i.id, i.role])).toEqual([
      ['impress-sandbox-writer', 'writer'],
      ['impress-sandbox-replica-1', 'reader'],
    ])
    expect(s.instances[1].lagMs).toBeGreaterThan(300)
    expect(s.newestAutomated!.ageHours).toBeLessThan(25)
    expect(s.newestManual!.id).toMatch(/^impress-impress-sandbox-\d{8}-\d{6}$/)
    const strict = await runStatus({cluster: 'impress-sandbox', policy: {retentionDays: 14, maxReplicaLagMs: 100}}, {aurora, metrics})
    expect(strict.ok).toBe(false)
    expect(strict.violations.join('\n')).toMatch(/replica lag of impress-sandbox-replica-1 is \d+ ms \(max 100 ms\)/)
    expect(strict.violations.join('\n')).toMatch(/backup retention is 7 days \(policy 14\)/)
    const broken = await runStatus({cluster: 'impress-sandbox', policy: {retentionDays: 7, maxReplicaLagMs: 1000}}, {aurora, metrics: {replicaLagMs: () => Promise.reject(new Error('AccessDenied'))}})
    expect(broken.violations).toEqual(['replica lag unavailable: AccessDenied'])
    expect(broken.instances).toHaveLength(2)
  })

  it('snapshot: named and tagged, waits with at most one describe per 5 scaled seconds', async () => {
    const t0 = Date.now()
    const r = await runSnapshot({cluster: 'impress-sandbox', tags: {reason: 'test'}, actor: 'tester', wait: true}, {aurora})
    const elapsed = Date.now() - t0
    expect(r).toMatchObject({status: 'available', tags: {reason: 'test', 'created-by': 'tester', 'created-with': 'impress'}})
    const rows = await listSnapshotRows('impress-sandbox', {aurora})
    expect(rows[0]).toMatchObject({id: r.id, type: 'manual', status: 'available'})
    const describes = (await log()).filter((l) => l.operation === 'DescribeDBClusterSnapshots').length
    expect(describes).toBeLessThanOrEqual(Math.ceil(elapsed / (WAIT_MIN_DELAY_S * 1000 * SCALE)) + 2)
    expect(describes).toBeGreaterThanOrEqual(2)
  })

  it('restore: a new cluster with instances like the source (writer first), everything available, config identical', async () => {
    const at = new Date(Date.now() - 3_600_000).toISOString()
    const r = await runRestore({source: 'impress-sandbox', target: 'check-copy', from: {time: at}}, {aurora})
    expect(r.differences).toEqual([])
    expect(r.instances.map((i) => [i.id, i.role, i.instanceClass, i.status])).toEqual([
      ['check-copy-writer', 'writer', 'db.r6g.large', 'available'],
      ['check-copy-reader-1', 'reader', 'db.r6g.large', 'available'],
    ])
    expect(r.endpoints.writer).toMatch(/^check-copy\.cluster-/)
    const ops = (await log()).map((l) => l.operation)
    expect(ops.filter((o) => o === 'RestoreDBClusterToPointInTime')).toHaveLength(1)
    expect(ops.indexOf('CreateDBInstance')).toBeGreaterThan(ops.indexOf('RestoreDBClusterToPointInTime'))
    // The restored cluster got the source's groups (not AWS's defaults) because impress passed them.
    const c = await aurora.getCluster('check-copy')
    expect(c).toMatchObject({parameterGroup: 'impress-aurora-mysql8', subnetGroup: 'impress-private', deletionProtection: true})
  })

  it('restore from a snapshot: refuses a missing snapshot (exit 2), then restores a manual one', async () => {
    await expect(runRestore({source: 'impress-sandbox', target: 'from-snap', from: {snapshot: 'no-such-snapshot'}}, {aurora})).rejects.toMatchObject({exitCode: 2})
    const manual = (await listSnapshotRows('impress-sandbox', {aurora})).find((s) => s.type === 'manual')!
    const r = await runRestore({source: 'impress-sandbox', target: 'from-snap', from: {snapshot: manual.id}}, {aurora})
    expect(r.differences).toEqual([])
    const platform = await getJson(`${sb.url}/_sandbox/platform`)
    expect(platform.rds.clusters.find((c: {id: string}) => c.id === 'from-snap').restoredFrom).toMatchObject({snapshot: manual.id})
    expect((await log()).filter((l) => l.operation === 'RestoreDBClusterFromSnapshot')).toHaveLength(1)
  })

  it('restore: an adapter that drops the instance parameter group (the classic trap) fails the comparison', async () => {
    const trap: AuroraPort = {...aurora, createInstance: (spec) => aurora.createInstance({...spec, parameterGroup: undefined})}
    const err = await runRestore({source: 'impress-sandbox', target: 'trap-copy', from: {latest: true}}, {aurora: trap}).catch((e: unknown) => e)
    expect(err).toMatchObject({code: 'E_RESTORE_DIFFERS', exitCode: 1})
    expect((err as Error).message).toContain('instances[0].parameterGroup: expected impress-aurora-mysql8-instance, got default.aurora-mysql8.0')
  })

  describe('rollback', () => {
    let dataDir: string
    beforeEach(() => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aurora-rb-'))
      return () => fs.rmSync(dataDir, {recursive: true, force: true})
    })
    const deps = (over: Partial<RollbackDeps> = {}): RollbackDeps => ({aurora, dataDir, actor: 'tester', confirm: async () => {}, ...over})

    it('a second rollback while the lock is held is refused (exit 4) naming the holder', async () => {
      const lock = Lock.acquire(dataDir, 'aurora-rollback-impress-sandbox', 'x')
      try {
        const err = await runRollback({cluster: 'impress-sandbox', time: new Date(Date.now() - 3_600_000)}, deps()).catch((e: unknown) => e)
        expect(err).toMatchObject({exitCode: 4, code: 'E_LOCKED'})
        expect((err as Error).message).toMatch(/already running: locked by .* \(pid \d+\)/)
      } finally {
        lock.release()
      }
    })

    it('a crash between the two renames, then --abort: the original gets its name back, the restored cluster is deleted', async () => {
      let renames = 0
      const crashing: AuroraPort = {
        ...aurora,
        renameCluster: async (from, to) => {
          if (++renames === 2) throw new Error('simulated crash')
          return aurora.renameCluster(from, to)
        },
      }
      const original = (await aurora.getCluster('impress-sandbox'))!
      await expect(runRollback({cluster: 'impress-sandbox', time: new Date(Date.now() - 3_600_000)}, deps({aurora: crashing}))).rejects.toThrow(/simulated crash/)
      const st = rollbackStatus('impress-sandbox', dataDir, 'sandbox')
      expect(st.journal?.status).toBe('running')
      expect(st.next).toBe('rename-restored')
      expect(st.state).toBe('interrupted')
      expect(st.resume?.command).toBe('impress aurora rollback --env sandbox --yes')
      expect(st.lock).toBeUndefined()
      expect(await aurora.getCluster('impress-sandbox')).toBeUndefined()
      const r = await abortRollback({cluster: 'impress-sandbox'}, deps())
      expect(r.actions.join('\n')).toMatch(/renamed the original .* back to impress-sandbox/)
      expect(r.actions.join('\n')).toMatch(/deleted the restored cluster/)
      const back = (await aurora.getCluster('impress-sandbox'))!
      expect(back.resourceId).toBe(original.resourceId)
      expect(back.members.map((m) => m.id)).toEqual(['impress-sandbox-writer', 'impress-sandbox-replica-1'])
      expect(rollbackStatus('impress-sandbox', dataDir, 'sandbox').journal?.status).toBe('aborted')
      const clusters = await aurora.listClusters()
      expect(clusters.filter((c) => c.status !== 'deleting').map((c) => c.id)).toEqual(['impress-sandbox'])
    })
  })
})
