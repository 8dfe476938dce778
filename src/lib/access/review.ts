/**
 * `impress access review`: who has access to what, read from the live services (not the
 * roster): every active account of every configured service, with its owner resolved through
 * the roster (member, bot, or nobody), per member and per service. The quarterly access review.
 */
import {normalizeEmail} from '../compliance/rules.js'
import {identities, type LoadedRoster} from '../compliance/roster.js'
import {describeError} from '../compliance/check.js'
import type {AccountSource} from '../compliance/ports.js'
import {SERVICES, type MfaState, type ServiceId} from '../compliance/types.js'

export interface ReviewRow {
  service: ServiceId
  account: string
  /** The member's e-mail, `bot:<name>`, or undefined when nobody on the roster owns it. */
  owner?: string
  ownerStatus: 'active' | 'left' | 'bot' | 'unknown'
  role?: string
  mfa: MfaState
  notes: string[]
}

export interface AccessReview {
  generatedAt: string
  rows: ReviewRow[]
  /** Per member: the accounts they hold on each service. */
  members: {email: string; name: string; role: string; status: string; access: Partial<Record<ServiceId, string[]>>}[]
  services: {service: ServiceId; status: 'ok' | 'error' | 'not-configured'; accounts: number; error?: string}[]
}

export async function runAccessReview(loaded: LoadedRoster, deps: {sources: Partial<Record<ServiceId, AccountSource>>; now?: () => Date}): Promise<AccessReview> {
  const {roster} = loaded
  const services: AccessReview['services'] = []
  const rows: ReviewRow[] = []
  await Promise.all(
    SERVICES.map(async (service) => {
      const source = deps.sources[service]
      if (!source) return void services.push({service, status: 'not-configured', accounts: 0})
      try {
        const snap = await source.snapshot({leavers: []})
        const active = snap.accounts.filter((a) => a.active)
        services.push({service, status: 'ok', accounts: active.length})
        for (const a of active) {
          const id = a.id.toLowerCase()
          const email = normalizeEmail(a.email ?? (a.id.includes('@') ? a.id : ''))
          const m = roster.members.find((x) => identities(x.accounts[service]).some((i) => i.toLowerCase() === id) || (email !== '' && normalizeEmail(x.email) === email))
          const bot = m ? undefined : roster.serviceAccounts.find((b) => identities(b.accounts[service]).some((i) => i.toLowerCase() === id))
          rows.push({service, account: a.id, owner: m?.email ?? (bot ? `bot:${bot.name}` : undefined), ownerStatus: m ? m.status : bot ? 'bot' : 'unknown', role: m?.role, mfa: a.mfa, notes: a.notes ?? []})
        }
      } catch (error) {
        services.push({service, status: 'error', accounts: 0, error: describeError(error)})
      }
    }),
  )
  const order = (s: ServiceId) => SERVICES.indexOf(s)
  // Accounts nobody owns first: they are what a reviewer acts on.
  rows.sort((a, b) => Number(a.owner !== undefined) - Number(b.owner !== undefined) || (a.owner ?? '').localeCompare(b.owner ?? '') || order(a.service) - order(b.service) || a.account.localeCompare(b.account))
  services.sort((a, b) => order(a.service) - order(b.service))
  const members = roster.members.map((m) => ({
    email: m.email,
    name: m.name,
    role: m.role,
    status: m.status,
    access: Object.fromEntries(SERVICES.map((s) => [s, rows.filter((r) => r.owner === m.email && r.service === s).map((r) => r.account)]).filter(([, l]) => l.length > 0)),
  }))
  return {generatedAt: (deps.now?.() ?? new Date()).toISOString(), rows, members, services}
}

const csvField = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)

export function reviewCsv(review: AccessReview): string {
  const head = ['service', 'account', 'owner', 'owner_status', 'role', 'mfa', 'notes']
  const lines = review.rows.map((r) => [r.service, r.account, r.owner ?? '', r.ownerStatus, r.role ?? '', String(r.mfa ?? 'unknown'), r.notes.join('; ')].map(csvField).join(','))
  return [head.join(','), ...lines].join('\n') + '\n'
}
