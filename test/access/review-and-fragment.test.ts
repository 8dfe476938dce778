/** The access review over fake account sources, its CSV, and the sshd_config fragment's rules. */
import {describe, expect, it} from 'vitest'
import {accessSettings} from '../../src/lib/access/defaults.js'
import {reviewCsv, runAccessReview} from '../../src/lib/access/review.js'
import {sshdFragment} from '../../src/lib/access/sshd-config.js'
import {parseRoster} from '../../src/lib/compliance/roster.js'
import type {AccountSource} from '../../src/lib/compliance/ports.js'

const roster = parseRoster(
  `members:
  - {name: Ann, email: ann@x.example, role: developer, accounts: {github: ann}}
  - {name: Eli, email: eli@x.example, role: developer, status: left, left: 2026-01-01, accounts: {github: eli}}
serviceAccounts:
  - {name: ci, owner: ann@x.example, accounts: {github: ci-bot}}
policy: {}
`,
  'team.yaml',
)

describe('access review', () => {
  it('lists live accounts with their owners (member, leaver, bot, nobody); a failing service is reported, not hidden', async () => {
    const github: AccountSource = {service: 'github', snapshot: async () => ({service: 'github', accounts: ['ann', 'eli', 'ci-bot', 'mallory', 'gone'].map((id) => ({id, active: id !== 'gone', mfa: true, ...(id === 'mallory' ? {notes: ['outside collaborator, "x"']} : {})}))})}
    const google: AccountSource = {service: 'google', snapshot: async () => ({service: 'google', accounts: [{id: 'Ann+work@x.example', email: 'Ann+work@x.example', active: true, mfa: false}]})}
    const cloudflare: AccountSource = {service: 'cloudflare', snapshot: async () => Promise.reject(Object.assign(new Error('Bad token'), {status: 403}))}
    const review = await runAccessReview(roster, {sources: {github, google, cloudflare}, now: () => new Date('2026-12-01T00:00:00Z')})
    expect(review.rows.map((r) => `${r.service}:${r.account}:${r.owner ?? '-'}:${r.ownerStatus}`)).toEqual([
      'github:mallory:-:unknown',
      'github:ann:ann@x.example:active',
      'google:Ann+work@x.example:ann@x.example:active',
      'github:ci-bot:bot:ci:bot',
      'github:eli:eli@x.example:left',
    ])
    expect(review.members.find((m) => m.email === 'ann@x.example')?.access).toEqual({github: ['ann'], google: ['Ann+work@x.example']})
    expect(review.services.map((s) => `${s.service}:${s.status}`)).toEqual(['aws:not-configured', 'github:ok', 'cloudflare:error', 'google:ok', 'auth0:not-configured'])
    expect(review.services.find((s) => s.service === 'cloudflare')?.error).toBe('HTTP 403: Bad token')
    const csv = reviewCsv(review).split('\n')
    expect(csv[0]).toBe('service,account,owner,owner_status,role,mfa,notes')
    expect(csv).toContain('github,mallory,,unknown,,true,"outside collaborator, ""x"""')
  })
})

describe('sshd_config fragment', () => {
  const base = {command: '/opt/impress/bin/run.js', configArgs: ['--config', '/etc/impress/impress.config.yaml'], settings: accessSettings({sftp: {user: 'files', roles: ['admin'], chroot: '/srv/files'}}), version: '1.0.0'}
  it('wires AuthorizedKeysCommand with %u and chroots the SFTP user with internal-sftp only', () => {
    const f = sshdFragment(base)
    expect(f).toContain('AuthorizedKeysCommand /opt/impress/bin/run.js access authorized-keys --config /etc/impress/impress.config.yaml %u\nAuthorizedKeysCommandUser nobody\n')
    expect(f).toMatch(/Match User files\n {4}ChrootDirectory \/srv\/files\n {4}ForceCommand internal-sftp\n[\s\S]*AllowTcpForwarding no[\s\S]*X11Forwarding no\nMatch all\n$/)
  })
  it('refuses what sshd_config cannot carry: a relative command, blanks in a path', () => {
    expect(() => sshdFragment({...base, command: 'bin/run.js'})).toThrow(/absolute path/)
    expect(() => sshdFragment({...base, configArgs: ['--config', '/etc/my impress/c.yaml']})).toThrow(expect.objectContaining({exitCode: 2}))
  })
})
