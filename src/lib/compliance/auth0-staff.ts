/**
 * Auth0 staff accounts: the users of the staff connection and whether each has a second
 * factor enrolled (`GET /api/v2/users/{id}/authentication-methods`). `auth0StaffSource`
 * turns the port into an AccountSource; the port's adapter is
 * src/lib/platform/auth0/staff.ts.
 */
import type {AccountSource, Auth0StaffPort} from './ports.js'
import type {ServiceAccount, ServiceSnapshot} from './types.js'

/** Methods that are a second factor (a password alone is not). */
const FACTORS = new Set(['totp', 'phone', 'email', 'webauthn-roaming', 'webauthn-platform', 'push', 'recovery-code', 'guardian', 'passkey', 'otp', 'sms', 'voice'])

export function auth0StaffSource(port: Auth0StaffPort, concurrency = 8): AccountSource {
  return {
    service: 'auth0',
    async snapshot(): Promise<ServiceSnapshot> {
      const users = await port.staffUsers()
      const accounts: ServiceAccount[] = new Array(users.length)
      let next = 0
      const worker = async () => {
        while (next < users.length) {
          const i = next++
          const u = users[i]
          const methods = await port.authenticationMethods(u.user_id)
          const mfa = methods.some((m) => FACTORS.has(m.type) && m.confirmed !== false)
          const email = u.email ?? u.user_id
          accounts[i] = {id: email, email, active: u.blocked !== true, mfa, notes: u.blocked ? ['blocked'] : undefined}
        }
      }
      await Promise.all(Array.from({length: Math.min(concurrency, users.length)}, worker))
      return {service: 'auth0', accounts}
    },
  }
}
