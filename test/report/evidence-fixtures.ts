/** Healthy monitoring and encryption evidence for the report's unit tests (the claims of issue 21). */
import type {EncryptionEvidence, MonitoringEvidence} from '../../src/lib/report/evidence.js'

export function healthyMonitoring(now: Date, over: Partial<MonitoringEvidence> = {}): MonitoringEvidence {
  const at = (ms: number) => new Date(now.getTime() - ms).toISOString()
  return {
    modules: [{module: 'pdf', function: 'impress-pdf', group: '/aws/lambda/impress-pdf'}],
    plan: {
      topic: {name: 'impress-incidents', arn: 'arn:aws:sns:eu-west-1:1:impress-incidents', exists: true},
      alarms: {missing: [], changed: [], extra: [], unchanged: 4},
      filters: {missing: [], changed: [], unchanged: 1},
      retention: [],
      subscriptions: {missing: [], unconfirmed: [], confirmed: 1},
      drift: false,
      summary: {changes: 0},
    },
    email: 'support@x.example',
    subscriptions: [{protocol: 'email', endpoint: 'support@x.example', confirmed: true}],
    logGroups: [{name: '/aws/lambda/impress-pdf', retentionInDays: 30}],
    lastTest: {module: 'pdf', alias: 'monitor-test-1', alarm: 'impress/pdf/errors', failedAt: at(3600_000), detectedAt: at(3590_000), notifiedAt: at(3580_000), timeToDetectMs: 10_000, timeToNotifyMs: 20_000, targetMs: 300_000, notifyTarget: 'email:support@x.example', notification: 'received', cleanedUp: true, ok: true, finishedAt: at(3570_000)},
    ...over,
  }
}

export function healthyEncryption(over: Partial<EncryptionEvidence> = {}): EncryptionEvidence {
  return {
    aurora: {cluster: 'db', storageEncrypted: true, kmsKeyId: 'arn:aws:kms:eu-west-1:1:key/a'},
    lambda: [{module: 'pdf', function: 'impress-pdf', kmsKeyArn: 'arn:aws:kms:eu-west-1:1:key/b'}],
    buckets: [{name: 'impress-backups', algorithm: 'AES256'}],
    ...over,
  }
}
