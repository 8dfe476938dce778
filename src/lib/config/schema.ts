/**
 * The shape of impress.config.yaml, as zod schemas. The JSON Schema in
 * schema/impress.config.schema.json is generated from `configSchema` (npm run schema);
 * a test fails when it is stale.
 */
import ms from 'ms'
import {z} from 'zod'
import {ACCESS_DEFAULTS} from '../access/defaults.js'

/** A plain value or a reference `env:NAME`, resolved when it is used (see secret-ref.ts). */
export const secretRef = z
  .string()
  .min(1)
  // "env:" followed by anything but a variable name is a typo, not a literal value (found by the bad-input sweep, issue 17).
  .refine((v) => !v.startsWith('env:') || /^env:[A-Za-z_][A-Za-z0-9_]*$/.test(v), 'expected env:NAME with NAME a variable name (letters, digits, "_"; not starting with a digit)')
  .describe('A value, or env:NAME to read the environment variable NAME when the value is used')

export const duration = z
  .string()
  .refine((v) => {
    const n = ms(v as ms.StringValue)
    return typeof n === 'number' && Number.isFinite(n) && n > 0
  }, 'expected a duration such as 90s, 15m, 4h or 7d')
  .describe('A duration such as 90s, 15m, 4h or 7d')

const identifier = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected letters, digits, ".", "_" or "-"')

export const sandboxSection = z
  .object({
    url: z.url().optional().describe('URL of a running sandbox; default: the per-user sandbox, started on demand'),
    stateDir: z.string().optional().describe('State directory of the sandbox started on demand'),
  })
  .strict()
  .describe('Target the local sandbox platform instead of the cloud')

export const awsSection = z
  .object({
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected an AWS region such as eu-west-1'),
    profile: z.string().optional().describe('AWS profile (standard credential chain otherwise)'),
    endpoint: z.url().optional().describe('Override every AWS endpoint (for a local stand-in)'),
  })
  .strict()

export const lambdaModule = z
  .object({
    function: z.string().min(1).describe('Lambda function name'),
    build: z.string().optional().describe('Shell command that builds the module'),
    inputs: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Files the build reads (globs relative to the configuration file). With them, a build whose inputs, command and artifact are unchanged since its last success is skipped'),
    artifact: z.string().optional().describe('Path of the built artifact (zip file or directory)'),
    smoke: z
      .object({payload: z.unknown().optional(), timeout: duration.optional()})
      .strict()
      .optional(),
  })
  .strict()

export const lambdaSection = z
  .object({
    alias: identifier.default('live'),
    modules: z.record(identifier, lambdaModule),
    keepVersions: z.number().int().positive().optional(),
    requestsPerSecond: z.number().positive().max(15).default(10).describe('Control-plane request budget'),
    canaryProbe: z
      .enum(['auto', 'cloudwatch', 'invoke'])
      .default('auto')
      .describe("How a canary's errors are checked: CloudWatch Errors/Invocations of the version behind the alias, or smoke invokes of the version; auto = cloudwatch in AWS, invoke in the sandbox"),
  })
  .strict()

export const auroraSection = z
  .object({
    cluster: identifier,
    retentionDays: z.number().int().positive().max(35).default(7),
    maxReplicaLagMs: z.number().int().positive().default(1000),
    keepNewest: z.number().int().nonnegative().default(1),
  })
  .strict()

export const firebaseSection = z
  .object({
    projectId: identifier,
    databaseURL: z.url().optional(),
    credentials: secretRef.optional().describe('Path of a service-account JSON file (or env:NAME)'),
    backups: z.string().default('./backups'),
    firestore: z
      .object({
        exportBucket: z.string().regex(/^gs:\/\/[a-z0-9][a-z0-9._-]+[a-z0-9](\/.*)?$/, 'expected gs://BUCKET[/PATH]').optional().describe('Cloud Storage location of managed exports (firebase backup --managed): each backup writes to <exportBucket>/<backup id>'),
        managedAboveBytes: z.number().int().positive().optional().describe('Firestore backups of a database estimated above this size use the managed export (needs exportBucket); the estimate is documents (count queries) × estimatedDocumentBytes'),
        estimatedDocumentBytes: z.number().int().positive().default(1024).describe('Average document size used for the size estimate'),
      })
      .strict()
      .optional()
      .describe('Firestore managed export (exportDocuments) settings'),
  })
  .strict()

