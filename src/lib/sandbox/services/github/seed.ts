/**
 * The demo IMPRESS GitHub organisation, with deliberate violations the compliance checks
 * must find: bob without 2FA and with a 2048-bit key, carol sharing alice's key, dave with two
 * keys (one ed25519), eve (a leaver) still a member with a live key, mallory an outside
 * collaborator nobody put on the roster.
 */
import {ALICE_RSA_4096, BOB_RSA_2048, DAVE_ED25519, DAVE_RSA_3072, EVE_RSA_3072} from './demo-keys.js'

export interface GithubUser {
  login: string
  id: number
  role: 'admin' | 'member'
  twoFactor: boolean
}

export interface GithubState {
  org: string
  members: GithubUser[]
  outsideCollaborators: GithubUser[]
  /** Public SSH keys by login. */
  keys: Record<string, {id: number; key: string}[]>
  /** API tokens → the login they act as. */
  tokens: Record<string, string>
}

/** The token the sandbox environment uses: an organisation owner's. */
export const GITHUB_SANDBOX_TOKEN = 'ghp_sandboxowner'
/** A member's token (not an owner): `filter=2fa_disabled` is refused with it. */
export const GITHUB_SANDBOX_MEMBER_TOKEN = 'ghp_sandboxmember'

export function demoGithub(): GithubState {
  const u = (login: string, id: number, twoFactor: boolean, role: 'admin' | 'member' = 'member'): GithubUser => ({login, id, role, twoFactor})
  return {
    org: 'impress',
    members: [
      u('alice-imp', 5101, true, 'admin'),
      u('bob-imp', 5102, false),
      u('carol-imp', 5103, true),
      u('dave-imp', 5104, true),
      u('eve-imp', 5105, true),
      u('impress-deploy-bot', 5199, false),
    ],
    outsideCollaborators: [u('mallory-x', 6601, true)],
    keys: {
      'alice-imp': [{id: 910001, key: ALICE_RSA_4096}],
      'bob-imp': [{id: 910002, key: BOB_RSA_2048}],
      'carol-imp': [{id: 910003, key: ALICE_RSA_4096}],
      'dave-imp': [
        {id: 910004, key: DAVE_RSA_3072},
        {id: 910005, key: DAVE_ED25519},
      ],
      'eve-imp': [{id: 910006, key: EVE_RSA_3072}],
    },
    tokens: {[GITHUB_SANDBOX_TOKEN]: 'alice-imp', [GITHUB_SANDBOX_MEMBER_TOKEN]: 'carol-imp'},
  }
}
