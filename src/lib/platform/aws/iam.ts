/**
 * AWS IAM adapter over @aws-sdk/client-iam. The accounts come from the credential report
 * (GenerateCredentialReport until COMPLETE, then GetCredentialReport: one CSV for every
 * user), whose generation time is reported because AWS may hand out one up to 4 h old.
 * Users created since the report (ListUsers) are read one by one (ListMFADevices,
 * GetLoginProfile); leavers' access keys are listed (ListAccessKeys); root MFA comes from
 * GetAccountSummary.
 */
import type {AwsClientConfig} from './client-config.js'
import type {IAMClient} from '@aws-sdk/client-iam'
import type {AccountSource, SnapshotRequest} from '../../compliance/ports.js'
import type {ServiceAccount, ServiceSnapshot} from '../../compliance/types.js'
import {awsSdk} from './sdk.js'
import type {AccessWriter, Grant} from '../../access/ports.js'

export interface IamOptions {
  client: IAMClient
  /** Multiplies the polling delay (sandbox time scale; 1 in the cloud). */
  timeScale?: number
  pageSize?: number
  /** Give up waiting for the report after this many polls. */
  maxPolls?: number
}

export interface CredentialReportRow {
  user: string
  arn: string
  passwordEnabled: boolean | null
  mfaActive: boolean
  accessKey1Active: boolean
  accessKey2Active: boolean
}

/** Parse the credential report CSV (header row names the columns). */
export function parseCredentialReport(csv: string): CredentialReportRow[] {
  const lines = csv.split(/\r?\n/).filter((l) => l.length > 0)
  if (lines.length === 0) return []
  const head = lines[0].split(',')
  const col = (name: string) => {
    const i = head.indexOf(name)
    if (i < 0) throw new Error(`credential report has no column ${name}`)
    return i
  }
  const c = {user: col('user'), arn: col('arn'), pw: col('password_enabled'), mfa: col('mfa_active'), k1: col('access_key_1_active'), k2: col('access_key_2_active')}
  return lines.slice(1).map((l) => {
    const f = l.split(',')
    return {
      user: f[c.user],
      arn: f[c.arn],
      passwordEnabled: f[c.pw] === 'true' ? true : f[c.pw] === 'false' ? false : null,
      mfaActive: f[c.mfa] === 'true',
      accessKey1Active: f[c.k1] === 'true',
      accessKey2Active: f[c.k2] === 'true',
    }
  })
}

/** The adapter on the context's IAM client (the SDK is imported here, not by the capability). */
export async function createIamAdapter(ctx: {aws<C extends {destroy(): void}>(Ctor: new (config: AwsClientConfig) => C): Promise<C>}, timeScale: number): Promise<IamAdapter> {
  const {IAMClient} = awsSdk('@aws-sdk/client-iam')
  return new IamAdapter({client: await ctx.aws(IAMClient), timeScale})
}

export class IamAdapter implements AccountSource, AccessWriter {
  readonly service = 'aws' as const
  constructor(private readonly options: IamOptions) {}

