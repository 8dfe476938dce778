/**
 * AWS IAM, query protocol (https://docs.aws.amazon.com/IAM/latest/APIReference/): the read
 * calls the compliance check makes. ListUsers (Marker/MaxItems), ListMFADevices,
 * GetLoginProfile, ListAccessKeys, GetAccountSummary, GenerateCredentialReport (STARTED →
 * COMPLETE after a simulated delay) and GetCredentialReport (a real CSV, base64 in the XML,
 * a snapshot of the users at generation time). Lists use <member>. See SPEC.md.
 */
import {SANDBOX_ACCOUNT} from '../sts.js'
import {AwsFault, list, queryAction, renderQueryFault, sendQueryError, sendQueryResult, type XmlNode} from '../../aws/query.js'
import type {SandboxRequest, ServiceContext, ServiceFactory} from '../../types.js'
import {iamCatalog} from './catalog.js'
import {demoIam, type IamState, type IamUser} from './seed.js'

const NS = 'https://iam.amazonaws.com/doc/2010-05-08/'
/** Simulated time AWS takes to produce a credential report. */
export const REPORT_GENERATION_MS = 8_000
/** A report younger than this is reused by GenerateCredentialReport (AWS: 4 hours). */
const REPORT_REUSE_MS = 4 * 3600_000

