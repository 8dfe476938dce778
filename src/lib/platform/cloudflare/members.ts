/**
 * Cloudflare adapter over the `cloudflare` SDK: account members and their user's two-factor
 * status. Pages are walked by `result_info.total_pages` (the SDK's auto-pagination asks for
 * one empty page more); the SDK retries 429/5xx honouring retry-after.
 */
import type {AccountSource} from '../../compliance/ports.js'
import type {ServiceAccount, ServiceSnapshot} from '../../compliance/types.js'
import type {AccessWriter, Grant} from '../../access/ports.js'

type CloudflareMemberT = {id?: string; email?: string; status?: string; roles?: {name?: string}[]; user?: {email?: string; two_factor_authentication_enabled?: boolean}}

export interface CloudflareOptions {
  token: string
  accountId: string
  /** e.g. https://api.cloudflare.com/client/v4 or the sandbox's /cloudflare/client/v4. */
  baseURL?: string
  pageSize?: number
  maxRetries?: number
}

export class CloudflareAdapter implements AccountSource, AccessWriter {
  readonly service = 'cloudflare' as const
  constructor(private readonly options: CloudflareOptions) {}

  async snapshot(): Promise<ServiceSnapshot> {
    const {default: Cloudflare} = await import('cloudflare')
    const client = new Cloudflare({apiToken: this.options.token, baseURL: this.options.baseURL, maxRetries: this.options.maxRetries ?? 3})
    const per_page = this.options.pageSize ?? 50
    const accounts: ServiceAccount[] = []
    for (let page = 1, pages = 1; page <= pages; page++) {
      const res = await client.accounts.members.list({account_id: this.options.accountId, page, per_page})
      pages = (res.result_info as {total_pages?: number} | undefined)?.total_pages ?? page
      for (const m of res.result) {
        const email = m.user?.email ?? m.email ?? m.id ?? 'unknown'
        const tfa = m.user?.two_factor_authentication_enabled
        accounts.push({
          id: email,
          email,
          active: m.status === 'accepted',
          mfa: typeof tfa === 'boolean' ? tfa : null,
          ...(typeof tfa === 'boolean' ? {} : {mfaUnknownReason: 'the token needs Account Settings Read (member details)'}),
          notes: m.status === 'accepted' ? undefined : [`membership ${m.status}`],
        })
      }
    }
    return {service: this.service, accounts}
  }

  private async client() {
    const {default: Cloudflare} = await import('cloudflare')
    return new Cloudflare({apiToken: this.options.token, baseURL: this.options.baseURL, maxRetries: this.options.maxRetries ?? 3})
  }

  private async members(): Promise<CloudflareMemberT[]> {
    const client = await this.client()
    const out: CloudflareMemberT[] = []
    for (let page = 1, pages = 1; page <= pages; page++) {
      const res = await client.accounts.members.list({account_id: this.options.accountId, page, per_page: this.options.pageSize ?? 50})
      pages = (res.result_info as {total_pages?: number} | undefined)?.total_pages ?? page
      out.push(...(res.result as CloudflareMemberT[]))
    }
    return out
  }

  async grants(email: string): Promise<Grant[]> {
    const e = email.toLowerCase()
    return (await this.members())
      .filter((m) => (m.user?.email ?? m.email ?? '').toLowerCase() === e && m.id)
      .map((m) => ({service: 'cloudflare', account: email, kind: 'account-member', id: m.id!, action: `remove account member ${email} (${m.roles?.map((r) => r.name).join(', ') || 'no role'}, ${m.status})`}))
  }

  async revoke(grant: Grant): Promise<void> {
    const client = await this.client()
    try {
      await client.accounts.members.delete(grant.id, {account_id: this.options.accountId})
    } catch (error) {
      if ((error as {status?: number}).status !== 404) throw error
    }
  }

  /** Members whose role administers the account (Administrator, Super Administrator). */
  async admins(): Promise<string[]> {
    return (await this.members())
      .filter((m) => m.status === 'accepted' && (m.roles ?? []).some((r) => /administrator/i.test(r.name ?? '') && !/read only/i.test(r.name ?? '')))
      .map((m) => (m.user?.email ?? m.email ?? '').toLowerCase())
  }
}