export const auth0Section = z
  .object({
    domain: z.string().min(3),
    clientId: secretRef,
    clientSecret: secretRef,
    roles: z.string().default('./roles.yaml'),
  })
  .strict()

export const complianceSection = z
  .object({
    roster: z.string().default('./team.yaml').describe('Path of team.yaml, relative to the config file'),
    aws: z.boolean().default(true).describe('Check AWS IAM with the aws section\'s credentials'),
    github: z
      .object({org: z.string().min(1), token: secretRef.optional().describe('Default: env GITHUB_TOKEN'), baseUrl: z.url().optional().describe('GitHub Enterprise API root')})
      .strict()
      .optional(),
    cloudflare: z.object({accountId: secretRef, token: secretRef.optional().describe('Default: env CLOUDFLARE_API_TOKEN')}).strict().optional(),
    google: z
      .object({
        customer: z.string().default('my_customer'),
        credentials: secretRef.optional().describe('Service-account key file (domain-wide delegation)'),
        subject: z.email().optional().describe('Admin the service account acts as'),
        accessToken: secretRef.optional().describe('An OAuth2 access token instead of credentials'),
      })
      .strict()
      .optional(),
    auth0: z.object({connection: z.string().default('impress-staff')}).strict().optional().describe('Staff connection (uses the auth0 section)'),
  })
  .strict()

export const drillSection = z
  .object({
    rto: duration.default('4h'),
    rpo: duration.default('15m'),
    verify: z.array(z.string().min(1)).default([]),
    firebaseTarget: z.string().min(1).optional().describe('Scratch Realtime Database (URL or name) the drill restores into; it must be empty and is emptied afterwards'),
    firestoreTarget: z.string().min(1).optional().describe('Scratch Firestore database id (in the firebase project) the drill restores the newest Firestore backup into, client-side or managed; it must be empty and is emptied afterwards'),
    outOfScope: z
      .array(z.enum(['aurora', 'firebase', 'firestore', 'lambda', 'monitoring']))
      .default([])
      .describe('Configured systems the drill deliberately does not rehearse: reported as out of scope instead of failing the drill (exit 3)'),
  })
  .strict()

export const notifySection = z
  .object({
    webhook: secretRef.optional(),
    email: z.email().optional(),
    smtp: secretRef.optional().describe('SMTP URL, e.g. smtp://user:pass@host:587 (use env:NAME)'),
  })
  .strict()

export const frontendSection = z
  .object({
    host: z.enum(['github-pages', 'vercel']).default('github-pages').describe('Where the built frontend is published: a GitHub Pages deploy branch, or Vercel production deployments'),
    repo: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'expected owner/name').optional().describe('GitHub repository (owner/name) whose deploy branch GitHub Pages serves (host: github-pages)'),
    branch: z.string().min(1).default('gh-pages').describe('Deploy branch'),
    dir: z.string().default('./build').describe('Built files to publish, relative to the config file'),
    token: secretRef.optional().describe('GitHub token with contents:write (default: env GITHUB_TOKEN); host vercel: a Vercel access token (default: env VERCEL_TOKEN)'),
    baseUrl: z.url().optional().describe('GitHub Enterprise API root'),
    vercel: z
      .object({
        project: z.string().min(1).describe('Vercel project id (prj_…) or name'),
        teamId: z.string().min(1).optional().describe('Team the project belongs to (team_…)'),
        baseUrl: z.url().optional().describe('Vercel API root (default https://api.vercel.com)'),
      })
      .strict()
      .optional()
      .describe('The Vercel project (host: vercel)'),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.host === 'github-pages' && !f.repo) ctx.addIssue({code: 'custom', path: ['repo'], message: 'expected owner/name (required when host is github-pages)'})
    if (f.host === 'vercel' && !f.vercel) ctx.addIssue({code: 'custom', path: ['vercel'], message: 'expected {project, teamId?} (required when host is vercel)'})
  })