export const iamService: ServiceFactory = (ctx: ServiceContext) => {
  const store = () => ctx.state.open<IamState>('iam', 'account', demoIam)
  const user = (s: IamState, name: string | null): IamUser => {
    if (!name) throw new AwsFault(400, 'ValidationError', '1 validation error detected: Value null at \'userName\' failed to satisfy constraint: Member must not be null')
    const u = s.users.find((x) => x.UserName === name)
    if (!u) throw new AwsFault(404, 'NoSuchEntity', `The user with name ${name} cannot be found.`)
    return u
  }
  const paginate = <T>(items: T[], form: URLSearchParams): {page: T[]; IsTruncated: boolean; Marker?: string} => {
    const max = Math.min(1000, Math.max(1, Number(form.get('MaxItems') ?? 100) || 100))
    const start = form.get('Marker') ? Number(Buffer.from(form.get('Marker')!, 'base64').toString('utf8').replace(/^offset:/, '')) : 0
    if (!Number.isInteger(start) || start < 0) throw new AwsFault(400, 'ValidationError', 'Invalid Marker')
    const page = items.slice(start, start + max)
    const next = start + max
    return next < items.length ? {page, IsTruncated: true, Marker: Buffer.from(`offset:${next}`).toString('base64')} : {page, IsTruncated: false}
  }

  /** The list without the matching item (saved), or 404 NoSuchEntity when nothing matches. */
  const without = <T>(items: T[] | undefined, match: (x: T) => boolean, missing: string): T[] => {
    if (!(items ?? []).some(match)) throw new AwsFault(404, 'NoSuchEntity', missing)
    store().save()
    return (items ?? []).filter((x) => !match(x))
  }

  const handlers: Record<string, (req: SandboxRequest, s: IamState) => XmlNode | undefined> = {
    ListUsers(req, s) {
      const f = req.form()
      const prefix = f.get('PathPrefix') ?? '/'
      const p = paginate(s.users.filter((u) => u.Path.startsWith(prefix)), f)
      return {
        Users: list('member', p.page.map((u) => ({Path: u.Path, UserName: u.UserName, UserId: u.UserId, Arn: arn(u), CreateDate: u.CreateDate, PasswordLastUsed: u.PasswordLastUsed}))),
        IsTruncated: p.IsTruncated,
        Marker: p.Marker,
      }
    },
    ListMFADevices(req, s) {
      const u = user(s, req.form().get('UserName'))
      const p = paginate(u.MFADevices, req.form())
      return {MFADevices: list('member', p.page.map((d) => ({UserName: u.UserName, SerialNumber: d.SerialNumber, EnableDate: d.EnableDate}))), IsTruncated: p.IsTruncated, Marker: p.Marker}
    },
    GetLoginProfile(req, s) {
      const u = user(s, req.form().get('UserName'))
      if (!u.LoginProfile) throw new AwsFault(404, 'NoSuchEntity', `Login Profile for User ${u.UserName} cannot be found.`)
      return {LoginProfile: {UserName: u.UserName, CreateDate: u.LoginProfile.CreateDate, PasswordResetRequired: u.LoginProfile.PasswordResetRequired}}
    },
    ListAccessKeys(req, s) {
      const u = user(s, req.form().get('UserName'))
      const p = paginate(u.AccessKeys, req.form())
      return {AccessKeyMetadata: list('member', p.page.map((k) => ({UserName: u.UserName, AccessKeyId: k.AccessKeyId, Status: k.Status, CreateDate: k.CreateDate}))), IsTruncated: p.IsTruncated, Marker: p.Marker}
    },
    // Offboarding (impress access revoke): what a user holds, and the writes that remove it.
    ListGroupsForUser(req, s) {
      const u = user(s, req.form().get('UserName'))
      const p = paginate(u.Groups ?? [], req.form())
      return {Groups: list('member', p.page.map((g) => ({Path: '/', GroupName: g, GroupId: `AGPA${g.toUpperCase().replace(/[^A-Z0-9]/g, '').padEnd(8, 'X').slice(0, 8)}EXAMPLE`, Arn: `arn:aws:iam::${SANDBOX_ACCOUNT}:group/${g}`, CreateDate: u.CreateDate}))), IsTruncated: p.IsTruncated, Marker: p.Marker}
    },
    ListAttachedUserPolicies(req, s) {
      const u = user(s, req.form().get('UserName'))
      const p = paginate(u.AttachedPolicies ?? [], req.form())
      return {AttachedPolicies: list('member', p.page.map((a) => ({PolicyName: a.PolicyName, PolicyArn: a.PolicyArn}))), IsTruncated: p.IsTruncated, Marker: p.Marker}
    },
    ListUserPolicies(req, s) {
      const u = user(s, req.form().get('UserName'))
      const p = paginate(u.InlinePolicies ?? [], req.form())
      return {PolicyNames: list('member', p.page), IsTruncated: p.IsTruncated, Marker: p.Marker}
    },
    DeleteAccessKey(req, s) {
      const f = req.form()
      const u = user(s, f.get('UserName'))
      const id = f.get('AccessKeyId')
      u.AccessKeys = without(u.AccessKeys, (k) => k.AccessKeyId === id, `The Access Key with id ${id} cannot be found.`)
      return undefined
    },
    DeleteLoginProfile(req, s) {
      const u = user(s, req.form().get('UserName'))
      without(u.LoginProfile ? [u.LoginProfile] : [], () => true, `Login Profile for User ${u.UserName} cannot be found.`)
      delete u.LoginProfile
      return undefined
    },
    DeactivateMFADevice(req, s) {
      const f = req.form()
      const u = user(s, f.get('UserName'))
      const serial = f.get('SerialNumber')
      u.MFADevices = without(u.MFADevices, (d) => d.SerialNumber === serial, `MFA Device with serial number ${serial} does not exist.`)
      return undefined
    },
    RemoveUserFromGroup(req, s) {
      const f = req.form()
      const u = user(s, f.get('UserName'))
      const g = f.get('GroupName')
      u.Groups = without(u.Groups, (x) => x === g, `The group with name ${g} cannot be found.`)
      return undefined
    },
    DetachUserPolicy(req, s) {
      const f = req.form()
      const u = user(s, f.get('UserName'))
      const policyArn = f.get('PolicyArn')
      u.AttachedPolicies = without(u.AttachedPolicies, (a) => a.PolicyArn === policyArn, `Policy ${policyArn} was not found.`)
      return undefined
    },
    DeleteUserPolicy(req, s) {
      const f = req.form()
      const u = user(s, f.get('UserName'))
      const name = f.get('PolicyName')
      u.InlinePolicies = without(u.InlinePolicies, (x) => x === name, `The user policy with name ${name} cannot be found.`)
      return undefined
    },
    DeleteUser(req, s) {
      const u = user(s, req.form().get('UserName'))
      // AWS refuses while the user still holds anything (DeleteConflict, 409).
      const held = [u.LoginProfile ? 'a login profile' : '', u.AccessKeys.length ? 'access keys' : '', u.MFADevices.length ? 'MFA devices' : '', u.Groups?.length ? 'group memberships' : '', u.AttachedPolicies?.length || u.InlinePolicies?.length ? 'policies' : ''].filter(Boolean)
      if (held.length > 0) throw new AwsFault(409, 'DeleteConflict', `Cannot delete entity, must ${held.map((h) => `remove ${h}`).join(', ')} first.`)
      s.users = s.users.filter((x) => x !== u)
      store().save()
      return undefined
    },
    GetAccountSummary(_req, s) {
      const summary: Record<string, number> = {
        Users: s.users.length,
        UsersQuota: 5000,
        AccountMFAEnabled: s.rootMfa ? 1 : 0,
        AccountAccessKeysPresent: 0,
        MFADevices: s.users.reduce((n, u) => n + u.MFADevices.length, 0),
        MFADevicesInUse: s.users.reduce((n, u) => n + u.MFADevices.length, 0),
        Groups: 0,
        Policies: 0,
      }
      return {SummaryMap: list('entry', Object.entries(summary).map(([key, value]) => ({key, value})))}
    },
    GenerateCredentialReport(_req, s) {
      const now = Date.now()
      const r = s.report
      if (r && !r.completedAt) {
        if (now < r.readyAt) return {State: 'INPROGRESS', Description: 'Report generation in progress.'}
        r.completedAt = r.readyAt
      }
      if (r?.completedAt && now - r.completedAt < ctx.clock.real(REPORT_REUSE_MS)) return {State: 'COMPLETE'}
      s.report = {startedAt: now, readyAt: now + ctx.clock.real(REPORT_GENERATION_MS), csv: credentialReportCsv(s)}
      store().save()
      return {State: 'STARTED', Description: 'No report exists. Starting a new report generation task'}
    },
    GetCredentialReport(_req, s) {
      const r = s.report
      if (!r) throw new AwsFault(410, 'ReportNotPresent', 'Credential report not present. Call GenerateCredentialReport first.')
      if (!r.completedAt) {
        if (Date.now() < r.readyAt) throw new AwsFault(404, 'ReportInProgress', 'Credential report generation is in progress.')
        r.completedAt = r.readyAt
        store().save()
      }
      return {Content: Buffer.from(r.csv).toString('base64'), ReportFormat: 'text/csv', GeneratedTime: new Date(r.startedAt)}
    },
  }

  return {
    name: 'iam',
    catalog: iamCatalog,
    handlerNames: () => Object.keys(handlers),
    matches: (req) => req.awsService === 'iam' || (req.method === 'POST' && !req.awsService && req.form().get('Version') === '2010-05-08'),
    operation: (req) => queryAction(req),
    seed: () => void store(),
    describe() {
      const s = store().data
      return {users: s.users.map((u) => u.UserName), rootMfa: s.rootMfa, report: s.report ? new Date(s.report.startedAt).toISOString() : null}
    },
    handle(req, res) {
      const action = queryAction(req)
      try {
        const h = handlers[action]
        if (!h) throw new AwsFault(400, 'InvalidAction', `The action ${action} is not valid for this web service.`)
        sendQueryResult(res, action, NS, h(req, store().data))
      } catch (error) {
        if (error instanceof AwsFault) sendQueryError(res, error.status, error.code, error.message)
        else throw error
      }
    },
    renderError: (_req, res, error) => renderQueryFault(res, error),
  }
}

