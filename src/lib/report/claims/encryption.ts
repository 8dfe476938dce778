/**
 * Data encrypted at rest (issue 21): Aurora storage encryption, the Lambda environment under a
 * customer managed KMS key, S3 default encryption, as AWS reports them (evidence.ts). In transit
 * (HTTPS only) is the hosting.https-only claim's; this one says so rather than check it twice.
 */
import type {ClaimDefinition} from '../types.js'

export const encryptionClaims: ClaimDefinition[] = [
  {
    id: 'data.encryption',
    section: 'Database',
    sentence: () => 'Data is encrypted at rest: Aurora storage is encrypted, Lambda environment variables are under a KMS key, every S3 bucket has default encryption.',
    rerun: 'impress report security --format json',
    async check(ports) {
      const e = await ports.encryption()
      const facts = [
        ...(e.aurora ? [`Aurora ${e.aurora.cluster}: ${e.aurora.storageEncrypted ? `storage encrypted${e.aurora.kmsKeyId ? ` (${e.aurora.kmsKeyId})` : ''}` : 'storage NOT encrypted'}`] : ['Aurora: not configured here']),
        ...e.lambda.map((l) => `${l.module}: environment ${l.kmsKeyArn ? `under ${l.kmsKeyArn}` : 'under the default AWS managed key, no customer managed KMS key'}`),
        ...e.buckets.map((b) => `s3://${b.name}: ${b.algorithm ? `default encryption ${b.algorithm}${b.kmsKeyId ? ` (${b.kmsKeyId})` : ''}` : 'NO default encryption'}`),
        'in transit: HTTPS only is the hosting.https-only claim',
      ]
      const problems = [
        ...(e.aurora && !e.aurora.storageEncrypted ? [`Aurora ${e.aurora.cluster} storage is not encrypted`] : []),
        ...(e.lambda.some((l) => !l.kmsKeyArn) ? [`no KMS key on the environment of ${e.lambda.filter((l) => !l.kmsKeyArn).map((l) => l.module).join(', ')}`] : []),
        ...(e.buckets.some((b) => !b.algorithm) ? [`no default encryption on ${e.buckets.filter((b) => !b.algorithm).map((b) => b.name).join(', ')}`] : []),
      ]
      return problems.length === 0
        ? {status: 'holds', detail: `${e.aurora ? 'Aurora storage, ' : ''}${e.lambda.length} Lambda environment(s) and ${e.buckets.length} S3 bucket(s) encrypted at rest (in transit: see hosting.https-only)`, facts}
        : {status: 'fails', detail: problems.join('; '), facts}
    },
  },
]