export const edgeSection = z
  .object({
    hostnames: z.array(z.string().regex(/^[a-z0-9.-]+$/i, 'expected a hostname')).min(1).describe('Hostnames that must be HTTPS-only'),
    cloudflare: z.object({token: secretRef.optional().describe('API token with Zone Settings Read and Analytics Read (default: env CLOUDFLARE_API_TOKEN)')}).strict().optional(),
    minTls: z.enum(['1.2', '1.3']).default('1.2').describe('Lowest acceptable Cloudflare minimum TLS version'),
    expiryDays: z.number().int().positive().default(14).describe('A certificate expiring within this many days fails the check'),
    probe: z
      .object({
        ca: z.string().optional().describe('Extra CA certificate (PEM file) the probe trusts, besides the system roots'),
        resolve: z.record(z.string(), z.string()).optional().describe('hostname → IP address the probe connects to instead of DNS (like curl --resolve)'),
        httpPort: z.number().int().positive().default(80),
        httpsPort: z.number().int().positive().default(443),
      })
      .strict()
      .optional(),
  })
  .strict()
export const monitoringSection = z
  .object({
    topic: identifier.default('impress-incidents').describe('SNS topic every alarm notifies'),
    email: z.email().optional().describe('Address subscribed to the topic (default: notify.email; support@impress.example in the sandbox)'),
    webhook: secretRef.optional().describe('HTTPS endpoint subscribed to the topic (env:NAME allowed)'),
    prefix: z.string().min(1).max(100).default('impress/').describe('Alarm name prefix marking the alarms impress manages'),
    period: z.number().int().refine((v) => v === 10 || v === 30 || (v >= 60 && v % 60 === 0), 'expected 10, 30 or a multiple of 60 seconds').default(60).describe('Alarm period, seconds'),
    evaluationPeriods: z.number().int().min(1).max(100).default(1),
    durationRatio: z.number().gt(0).max(1).default(0.8).describe('The Duration alarm fires at this fraction of the function timeout'),
    errorPattern: z.string().min(1).default('?ERROR ?Exception ?"Task timed out"').describe('CloudWatch Logs filter pattern of the per-module metric filter'),
    namespace: z.string().min(1).default('Impress/Logs').describe('Namespace of the metric filters'),
    retentionDays: z.number().int().positive().optional().describe('Log retention (days) `monitor apply` sets on each module log group (default 30)'),
    test: z
      .object({
        payload: z.unknown().default({fail: true}).describe('Event that makes the module fail (monitor test)'),
        timeout: duration.default('10m').describe('How long monitor test waits for the alarm and the notification (scaled by the sandbox time scale)'),
        target: duration.default('5m').describe('Time to notify the rehearsal must beat'),
      })
      .strict()
      .default({payload: {fail: true}, timeout: '10m', target: '5m'}),
  })
  .strict()
  .describe('Alarms as code: impress monitor plan / apply / status / test')
const accessRoles = z.array(z.enum(['developer', 'admin', 'ops'])).min(1)
const unixUser = z.string().regex(/^[a-z_][a-z0-9_-]*[$]?$/, 'expected a Unix user name')