function arn(u: IamUser): string {
  return `arn:aws:iam::${SANDBOX_ACCOUNT}:user${u.Path}${u.UserName}`
}

const CSV_HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated'

/** The credential report, in AWS's column order (N/A where a value does not apply). */
export function credentialReportCsv(s: IamState): string {
  const iso = (d?: string) => (d ? new Date(d).toISOString().replace(/\.\d{3}Z$/, '+00:00') : 'N/A')
  const rows = [CSV_HEADER]
  rows.push(
    [`<root_account>`, `arn:aws:iam::${SANDBOX_ACCOUNT}:root`, iso(s.createdAt), 'not_supported', iso(s.rootPasswordLastUsed), 'not_supported', 'not_supported', String(s.rootMfa), 'false', 'N/A', 'N/A', 'N/A', 'N/A', 'false', 'N/A', 'N/A', 'N/A', 'N/A', 'false', 'N/A', 'false', 'N/A'].join(','),
  )
  for (const u of s.users) {
    const k = (i: number) => {
      const key = u.AccessKeys[i]
      return key ? [String(key.Status === 'Active'), iso(key.CreateDate), iso(key.LastUsedDate), key.LastUsedDate ? 'eu-west-1' : 'N/A', key.LastUsedDate ? 's3' : 'N/A'] : ['false', 'N/A', 'N/A', 'N/A', 'N/A']
    }
    rows.push(
      [
        u.UserName,
        arn(u),
        iso(u.CreateDate),
        String(Boolean(u.LoginProfile)),
        u.LoginProfile ? (u.PasswordLastUsed ? iso(u.PasswordLastUsed) : 'no_information') : 'N/A',
        u.LoginProfile ? iso(u.LoginProfile.CreateDate) : 'N/A',
        'N/A',
        String(u.MFADevices.length > 0),
        ...k(0),
        ...k(1),
        'false',
        'N/A',
        'false',
        'N/A',
      ].join(','),
    )
  }
  return rows.join('\n') + '\n'
}
