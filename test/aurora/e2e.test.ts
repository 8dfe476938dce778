import fs from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {BIN, hasStackTrace, runCli} from '../helpers/cli.js'
import {getJson} from '../helpers/http.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {clusters, fresh, journals, MUTATING, rdsCounts, sleep} from './helpers.js'

let sb: TestSandbox
const cli = (args: string[], cwd?: string) => runCli(args, {env: sb.env, cwd: cwd ?? sb.cwd})

beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.0005})
})
afterAll(async () => {
  await sb.stop()
})
beforeEach(async () => {
  await fresh(sb)
})

describe('impress aurora (end to end through bin/run.js)', () => {
  it('status --json, and --check exits 3 under a policy the cluster breaks', async () => {
    const r = await cli(['aurora', 'status', '--json'])
    expect(r.exitCode).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(Object.keys(doc).sort()).toEqual(['cluster', 'instances', 'newestAutomated', 'newestManual', 'ok', 'restoreWindow', 'violations'])
    expect(doc.instances[1]).toMatchObject({id: 'impress-sandbox-replica-1', role: 'reader', lagFlagged: false})
    const human = await cli(['aurora', 'status', '--check'])
    expect(human.exitCode).toBe(0)
    expect(human.stdout).toMatch(/restore window {2}\d{4}-.* \.\. \d{4}-/)
    expect(human.stdout).toContain('within policy')

    const dir = fs.mkdtempSync(path.join(sb.cwd, 'strict-'))
    fs.writeFileSync(path.join(dir, 'impress.config.yaml'), `environments:\n  strict:\n    sandbox: {url: "${sb.url}"}\n    aws: {region: eu-west-1}\n    aurora: {cluster: impress-sandbox, maxReplicaLagMs: 100}\n`)
    const strict = await cli(['aurora', 'status', '--check'], dir)
    expect(strict.exitCode).toBe(3)
    expect(strict.stderr).toMatch(/replica lag of impress-sandbox-replica-1 is \d+ ms \(max 100 ms\)/)
    expect(hasStackTrace(strict.stderr)).toBe(false)
  })

  it('snapshot --tag waits until available; snapshots lists it; prune plans, refuses without --yes, then deletes only what policy allows', async () => {
    const s = await cli(['aurora', 'snapshot', '--tag', 'reason=e2e check', '--json'])
    expect(s.exitCode).toBe(0)
    const snap = JSON.parse(s.stdout)
    expect(snap).toMatchObject({status: 'available', waited: true, tags: {reason: 'e2e check', 'created-with': 'impress'}})
    expect(snap.id).toMatch(/^impress-impress-sandbox-\d{8}-\d{6}$/)
    const list = JSON.parse((await cli(['aurora', 'snapshots', '--json'])).stdout)
    expect(list.snapshots[0]).toMatchObject({id: snap.id, type: 'manual'})
    expect(list.snapshots.filter((x: {type: string}) => x.type === 'automated').length).toBeGreaterThanOrEqual(7)

    const before = await rdsCounts(sb)
    const dry = await cli(['aurora', 'prune', '--dry-run', '--json'])
    expect(dry.exitCode).toBe(0)
    const plan = JSON.parse(dry.stdout).plan
    expect(plan.delete).toHaveLength(1) // the 10-day-old one; the 30-day-old is keep=true; the new one is the newest
    expect(plan.keep.map((k: {reason: string}) => k.reason).sort()).toEqual(['one of the newest 1', 'tagged keep=true'])
    const refused = await cli(['aurora', 'prune'])
    expect(refused.exitCode).toBe(4)
    expect(Object.keys(await rdsCounts(sb)).filter((op) => MUTATING.test(op) && op !== 'CreateDBClusterSnapshot')).toEqual(Object.keys(before).filter((op) => MUTATING.test(op) && op !== 'CreateDBClusterSnapshot'))
    const done = await cli(['aurora', 'prune', '--yes', '--json'])
    expect(done.exitCode).toBe(0)
    expect(JSON.parse(done.stdout).deleted).toEqual([plan.delete[0].id])
    expect((await rdsCounts(sb)).DeleteDBClusterSnapshot).toBe(1)
  })

  it('restore --to-time into a new cluster: instances like the source, all available, endpoints printed', async () => {
    const r = await cli(['aurora', 'restore', '--to-time', '90m ago', '--target', 'e2e-copy'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/configuration matches the source/)
    expect(r.stdout).toMatch(/writer endpoint {2}e2e-copy\.cluster-/)
    const copy = (await clusters(sb)).find((c) => c.id === 'e2e-copy')!
    expect(copy.instances.map((i) => [i.id, i.status, i.class])).toEqual([
      ['e2e-copy-writer', 'available', 'db.r6g.large'],
      ['e2e-copy-reader-1', 'available', 'db.r6g.large'],
    ])
    const again = await cli(['aurora', 'restore', '--latest', '--target', 'e2e-copy'])
    expect(again.exitCode).toBe(2)
    expect(again.stderr).toMatch(/already exists/)
    const both = await cli(['aurora', 'restore', '--latest', '--snapshot', 'x', '--target', 'y'])
    expect(both.exitCode).toBe(2)
  })

  it('rollback --dry-run shows the plan and makes no mutating request', async () => {
    await fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})
    const r = await cli(['aurora', 'rollback', '--to-time', '2h ago', '--dry-run', '--json'])
    expect(r.exitCode).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc).toMatchObject({dryRun: true, plan: {cluster: 'impress-sandbox', swap: {original: 'impress-sandbox'}}})
    expect(doc.plan.swap.aside).toMatch(/^impress-sandbox-before-rollback-\d{8}-\d{6}$/)
    const counts = await rdsCounts(sb)
    expect(Object.keys(counts).length).toBeGreaterThan(0)
    expect(Object.keys(counts).filter((op) => MUTATING.test(op))).toEqual([])
    expect(journals(sb)).toEqual([])
  })

  it('a time outside the restore window exits 2 naming the window; without --yes it refuses (exit 4) before any change', async () => {
    const r = await cli(['aurora', 'rollback', '--to-time', '30d ago'])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/outside the restore window of impress-sandbox: \d{4}-\d\d-\d\dT[\d:.]+Z \.\. \d{4}-\d\d-\d\dT[\d:.]+Z/)
    const noYes = await cli(['aurora', 'rollback', '--to-time', '2h ago'])
    expect(noYes.exitCode).toBe(4)
    expect(Object.keys(await rdsCounts(sb)).filter((op) => MUTATING.test(op))).toEqual([])
  })

  it('a full rollback: original kept aside, restored takes the identifier and endpoint, audited; rerun reports it done', async () => {
    const original = (await clusters(sb)).find((c) => c.id === 'impress-sandbox')!
    const time = new Date(Date.now() - 2 * 3_600_000).toISOString()
    const r = await cli(['aurora', 'rollback', '--to-time', time, '--yes', '--verify', 'test -n "$IMPRESS_DB_ENDPOINT"', '--json'])
    expect(r.exitCode).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc).toMatchObject({cluster: 'impress-sandbox', targetTime: time, endpointUnchanged: true, verification: [{exitCode: 0}]})
    expect(doc.steps.map((s: {name: string; status: string}) => `${s.name}:${s.status}`)).toEqual(['safety-snapshot', 'restore-cluster', 'create-instances', 'wait-restored', 'check-restored', 'rename-original', 'rename-restored', 'verify'].map((s) => `${s}:done`))
    const after = await clusters(sb)
    expect(after.map((c) => c.id).sort()).toEqual(['impress-sandbox', doc.aside].sort())
    const aside = after.find((c) => c.id === doc.aside)!
    expect(aside.resourceId).toBe(original.resourceId)
    expect(aside.instances.map((i) => i.id)).toEqual(['impress-sandbox-writer', 'impress-sandbox-replica-1'])
    const now = after.find((c) => c.id === 'impress-sandbox')!
    expect(now.restoredFrom).toMatchObject({resourceId: original.resourceId, time})
    expect(now.instances.every((i) => i.status === 'available')).toBe(true)
    const counts = await rdsCounts(sb)
    expect(counts).toMatchObject({RestoreDBClusterToPointInTime: 1, CreateDBClusterSnapshot: 1, CreateDBInstance: 2, ModifyDBCluster: 2})
    expect(counts.DeleteDBCluster).toBeUndefined()
    const audit = JSON.parse((await cli(['audit', 'log', '--json', '--command', 'aurora rollback'])).stdout).entries
    expect(audit.at(-1)).toMatchObject({result: 'ok', details: {cluster: 'impress-sandbox', aside: doc.aside}})

    const rerun = await cli(['aurora', 'rollback', '--to-time', time, '--yes'])
    expect(rerun.exitCode).toBe(0)
    expect(rerun.stderr).toMatch(/already completed/)
    expect((await rdsCounts(sb)).RestoreDBClusterToPointInTime).toBe(1)
    const status = await cli(['aurora', 'rollback', '--status', '--json'])
    expect(JSON.parse(status.stdout).journal.status).toBe('done')
  })

  it('a second concurrent rollback is refused with exit 4 while the first completes', async () => {
    const time = new Date(Date.now() - 3_600_000).toISOString()
    const first = execa(process.execPath, [BIN, 'aurora', 'rollback', '--to-time', time, '--yes'], {cwd: sb.cwd, env: {...sb.env, CI: 'true'}, reject: false})
    const deadline = Date.now() + 20_000
    while (journals(sb).length === 0 && Date.now() < deadline) await sleep(10)
    // Hold the first one still (as a slow rollback would be) while the second operator tries.
    first.kill('SIGSTOP')
    const second = await cli(['aurora', 'rollback', '--to-time', time, '--yes'])
    first.kill('SIGCONT')
    expect(second.exitCode).toBe(4)
    expect(second.stderr).toMatch(/already running: locked by .* \(pid \d+\)/)
    const r = await first
    expect(r.exitCode).toBe(0)
    expect((await rdsCounts(sb)).RestoreDBClusterToPointInTime).toBe(1)
  })

  it('with throttling and 5xx injected on every RDS operation, the rollback still completes', async () => {
    const ops = ['DescribeDBClusters', 'DescribeDBInstances', 'DescribeDBClusterSnapshots', 'CreateDBClusterSnapshot', 'RestoreDBClusterToPointInTime', 'CreateDBInstance', 'ModifyDBCluster']
    const add = (rule: object) => fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(rule)})
    for (const operation of ops) {
      await add({service: 'rds', operation, kind: 'throttle', times: 1, retryAfter: 0})
      await add({service: 'rds', operation, kind: 'error', status: 500, times: 1})
      await add({service: 'rds', operation, kind: 'error', status: 503, times: 1})
    }
    await add({service: 'rds', kind: 'throttle', probability: 0.02, retryAfter: 0})
    const r = await cli(['aurora', 'rollback', '--to-time', '1h ago', '--yes', '--json'])
    expect(r.exitCode).toBe(0)
    const log = (await getJson(`${sb.url}/_sandbox/requests?log=1&service=rds`)).log as {operation: string; status: number; fault?: string}[]
    for (const op of ops) {
      const statuses = log.filter((l) => l.operation === op).map((l) => l.status)
      expect(statuses.slice(0, 3)).toEqual([400, 500, 503])
    }
    const ids = (await clusters(sb)).map((c) => c.id)
    expect(ids).toHaveLength(2)
    expect(ids).toContain('impress-sandbox')
    // Every injected failure was retried, and exactly one restore went through.
    expect(log.filter((l) => l.operation === 'RestoreDBClusterToPointInTime' && l.status === 200)).toHaveLength(1)
    expect(log.filter((l) => l.fault).length).toBeGreaterThanOrEqual(ops.length * 3)
    expect((await clusters(sb)).filter((c) => c.restoredFrom)).toHaveLength(1)
  })
})