export const accessSection = z
  .object({
    ssh: z
      .object({
        user: unixUser.default(ACCESS_DEFAULTS.ssh.user).describe('The SSH user on the compute hosts'),
        roles: accessRoles.default(ACCESS_DEFAULTS.ssh.roles).describe('Roster roles whose GitHub keys may log in as that user'),
      })
      .strict()
      .optional(),
    sftp: z
      .object({
        user: unixUser.default(ACCESS_DEFAULTS.sftp.user).describe('The SFTP user on the filesystem host'),
        roles: accessRoles.default(ACCESS_DEFAULTS.sftp.roles).describe('Roster roles whose GitHub keys may log in as that user'),
        chroot: z.string().startsWith('/').default(ACCESS_DEFAULTS.sftp.chroot).describe('ChrootDirectory of the SFTP user (root-owned)'),
      })
      .strict()
      .optional(),
    commandUser: unixUser.default(ACCESS_DEFAULTS.commandUser).describe('AuthorizedKeysCommandUser: the user sshd runs `impress access authorized-keys` as'),
    keys: z
      .object({
        refresh: duration.default(ACCESS_DEFAULTS.keys.refresh).describe('Keys younger than this are answered from the local cache without asking GitHub'),
        maxStale: duration.default(ACCESS_DEFAULTS.keys.maxStale).describe('When GitHub is unreachable, answer from a cache at most this old (older: no key)'),
      })
      .strict()
      .optional(),
    maxRevocations: z.number().int().positive().default(ACCESS_DEFAULTS.maxRevocations).describe('Most members `impress access revoke` removes at once'),
    revokeWithinDays: z.number().int().min(0).default(ACCESS_DEFAULTS.revokeWithinDays).describe("A leaver's access must be revoked within this many days after their last day (0: on the day); the security report's access.revocation claim checks it"),
  })
  .strict()
  .describe('Access lifecycle: SSH/SFTP users fed from GitHub keys, offboarding (docs/access.md)')

export const auditSection = z
  .object({
    path: z.string().optional().describe('Where the audit log is kept (default: .impress/audit.jsonl beside this file)'),
    key: z
      .string()
      .regex(/^[A-Za-z0-9/_+=.@:-]{1,2048}$/, 'expected a Secrets Manager secret name or ARN')
      .optional()
      .describe('Secrets Manager secret (name or ARN) holding the HMAC key that signs each entry and the head; default in a sandbox environment: impress/audit/hmac'),
    anchor: z
      .object({
        bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name').describe('S3 bucket that receives the signed heads (write-once keys; use a bucket with Object Lock)'),
        prefix: z.string().default('audit/').describe('Key prefix of the anchors'),
        interval: duration.default('1h').describe('Anchor at least this often (and after every destructive command)'),
        retainDays: z.number().int().positive().max(36500).optional().describe('Object Lock retention (COMPLIANCE mode) asked for each anchor; the bucket must have Object Lock enabled'),
      })
      .strict()
      .optional()
      .describe('Where signed heads are anchored outside the machine; default in a sandbox environment: the sandbox bucket impress-audit-anchors'),
  })
  .strict()
  .describe('The audit log of mutating commands (see docs/audit.md)')
export const ownerEntry = z
  .object({
    area: z.string().min(1).describe('What this person is in charge of (e.g. "Security and access administration")'),
    owner: z.email().describe('E-mail of the person in charge (a member of the compliance roster)'),
    name: z.string().min(1).optional().describe('Their name, as the security document shows it'),
    deputy: z.email().optional().describe('E-mail of the person who stands in for them'),
  })
  .strict()

export const ownersSection = z.array(ownerEntry).min(1).describe('Company structure: who is in charge of what (the security report states it)')

export const environmentSchema = z
  .object({
    protected: z.boolean().optional().describe('A production environment: deploys ask for confirmation like rollbacks (without a terminal, --yes is required; exit 4 otherwise)'),
    sandbox: sandboxSection.optional(),
    aws: awsSection.optional(),
    lambda: lambdaSection.optional(),
    aurora: auroraSection.optional(),
    firebase: firebaseSection.optional(),
    auth0: auth0Section.optional(),
    compliance: complianceSection.optional(),
    drill: drillSection.optional(),
    notify: notifySection.optional(),
    access: accessSection.optional(),
    owners: ownersSection.optional(),
    frontend: frontendSection.optional(),
    edge: edgeSection.optional(),
    monitoring: monitoringSection.optional(),
  })
  .strict()

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    defaultEnvironment: identifier.optional().describe('Environment used when --env is not given'),
    audit: auditSection.optional(),
    environments: z.record(identifier, environmentSchema).refine((v) => Object.keys(v).length > 0, 'expected at least one environment'),
  })
  .strict()

export type ImpressConfig = z.infer<typeof configSchema>
export type EnvironmentConfig = z.infer<typeof environmentSchema>

export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, {io: 'input', unrepresentable: 'any'}) as Record<string, unknown>
  return {
    ...schema,
    $id: 'https://impress.example/schema/impress.config.schema.json',
    title: 'impress.config.yaml',
  }
}
