/**
 * Google Workspace adapter over @googleapis/admin (Directory API users.list): every user,
 * `isEnrolledIn2Sv` and `suspended`, paged by pageToken. Authenticates with an OAuth2 client
 * holding a given access token, or a service account (domain-wide delegation to `subject`).
 */
import type {AccountSource} from '../../compliance/ports.js'
import type {ServiceAccount, ServiceSnapshot} from '../../compliance/types.js'
import type {AccessWriter, Grant} from '../../access/ports.js'

export interface GoogleOptions {
  customer: string
  /** An OAuth2 access token (sandbox, or a token from elsewhere). */
  accessToken?: string
  /** Path of a service-account key file, with the admin to impersonate. */
  keyFile?: string
  subject?: string
  /** e.g. https://admin.googleapis.com/ or the sandbox's /google/. */
  rootUrl?: string
  pageSize?: number
}

export class GoogleAdapter implements AccountSource, AccessWriter {
  readonly service = 'google' as const
  constructor(private readonly options: GoogleOptions) {}

  private async directory(scope = 'https://www.googleapis.com/auth/admin.directory.user.readonly') {
    const {admin, auth} = await import('@googleapis/admin')
    let client
    if (this.options.accessToken) {
      const o = new auth.OAuth2()
      o.setCredentials({access_token: this.options.accessToken})
      client = o
    } else {
      client = new auth.GoogleAuth({keyFile: this.options.keyFile, scopes: [scope], clientOptions: this.options.subject ? {subject: this.options.subject} : undefined})
    }
    // rootUrl per call: a global rootUrl keeps only the origin (googleapis-common rewrites the path).
    return {dir: admin({version: 'directory_v1', auth: client, retry: true}), callOptions: this.options.rootUrl ? {rootUrl: this.options.rootUrl} : {}}
  }

  async snapshot(): Promise<ServiceSnapshot> {
    const {dir, callOptions} = await this.directory()
    const accounts: ServiceAccount[] = []
    let pageToken: string | undefined
    do {
      const res = await dir.users.list({customer: this.options.customer, maxResults: this.options.pageSize ?? 500, pageToken, projection: 'basic', orderBy: 'email'}, callOptions)
      for (const u of res.data.users ?? []) {
        const email = u.primaryEmail ?? u.id ?? 'unknown'
        const twoSv = u.isEnrolledIn2Sv
        accounts.push({
          id: email,
          email,
          displayName: u.name?.fullName ?? undefined,
          active: u.suspended !== true && u.archived !== true,
          mfa: typeof twoSv === 'boolean' ? twoSv : null,
          ...(typeof twoSv === 'boolean' ? {} : {mfaUnknownReason: 'the admin.directory.user.readonly scope with an admin role that may read security settings'}),
          notes: u.suspended ? ['suspended'] : undefined,
        })
      }
      pageToken = res.data.nextPageToken ?? undefined
    } while (pageToken)
    return {service: this.service, accounts}
  }

  /** An active user is one grant: suspending it (never deleting: mail and files stay with the company). */
  async grants(email: string): Promise<Grant[]> {
    const {dir, callOptions} = await this.directory()
    try {
      const u = (await dir.users.get({userKey: email, projection: 'basic'}, callOptions)).data
      return u.suspended ? [] : [{service: 'google', account: email, kind: 'user', id: u.primaryEmail ?? email, action: `suspend Google Workspace user ${u.primaryEmail ?? email} (not deleted)`}]
    } catch (error) {
      if ((error as {status?: number; code?: number}).status === 404 || (error as {code?: number}).code === 404) return []
      throw error
    }
  }

  async revoke(grant: Grant): Promise<void> {
    const {dir, callOptions} = await this.directory('https://www.googleapis.com/auth/admin.directory.user')
    await dir.users.update({userKey: grant.id, requestBody: {suspended: true}}, callOptions)
  }

  async admins(): Promise<string[]> {
    const {dir, callOptions} = await this.directory()
    const out: string[] = []
    let pageToken: string | undefined
    do {
      const res = await dir.users.list({customer: this.options.customer, maxResults: this.options.pageSize ?? 500, pageToken, projection: 'basic'}, callOptions)
      for (const u of res.data.users ?? []) if (u.isAdmin && !u.suspended && u.primaryEmail) out.push(u.primaryEmail.toLowerCase())
      pageToken = res.data.nextPageToken ?? undefined
    } while (pageToken)
    return out
  }
}
