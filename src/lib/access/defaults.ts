/**
 * Defaults of the `access` configuration section, kept apart from the zod schema so that the
 * authorized-keys fast path (which sshd runs at every login) can read them without loading zod.
 */
export const ACCESS_DEFAULTS = {
  ssh: {user: 'impress', roles: ['developer'] as ('developer' | 'admin' | 'ops')[]},
  sftp: {user: 'impress-sftp', roles: ['admin'] as ('developer' | 'admin' | 'ops')[], chroot: '/srv/sftp'},
  /** The user sshd runs AuthorizedKeysCommand as. */
  commandUser: 'nobody',
  keys: {refresh: '5m', maxStale: '24h'},
  maxRevocations: 1,
  /** A leaver's access must be revoked within this many days of their last day (the security report checks it). */
  revokeWithinDays: 1,
}

export interface AccessSettings {
  ssh: {user: string; roles: ('developer' | 'admin' | 'ops')[]}
  sftp: {user: string; roles: ('developer' | 'admin' | 'ops')[]; chroot: string}
  commandUser: string
  keys: {refresh: string; maxStale: string}
  maxRevocations: number
  revokeWithinDays: number
}

/** The environment's access settings with defaults filled in (the section is optional). */
export function accessSettings(section: Partial<AccessSettings> | undefined): AccessSettings {
  const s = section ?? {}
  return {
    ssh: {...ACCESS_DEFAULTS.ssh, ...s.ssh},
    sftp: {...ACCESS_DEFAULTS.sftp, ...s.sftp},
    commandUser: s.commandUser ?? ACCESS_DEFAULTS.commandUser,
    keys: {...ACCESS_DEFAULTS.keys, ...s.keys},
    maxRevocations: s.maxRevocations ?? ACCESS_DEFAULTS.maxRevocations,
    revokeWithinDays: s.revokeWithinDays ?? ACCESS_DEFAULTS.revokeWithinDays,
  }
}
