/** runRotate through its ports: the real Auth0 SDK and the real Secrets Manager client over HTTP against the sandbox. */
import {GetSecretValueCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Auth0Adapter} from '../../src/lib/platform/auth0/management.js'
import {SecretsManagerStore} from '../../src/lib/platform/aws/secrets.js'
import {parseRolesFile} from '../../src/lib/roles/file.js'
import {runRotate, type PendingStore} from '../../src/lib/roles/rotate.js'
import {SANDBOX_ROLES_YAML} from '../../src/lib/roles/sandbox-roles.js'
import {SANDBOX_AUTH0_DOMAIN as DOMAIN, SANDBOX_OPS_CLIENT_ID, SANDBOX_OPS_CLIENT_SECRET, seedTenant, type TenantState} from '../../src/lib/sandbox/services/auth0/seed.js'
import {awsTestConfig, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

let sb: TestSandbox
let sm: SecretsManagerClient
beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.0005})
  sm = new SecretsManagerClient(awsTestConfig(sb.url))
})
afterAll(async () => {
  sm?.destroy()
  await sb?.stop()
})

describe('runRotate', () => {
  it('a store failure leaves a pending rotation with what to do; the rerun rotates again, stores, verifies and reports no value', async () => {
    const tenant = sb.host.state.open<TenantState>('auth0', DOMAIN, () => seedTenant(DOMAIN)).data
    // Deterministic, not timed: the tenant refuses a new secret until the test ends its propagation,
    // which it does after the first verification attempt (was: 100 ms of propagation raced the attempts).
    tenant.secretPropagationMs = 1e12
    const adapter = new Auth0Adapter({domain: DOMAIN, clientId: SANDBOX_OPS_CLIENT_ID, clientSecret: SANDBOX_OPS_CLIENT_SECRET, sandboxUrl: sb.url})
    const verifications: boolean[] = []
    const secrets = {
      rotateSecret: (id: string) => adapter.rotateSecret(id),
      verify: async (id: string, secret: string, audience: string) => {
        if (verifications.length === 1) for (const c of tenant.clients) if (c.client_id === id) c.secret_accept_at = 0
        const ok = await adapter.verify(id, secret, audience)
        verifications.push(ok)
        return ok
      },
    }
    const real = new SecretsManagerStore(async () => sm)
    let failures = 1
    const store = {current: (id: string) => real.current(id), put: (id: string, v: string, token: string) => (failures-- > 0 ? Promise.reject(new Error('AccessDeniedException: not allowed')) : real.put(id, v, token))}
    const marks = new Map<string, Record<string, unknown>>()
    const pending: PendingStore = {list: () => [...marks.keys()], mark: (a, info) => void marks.set(a, info), clear: (a) => void marks.delete(a)}
    const seen: string[] = []
    const deps = {tenant: adapter, secrets, store, pending, onSecret: (v: string) => void seen.push(v), defaultAudience: adapter.managementAudience}
    const file = parseRolesFile(SANDBOX_ROLES_YAML, 'roles.yaml')

    const error = await runRotate({file, verifyWindowMs: 5000, verifyIntervalMs: 20}, deps).then(() => undefined, (e: Error & {code?: string; hint?: string}) => e)
    expect(error?.code).toBe('E_ROTATE_NOT_STORED')
    expect(error?.message).toContain('could not store it in the Secrets Manager secret impress/sandbox/auth0-backend: AccessDeniedException')
    expect(error?.hint).toContain('run `impress roles rotate` again')
    expect(marks.get('backend')).toMatchObject({client: 'impress-backend', clientId: 'backend-m2m', secretId: 'impress/sandbox/auth0-backend'})
    expect(JSON.stringify([...marks.values()])).not.toContain(seen[0])
    // The expired grants went first.
    const after = await adapter.readTenant()
    const eve = after.users.find((u) => u.email === 'eve@impress.example')!
    expect(after.roles.find((r) => r.name === 'etl-operator')!.members).not.toContain(eve.userId)

    const result = await runRotate({file, verifyWindowMs: 60_000, verifyIntervalMs: 20}, deps)
    expect(result.expired).toEqual([])
    expect(result.rotated).toHaveLength(1)
    const r = result.rotated[0]
    expect(r).toMatchObject({application: 'backend', clientId: 'backend-m2m', verified: true, completedPending: true})
    // the first attempt was refused (propagating), the second accepted
    expect(r.verifyAttempts).toBe(2)
    expect(verifications).toEqual([false, true])
    expect(marks.size).toBe(0)
    expect(seen).toHaveLength(2)
    const stored = await sm.send(new GetSecretValueCommand({SecretId: 'impress/sandbox/auth0-backend'}))
    expect(stored.VersionId).toBe(r.versionId)
    expect(JSON.parse(stored.SecretString!)).toEqual({clientId: 'backend-m2m', clientSecret: seen[1]})
    for (const s of seen) expect(JSON.stringify(result)).not.toContain(s)
  })
})
