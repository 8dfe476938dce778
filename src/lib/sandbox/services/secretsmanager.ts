/**
 * AWS Secrets Manager, JSON protocol 1.1 (https://docs.aws.amazon.com/secretsmanager/latest/apireference/):
 * CreateSecret, DescribeSecret, GetSecretValue, PutSecretValue, ListSecrets. Versions carry the
 * AWSCURRENT / AWSPREVIOUS stages. See SPEC.md next to this file.
 */
import {randomUUID} from 'node:crypto'
import type {ServiceFactory, SandboxRequest} from '../types.js'
import {jsonTarget, renderAwsJsonFault, sendAwsJson, sendAwsJsonError} from '../aws/json-protocol.js'
import {AwsFault} from '../aws/query.js'
import {SANDBOX_ACCOUNT} from './sts.js'
import {SANDBOX_AUDIT_KEY} from '../../config/constants.js'

/** The demo platform's audit signing key: fixed, so `sandbox reset` keeps old entries verifiable (a real key is 32 random bytes). */
const SANDBOX_AUDIT_HMAC = 'sandbox-audit-hmac-7f3a9c1e5b2d48e6a0c4f81d29b7e5a3'
const SANDBOX_AUDIT_HMAC_VERSION = '5a1d0c3e-8b7f-4e2a-9c6d-0f4b3a2e1d9c'

interface SecretVersion {
  id: string
  value: string
  created: number
  stages: string[]
}
interface Secret {
  name: string
  arn: string
  description?: string
  tags: {Key: string; Value: string}[]
  created: number
  changed: number
  versions: SecretVersion[]
}
interface SecretsState {
  secrets: Secret[]
}

const REGION = 'eu-west-1'

function seed(): SecretsState {
  const now = Date.now() / 1000
  const mk = (name: string, value: string, description: string, versionId: string = randomUUID()): Secret => ({
    name,
    arn: `arn:aws:secretsmanager:${REGION}:${SANDBOX_ACCOUNT}:secret:${name}-${randomUUID().slice(0, 6)}`,
    description,
    tags: [{Key: 'app', Value: 'impress'}],
    created: now,
    changed: now,
    versions: [{id: versionId, value, created: now, stages: ['AWSCURRENT']}],
  })
  return {
    secrets: [
      mk('impress/sandbox/auth0-backend', JSON.stringify({clientId: 'backend-m2m', clientSecret: 'sandbox-initial-secret-0001'}), 'Auth0 M2M credentials read by the backend'),
      mk(SANDBOX_AUDIT_KEY, SANDBOX_AUDIT_HMAC, 'HMAC key that signs the impress audit log (docs/audit.md)', SANDBOX_AUDIT_HMAC_VERSION),
    ],
  }
}

