/**
 * The demo IMPRESS Cloudflare account: alice holds two memberships (alice and alice+ops),
 * carol and dave have two-factor off (dave under a current exception).
 */
export interface CloudflareMember {
  id: string
  userId: string
  email: string
  firstName: string
  lastName: string
  status: 'accepted' | 'pending' | 'rejected'
  role: string
  twoFactor: boolean
}

export interface CloudflareState {
  accounts: {id: string; name: string; members: CloudflareMember[]}[]
  tokens: string[]
}

export const CLOUDFLARE_SANDBOX_ACCOUNT = '9a7806061c88ada191ed06f989cc3dac'
export const CLOUDFLARE_SANDBOX_TOKEN = 'cf-sandbox-token'

export function cloudflareMember(email: string, twoFactor: boolean, i: number, role = 'Administrator'): CloudflareMember {
  const hex = (n: number) => n.toString(16).padStart(32, '0')
  const [first] = email.split('@')
  return {id: hex(0xa000 + i), userId: hex(0xb000 + i), email, firstName: first.replace(/\W.*/, ''), lastName: 'Impress', status: 'accepted', role, twoFactor}
}

export function demoCloudflare(): CloudflareState {
  return {
    accounts: [
      {
        id: CLOUDFLARE_SANDBOX_ACCOUNT,
        name: 'IMPRESS',
        members: [
          cloudflareMember('alice@impress.example', true, 1, 'Super Administrator - All Privileges'),
          cloudflareMember('alice+ops@impress.example', true, 2),
          cloudflareMember('carol@impress.example', false, 3, 'Analytics'),
          cloudflareMember('dave@impress.example', false, 4),
        ],
      },
    ],
    tokens: [CLOUDFLARE_SANDBOX_TOKEN],
  }
}
