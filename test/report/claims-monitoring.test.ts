/** The claims of issue 21 (incidents.alarms, logs.searchable, data.encryption) on in-memory evidence: each way they fail. */
import {describe, expect, it} from 'vitest'
import {encryptionClaims} from '../../src/lib/report/claims/encryption.js'
import {monitoringClaims} from '../../src/lib/report/claims/monitoring.js'
import type {EncryptionEvidence, MonitoringEvidence} from '../../src/lib/report/evidence.js'
import type {ReportPorts} from '../../src/lib/report/ports.js'
import type {ClaimDefinition, ReportSettings} from '../../src/lib/report/types.js'
import {healthyEncryption, healthyMonitoring} from './evidence-fixtures.js'

const NOW = new Date('2026-12-03T12:00:00Z')
const settings: ReportSettings = {environment: 'test', modules: ['pdf'], alias: 'live', maxReplicaLagMs: 1000, retentionDays: 7, revokeWithinDays: 1}
const claim = (id: string): ClaimDefinition => [...monitoringClaims, ...encryptionClaims].find((c) => c.id === id)!
const withMonitoring = (m: MonitoringEvidence) => ({monitoring: async () => m}) as unknown as ReportPorts
const withEncryption = (e: EncryptionEvidence) => ({encryption: async () => e}) as unknown as ReportPorts
const base = healthyMonitoring(NOW)

describe('incidents.alarms', () => {
  const check = (m: MonitoringEvidence) => claim('incidents.alarms').check(withMonitoring(m), settings, NOW)

  it('holds with every alarm, a confirmed support@ subscription and a rehearsal notified within target', async () => {
    expect(await check(base)).toMatchObject({status: 'holds', detail: '1 module(s) alarmed, routed to support@x.example; the last rehearsal was notified in 20.0s (target 5m0s)'})
  })

  it('fails on missing alarms, an unconfirmed subscription, no rehearsal, a late or lost notification, an old rehearsal', async () => {
    const cases: [MonitoringEvidence, RegExp][] = [
      [{...base, plan: {...base.plan, alarms: {...base.plan.alarms, missing: [{name: 'impress/pdf/errors', module: 'pdf', kind: 'errors'}]}}}, /alarms missing or drifted for pdf/],
      [{...base, subscriptions: [{protocol: 'email', endpoint: 'support@x.example', confirmed: false}]}, /subscription to impress-incidents is not confirmed/],
      [{...base, subscriptions: []}, /support@x.example is not subscribed/],
      [{...base, lastTest: undefined}, /no incident rehearsal has run/],
      [{...base, lastTest: {...base.lastTest!, timeToNotifyMs: 400_000}}, /notified after 6m40s, over its 5m0s target/],
      [{...base, lastTest: {...base.lastTest!, timeToNotifyMs: undefined, notification: 'not received'}}, /notification was not received/],
      [{...base, lastTest: {...base.lastTest!, finishedAt: new Date(NOW.getTime() - 100 * 86_400_000).toISOString()}}, /more than 90 days/],
    ]
    for (const [m, why] of cases) expect(await check(m)).toMatchObject({status: 'fails', detail: expect.stringMatching(why)})
  })
})

describe('logs.searchable', () => {
  const check = (m: MonitoringEvidence) => claim('logs.searchable').check(withMonitoring(m), settings, NOW)
  it('holds with a group and a retention per module; fails naming the groups kept forever or missing', async () => {
    expect((await check(base)).status).toBe('holds')
    expect(await check({...base, logGroups: [{name: '/aws/lambda/impress-pdf'}]})).toMatchObject({status: 'fails', detail: 'no retention set on pdf (impress monitor apply sets it)'})
    expect(await check({...base, logGroups: []})).toMatchObject({status: 'fails', detail: 'no log group for pdf'})
  })
})

describe('data.encryption', () => {
  const check = (e: EncryptionEvidence) => claim('data.encryption').check(withEncryption(e), settings, NOW)
  it('holds when Aurora, every Lambda environment and every bucket are encrypted; says in transit is another claim', async () => {
    const v = await check(healthyEncryption())
    expect(v).toMatchObject({status: 'holds', detail: expect.stringContaining('in transit: see hosting.https-only')})
  })
  it('fails naming each unencrypted part', async () => {
    expect((await check(healthyEncryption({aurora: {cluster: 'db', storageEncrypted: false}}))).detail).toBe('Aurora db storage is not encrypted')
    expect((await check(healthyEncryption({lambda: [{module: 'pdf', function: 'impress-pdf'}, {module: 'etl', function: 'impress-etl', kmsKeyArn: 'k'}]}))).detail).toBe('no KMS key on the environment of pdf')
    expect(await check(healthyEncryption({buckets: [{name: 'old-bucket'}]}))).toMatchObject({status: 'fails', detail: 'no default encryption on old-bucket'})
  })
})
