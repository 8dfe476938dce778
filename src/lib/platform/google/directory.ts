/**
 * Google Workspace adapter over @googleapis/admin (Directory API users.list): every user,
 * `isEnrolledIn2Sv` and `suspended`, paged by pageToken. Authenticates with an OAuth2 client
 * holding a given access token, or a service account (domain-wide delegation to `subject`).
 */
import type {AccountSource} from '../../compliance/ports.js'
import type {ServiceAccount, ServiceSnapshot} from '../../compliance/types.js'

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

export class GoogleAdapter implements AccountSource {
  readonly service = 'google' as const
  constructor(private readonly options: GoogleOptions) {}

  async snapshot(): Promise<ServiceSnapshot> {
    const {admin, auth} = await import('@googleapis/admin')
    let client
    if (this.options.accessToken) {
      const o = new auth.OAuth2()
      o.setCredentials({access_token: this.options.accessToken})
      client = o
    } else {
      client = new auth.GoogleAuth({
        keyFile: this.options.keyFile,
        scopes: ['https://www.googleapis.com/auth/admin.directory.user.readonly'],
        clientOptions: this.options.subject ? {subject: this.options.subject} : undefined,
      })
    }
    // rootUrl per call: a global rootUrl keeps only the origin (googleapis-common rewrites the path).
    const dir = admin({version: 'directory_v1', auth: client, retry: true})
    const callOptions = this.options.rootUrl ? {rootUrl: this.options.rootUrl} : {}
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
}