  async snapshot(request: SnapshotRequest): Promise<ServiceSnapshot> {
    const iam = awsSdk('@aws-sdk/client-iam')
    const client = this.options.client
    const [report, users, summary] = await Promise.all([this.credentialReport(), this.listUsers(), client.send(new iam.GetAccountSummaryCommand({}))])
    const rows = parseCredentialReport(report.csv)
    // A report may be hours old: a user deleted since (access revoke) holds nothing and is left out.
    const live = new Set(users)
    const byUser = new Map(rows.filter((r) => r.user !== '<root_account>' && live.has(r.user)).map((r) => [r.user, r]))
    const accounts: ServiceAccount[] = []
    const notes: string[] = []
    const later = users.filter((u) => !byUser.has(u))
    if (later.length > 0) notes.push(`${later.length} user(s) created after the credential report were read one by one`)
    for (const r of byUser.values()) {
      const n: string[] = []
      if (r.passwordEnabled) n.push('console password')
      if (r.accessKey1Active || r.accessKey2Active) n.push(`${Number(r.accessKey1Active) + Number(r.accessKey2Active)} active access key(s)`)
      accounts.push({id: r.user, active: true, mfa: r.passwordEnabled ? r.mfaActive : 'n/a', notes: n})
    }
    await Promise.all(
      later.map(async (user) => {
        const [mfa, profile] = await Promise.all([
          client.send(new iam.ListMFADevicesCommand({UserName: user})),
          client.send(new iam.GetLoginProfileCommand({UserName: user})).then(
            () => true,
            (e: {name?: string}) => {
              if (e.name === 'NoSuchEntityException' || e.name === 'NoSuchEntity') return false
              throw e
            },
          ),
        ])
        accounts.push({id: user, active: true, mfa: profile ? (mfa.MFADevices ?? []).length > 0 : 'n/a', notes: profile ? ['console password'] : []})
      }),
    )
    const leavers = new Set(request.leavers.map((l) => l.toLowerCase()))
    await Promise.all(
      accounts
        .filter((a) => leavers.has(a.id.toLowerCase()))
        .map(async (a) => {
          const keys = await client.send(new iam.ListAccessKeysCommand({UserName: a.id}))
          const active = (keys.AccessKeyMetadata ?? []).filter((k) => k.Status === 'Active').map((k) => k.AccessKeyId)
          a.notes = [...(a.notes ?? []).filter((x) => !/access key/.test(x)), ...(active.length > 0 ? [`access key ${active.join(', ')} active`] : [])]
        }),
    )
    const root = rows.find((r) => r.user === '<root_account>')
    const mfaEnabled = summary.SummaryMap?.AccountMFAEnabled
    accounts.sort((a, b) => a.id.localeCompare(b.id))
    return {
      service: this.service,
      accounts,
      root: {mfa: mfaEnabled === undefined ? (root ? root.mfaActive : null) : mfaEnabled === 1},
      generatedAt: report.generatedAt,
      notes,
    }
  }

  private async listUsers(): Promise<string[]> {
    const iam = awsSdk('@aws-sdk/client-iam')
    const out: string[] = []
    for await (const page of iam.paginateListUsers({client: this.options.client, pageSize: this.options.pageSize ?? 100}, {})) {
      for (const u of page.Users ?? []) if (u.UserName) out.push(u.UserName)
    }
    return out
  }

  private async credentialReport(): Promise<{csv: string; generatedAt?: string}> {
    const iam = awsSdk('@aws-sdk/client-iam')
    const client = this.options.client
    const scale = this.options.timeScale ?? 1
    const maxPolls = this.options.maxPolls ?? 60
    for (let poll = 0; ; poll++) {
      const g = await client.send(new iam.GenerateCredentialReportCommand({}))
      if (g.State === 'COMPLETE') break
      if (poll >= maxPolls) throw new Error('the IAM credential report was not ready in time')
      await new Promise((r) => setTimeout(r, Math.max(1, Math.round(2000 * scale))))
    }
    for (let poll = 0; ; poll++) {
      try {
        const r = await client.send(new iam.GetCredentialReportCommand({}))
        return {csv: Buffer.from(r.Content ?? new Uint8Array()).toString('utf8'), generatedAt: r.GeneratedTime?.toISOString()}
      } catch (error) {
        if ((error as {name?: string}).name !== 'ReportInProgressException' && (error as {name?: string}).name !== 'ReportInProgress') throw error
        if (poll >= maxPolls) throw error
        await new Promise((r) => setTimeout(r, Math.max(1, Math.round(2000 * scale))))
      }
    }
  }

