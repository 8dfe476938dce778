// Integration: the platform adapters drive the real SDKs over HTTP against the sandbox.
import {IAMClient} from '@aws-sdk/client-iam'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {GithubAdapter} from '../../src/lib/platform/github/org.js'
import {CloudflareAdapter} from '../../src/lib/platform/cloudflare/members.js'
import {GoogleAdapter} from '../../src/lib/platform/google/directory.js'
import {IamAdapter} from '../../src/lib/platform/aws/iam.js'
import {GITHUB_SANDBOX_MEMBER_TOKEN, GITHUB_SANDBOX_TOKEN} from '../../src/lib/sandbox/services/github/seed.js'
import {CLOUDFLARE_SANDBOX_ACCOUNT, CLOUDFLARE_SANDBOX_TOKEN, cloudflareMember, type CloudflareState} from '../../src/lib/sandbox/services/cloudflare/seed.js'
import {GOOGLE_SANDBOX_TOKEN} from '../../src/lib/sandbox/services/google/seed.js'
import {iamUser, type IamState} from '../../src/lib/sandbox/services/iam/seed.js'
import {awsTestConfig, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'
import {getJson} from '../helpers/http.js'

let sb: TestSandbox
const counts = async (service: string) => (await getJson(`${sb.url}/_sandbox/requests?service=${service}`)).counts[service] ?? {}

beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.0005})
})
afterAll(async () => sb.stop())
beforeEach(async () => {
  await fetch(`${sb.url}/_sandbox/reset`, {method: 'POST'})
})

describe('GitHub adapter (@octokit/rest)', () => {
  it('pages members through the Link header and reads 2FA with an owner token', async () => {
    const gh = new GithubAdapter({token: GITHUB_SANDBOX_TOKEN, org: 'impress', baseUrl: `${sb.url}/github`, pageSize: 2})
    const snap = await gh.snapshot()
    expect(snap.accounts.filter((a) => a.mfa === false).map((a) => a.id).sort()).toEqual(['bob-imp', 'impress-deploy-bot'])
    expect(snap.accounts.find((a) => a.id === 'mallory-x')).toMatchObject({notes: ['outside collaborator'], mfa: true})
    // 6 members / 2 per page = 3 pages; 2 with 2FA off = 1 page; 1 collaborator (all + 2fa filter) = 2.
    expect(await counts('github')).toEqual({'orgs/list-members': 4, 'orgs/list-outside-collaborators': 2})
    expect((await gh.userKeys('dave-imp'))!.length).toBe(2)
    expect(await gh.userKeys('nobody-here')).toBeNull()
  })

  it('a non-owner token gets 403 on filter=2fa_disabled: the 2FA state is unknown, never assumed', async () => {
    const gh = new GithubAdapter({token: GITHUB_SANDBOX_MEMBER_TOKEN, org: 'impress', baseUrl: `${sb.url}/github`})
    const snap = await gh.snapshot()
    expect(snap.accounts.length).toBe(6)
    expect(snap.accounts.every((a) => a.mfa === null && /owner/.test(a.mfaUnknownReason ?? ''))).toBe(true)
    expect(snap.notes?.join(' ')).toMatch(/owner/)
  })

  it('retries the secondary rate limit (429 with retry-after)', async () => {
    await fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({service: 'github', kind: 'throttle', times: 2, retryAfter: 1})})
    const gh = new GithubAdapter({token: GITHUB_SANDBOX_TOKEN, org: 'impress', baseUrl: `${sb.url}/github`, timeScale: 0.01})
    const snap = await gh.snapshot()
    expect(snap.accounts.length).toBe(7)
    const log = (await getJson(`${sb.url}/_sandbox/requests?service=github&log=1`)).log
    expect(log.filter((l: {status: number}) => l.status === 429).length).toBe(2)
  })
})

describe('IAM adapter (@aws-sdk/client-iam)', () => {
  it('reads the credential report CSV, root MFA, leavers\' keys, and users created after the report', async () => {
    const client = new IAMClient(awsTestConfig(sb.url))
    const iam = new IamAdapter({client, timeScale: 0.0005, pageSize: 2})
    const first = await iam.snapshot({leavers: ['eve']})
    expect(first.root).toEqual({mfa: false})
    expect(first.generatedAt).toMatch(/^\d{4}-/)
    expect(first.accounts.map((a) => [a.id, a.mfa])).toEqual([
      ['alice', true],
      ['ci-deploy', 'n/a'],
      ['dave', false],
      ['eve', 'n/a'],
      ['temp-contractor', false],
    ])
    expect(first.accounts.find((a) => a.id === 'eve')!.notes).toEqual(['access key AKIAEVEXXXXX00000001 active'])
    // A user created after the (reused, up to 4 h old) report is read one by one.
    const st = sb.host.state.open<IamState>('iam', 'account', () => ({}) as IamState)
    st.data.users.push(iamUser('frank', {console: true, mfa: true}))
    await fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})
    const second = await iam.snapshot({leavers: []})
    expect(second.accounts.find((a) => a.id === 'frank')).toMatchObject({mfa: true})
    const c = await counts('iam')
    expect(c).toMatchObject({ListUsers: 3, ListMFADevices: 1, GetLoginProfile: 1, GenerateCredentialReport: 1, GetCredentialReport: 1, GetAccountSummary: 1})
    client.destroy()
  })
})

describe('Cloudflare adapter (cloudflare SDK)', () => {
  it('walks result_info pages and reads two-factor status; the v4 error envelope surfaces', async () => {
    const st = sb.host.state.open<CloudflareState>('cloudflare', 'accounts', () => ({}) as CloudflareState)
    for (let i = 0; i < 8; i++) st.data.accounts[0].members.push(cloudflareMember(`extra${i}@impress.example`, i % 2 === 0, 100 + i))
    const cf = new CloudflareAdapter({token: CLOUDFLARE_SANDBOX_TOKEN, accountId: CLOUDFLARE_SANDBOX_ACCOUNT, baseURL: `${sb.url}/cloudflare/client/v4`, pageSize: 5})
    const snap = await cf.snapshot()
    expect(snap.accounts.length).toBe(12)
    expect(snap.accounts.find((a) => a.id === 'carol@impress.example')!.mfa).toBe(false)
    expect(await counts('cloudflare')).toEqual({'accounts.members.list': 3})
    const bad = new CloudflareAdapter({token: 'wrong', accountId: CLOUDFLARE_SANDBOX_ACCOUNT, baseURL: `${sb.url}/cloudflare/client/v4`, maxRetries: 0})
    await expect(bad.snapshot()).rejects.toThrow(/Authentication error/)
  })
})

describe('Google adapter (@googleapis/admin)', () => {
  it('pages users by pageToken; isEnrolledIn2Sv and suspended', async () => {
    const g = new GoogleAdapter({customer: 'my_customer', accessToken: GOOGLE_SANDBOX_TOKEN, rootUrl: `${sb.url}/google/`, pageSize: 2})
    const snap = await g.snapshot()
    expect(snap.accounts.map((a) => [a.id, a.mfa, a.active])).toEqual([
      ['alice@impress.example', true, true],
      ['carol@impress.example', true, true],
      ['dave@impress.example', true, true],
      ['eve@impress.example', true, false],
      ['mallory@impress.example', false, true],
    ])
    expect(await counts('google')).toEqual({'directory.users.list': 3})
  })
})
