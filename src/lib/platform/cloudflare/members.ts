/**
 * Cloudflare adapter over the `cloudflare` SDK: account members and their user's two-factor
 * status. Pages are walked by `result_info.total_pages` (the SDK's auto-pagination asks for
 * one empty page more); the SDK retries 429/5xx honouring retry-after.
 */
import type {AccountSource} from '../../compliance/ports.js'
import type {ServiceAccount, ServiceSnapshot} from '../../compliance/types.js'

export interface CloudflareOptions {
  token: string
  accountId: string
  /** e.g. https://api.cloudflare.com/client/v4 or the sandbox's /cloudflare/client/v4. */
  baseURL?: string
  pageSize?: number
  maxRetries?: number
}

export class CloudflareAdapter implements AccountSource {
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
}