  /** What the user holds, in the order AWS requires before DeleteUser (id_users_remove.html); the user itself last. */
  async grants(user: string): Promise<Grant[]> {
    const iam = awsSdk('@aws-sdk/client-iam')
    const c = this.options.client
    const notFound = (e: {name?: string}) => e.name === 'NoSuchEntityException' || e.name === 'NoSuchEntity'
    const all = async <T>(fn: (Marker?: string) => Promise<{items: T[]; IsTruncated?: boolean; Marker?: string}>): Promise<T[]> => {
      const out: T[] = []
      for (let marker: string | undefined, first = true; first || marker; first = false) {
        const r = await fn(marker)
        out.push(...r.items)
        marker = r.IsTruncated ? r.Marker : undefined
      }
      return out
    }
    try {
      const [keys, profile, mfa, groups, attached, inline] = await Promise.all([
        all(async (Marker) => {
          const r = await c.send(new iam.ListAccessKeysCommand({UserName: user, Marker}))
          return {items: r.AccessKeyMetadata ?? [], IsTruncated: r.IsTruncated, Marker: r.Marker}
        }),
        c.send(new iam.GetLoginProfileCommand({UserName: user})).then(
          () => true,
          (e: {name?: string}) => {
            if (notFound(e)) return false
            throw e
          },
        ),
        all(async (Marker) => {
          const r = await c.send(new iam.ListMFADevicesCommand({UserName: user, Marker}))
          return {items: r.MFADevices ?? [], IsTruncated: r.IsTruncated, Marker: r.Marker}
        }),
        all(async (Marker) => {
          const r = await c.send(new iam.ListGroupsForUserCommand({UserName: user, Marker}))
          return {items: r.Groups ?? [], IsTruncated: r.IsTruncated, Marker: r.Marker}
        }),
        all(async (Marker) => {
          const r = await c.send(new iam.ListAttachedUserPoliciesCommand({UserName: user, Marker}))
          return {items: r.AttachedPolicies ?? [], IsTruncated: r.IsTruncated, Marker: r.Marker}
        }),
        all(async (Marker) => {
          const r = await c.send(new iam.ListUserPoliciesCommand({UserName: user, Marker}))
          return {items: r.PolicyNames ?? [], IsTruncated: r.IsTruncated, Marker: r.Marker}
        }),
      ])
      const g = (kind: string, id: string, action: string): Grant => ({service: 'aws', account: user, kind, id, action})
      return [
        ...keys.map((k) => g('access-key', k.AccessKeyId!, `delete access key ${k.AccessKeyId} (${k.Status})`)),
        ...(profile ? [g('login-profile', user, 'delete the console password (login profile)')] : []),
        ...mfa.map((d) => g('mfa-device', d.SerialNumber!, `deactivate MFA device ${d.SerialNumber}`)),
        ...groups.map((x) => g('group', x.GroupName!, `remove from group ${x.GroupName}`)),
        ...attached.map((x) => g('attached-policy', x.PolicyArn!, `detach policy ${x.PolicyName}`)),
        ...inline.map((n) => g('inline-policy', n, `delete inline policy ${n}`)),
        g('user', user, `delete IAM user ${user}`),
      ]
    } catch (error) {
      if (notFound(error as {name?: string})) return []
      throw error
    }
  }

  async revoke(grant: Grant): Promise<void> {
    const iam = awsSdk('@aws-sdk/client-iam')
    const c = this.options.client
    const UserName = grant.account
    const commands: Record<string, () => object> = {
      'access-key': () => new iam.DeleteAccessKeyCommand({UserName, AccessKeyId: grant.id}),
      'login-profile': () => new iam.DeleteLoginProfileCommand({UserName}),
      'mfa-device': () => new iam.DeactivateMFADeviceCommand({UserName, SerialNumber: grant.id}),
      group: () => new iam.RemoveUserFromGroupCommand({UserName, GroupName: grant.id}),
      'attached-policy': () => new iam.DetachUserPolicyCommand({UserName, PolicyArn: grant.id}),
      'inline-policy': () => new iam.DeleteUserPolicyCommand({UserName, PolicyName: grant.id}),
      user: () => new iam.DeleteUserCommand({UserName}),
    }
    const make = commands[grant.kind]
    if (!make) throw new Error(`unknown IAM grant kind ${grant.kind}`)
    try {
      await c.send(make() as Parameters<typeof c.send>[0])
    } catch (error) {
      const name = (error as {name?: string}).name
      if (name !== 'NoSuchEntityException' && name !== 'NoSuchEntity') throw error
    }
  }
}
