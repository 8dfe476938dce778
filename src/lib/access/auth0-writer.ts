/**
 * Auth0 staff as an AccessWriter: a staff user (of the staff connection) with that e-mail is
 * one grant, removed by blocking the user (PATCH blocked: true), which ends every login and
 * keeps the user for the audit trail.
 */
import type {Auth0StaffPort} from '../compliance/ports.js'
import type {AccessWriter, Grant} from './ports.js'

export function auth0StaffWriter(port: Auth0StaffPort): AccessWriter {
  return {
    service: 'auth0',
    async grants(email) {
      const users = await port.staffUsers()
      return users
        .filter((u) => (u.email ?? '').toLowerCase() === email.toLowerCase() && u.blocked !== true)
        .map((u): Grant => ({service: 'auth0', account: email, kind: 'staff-user', id: u.user_id, action: `block Auth0 staff user ${email} (${u.user_id})`}))
    },
    async revoke(grant) {
      if (!port.setBlocked) throw new Error('this Auth0 adapter cannot block users')
      await port.setBlocked(grant.id, true)
    },
  }
}