export const secretsManagerService: ServiceFactory = (ctx) => {
  const db = () => ctx.state.open<SecretsState>('secretsmanager', 'secrets', seed)
  const find = (id: unknown): Secret => {
    if (typeof id !== 'string' || id.length === 0) throw new AwsFault(400, 'InvalidParameterException', 'You must specify a SecretId.')
    const s = db().data.secrets.find((x) => x.name === id || x.arn === id)
    if (!s) throw new AwsFault(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.")
    return s
  }
  const addVersion = (s: Secret, value: string, token?: string): SecretVersion => {
    const id = token ?? randomUUID()
    const existing = s.versions.find((v) => v.id === id)
    if (existing) {
      if (existing.value !== value) throw new AwsFault(400, 'ResourceExistsException', 'A version with this ClientRequestToken already exists with different contents.')
      return existing
    }
    for (const v of s.versions) {
      v.stages = v.stages.filter((st) => st !== 'AWSPREVIOUS')
      if (v.stages.includes('AWSCURRENT')) v.stages = [...v.stages.filter((st) => st !== 'AWSCURRENT'), 'AWSPREVIOUS']
    }
    s.versions = s.versions.filter((v) => v.stages.length > 0)
    const now = Date.now() / 1000
    const version: SecretVersion = {id, value, created: now, stages: ['AWSCURRENT']}
    s.versions.push(version)
    s.changed = now
    return version
  }
  const handlers: Record<string, (body: Record<string, unknown>) => unknown> = {
    CreateSecret(b) {
      const name = b.Name
      if (typeof name !== 'string' || !/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name)) throw new AwsFault(400, 'InvalidParameterException', 'Invalid name.')
      if (db().data.secrets.some((s) => s.name === name)) throw new AwsFault(400, 'ResourceExistsException', `The operation failed because the secret ${name} already exists.`)
      const now = Date.now() / 1000
      const s: Secret = {
        name,
        arn: `arn:aws:secretsmanager:${REGION}:${SANDBOX_ACCOUNT}:secret:${name}-${randomUUID().slice(0, 6)}`,
        description: typeof b.Description === 'string' ? b.Description : undefined,
        tags: Array.isArray(b.Tags) ? (b.Tags as {Key: string; Value: string}[]) : [],
        created: now,
        changed: now,
        versions: [],
      }
      db().data.secrets.push(s)
      const out: Record<string, unknown> = {ARN: s.arn, Name: s.name}
      if (typeof b.SecretString === 'string') out.VersionId = addVersion(s, b.SecretString, b.ClientRequestToken as string | undefined).id
      db().save()
      return out
    },
    DescribeSecret(b) {
      const s = find(b.SecretId)
      return {
        ARN: s.arn,
        Name: s.name,
        Description: s.description,
        CreatedDate: s.created,
        LastChangedDate: s.changed,
        Tags: s.tags,
        VersionIdsToStages: Object.fromEntries(s.versions.map((v) => [v.id, v.stages])),
      }
    },
    GetSecretValue(b) {
      const s = find(b.SecretId)
      const stage = typeof b.VersionStage === 'string' ? b.VersionStage : 'AWSCURRENT'
      const v = typeof b.VersionId === 'string' ? s.versions.find((x) => x.id === b.VersionId) : s.versions.find((x) => x.stages.includes(stage))
      if (!v) throw new AwsFault(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret value for the given version or stage.")
      return {ARN: s.arn, Name: s.name, VersionId: v.id, SecretString: v.value, VersionStages: v.stages, CreatedDate: v.created}
    },
    PutSecretValue(b) {
      const s = find(b.SecretId)
      if (typeof b.SecretString !== 'string') throw new AwsFault(400, 'InvalidParameterException', 'You must provide SecretString or SecretBinary.')
      const v = addVersion(s, b.SecretString, b.ClientRequestToken as string | undefined)
      db().save()
      return {ARN: s.arn, Name: s.name, VersionId: v.id, VersionStages: v.stages}
    },
    ListSecrets(b) {
      const max = typeof b.MaxResults === 'number' ? Math.min(100, Math.max(1, b.MaxResults)) : 100
      const start = typeof b.NextToken === 'string' ? Number.parseInt(b.NextToken, 10) || 0 : 0
      const all = db().data.secrets
      const page = all.slice(start, start + max)
      return {
        SecretList: page.map((s) => ({ARN: s.arn, Name: s.name, Description: s.description, LastChangedDate: s.changed, Tags: s.tags})),
        NextToken: start + max < all.length ? String(start + max) : undefined,
      }
    },
  }
  return {
    name: 'secretsmanager',
    matches: (req: SandboxRequest) => req.awsService === 'secretsmanager' || jsonTarget(req)?.prefix === 'secretsmanager',
    operation: (req) => jsonTarget(req)?.operation ?? 'Unknown',
    handle(req, res) {
      const op = jsonTarget(req)?.operation ?? ''
      const h = handlers[op]
      if (!h) {
        sendAwsJsonError(res, 400, 'UnknownOperationException', `Unknown operation ${op}`)
        return
      }
      try {
        sendAwsJson(res, 200, h(req.json<Record<string, unknown>>()))
      } catch (error) {
        if (error instanceof AwsFault) sendAwsJsonError(res, error.status, error.code, error.message)
        else throw error
      }
    },
    renderError: (_req, res, error) => renderAwsJsonFault(res, error),
    seed: () => void db(),
    describe: () => ({secrets: db().data.secrets.map((s) => s.name)}),
  }
}
