/**
 * The demo IMPRESS Google Workspace: bob has no account (his role needs one), mallory has an
 * account without 2-Step Verification and is on no roster, eve (a leaver) is suspended.
 */
export interface GoogleUser {
  id: string
  primaryEmail: string
  givenName: string
  familyName: string
  isAdmin: boolean
  suspended: boolean
  isEnrolledIn2Sv: boolean
}

export interface GoogleState {
  customerId: string
  domain: string
  users: GoogleUser[]
  tokens: string[]
}

export const GOOGLE_SANDBOX_TOKEN = 'ya29.sandbox-directory-token'

export function googleUser(email: string, twoSv: boolean, i: number, options: {suspended?: boolean; admin?: boolean} = {}): GoogleUser {
  const [local] = email.split('@')
  return {id: String(100_000_000_000_000_000_000n + BigInt(i)), primaryEmail: email, givenName: local[0].toUpperCase() + local.slice(1), familyName: 'Impress', isAdmin: Boolean(options.admin), suspended: Boolean(options.suspended), isEnrolledIn2Sv: twoSv}
}

export function demoGoogle(): GoogleState {
  return {
    customerId: 'C03az79cb',
    domain: 'impress.example',
    users: [
      googleUser('alice@impress.example', true, 1, {admin: true}),
      googleUser('carol@impress.example', true, 3),
      googleUser('dave@impress.example', true, 4),
      googleUser('eve@impress.example', true, 5, {suspended: true}),
      googleUser('mallory@impress.example', false, 6),
    ],
    tokens: [GOOGLE_SANDBOX_TOKEN],
  }
}
