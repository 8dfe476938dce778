/**
 * The real thing: Debian's sshd on a loopback port, configured with the fragment of
 * `impress access install-sshd-config`, asks `impress access authorized-keys` (through a
 * root-owned wrapper, as sshd requires) for the keys of the sandbox's GitHub; OpenSSH's ssh
 * and sftp clients log in with keys made by ssh-keygen. Needs root (CI runs as root): sshd,
 * useradd.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {randomBytes} from 'node:crypto'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {demoGithub, type GithubState} from '../../src/lib/sandbox/services/github/seed.js'
import {BIN, runCli} from '../helpers/cli.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

const tag = randomBytes(3).toString('hex')
const SSH_USER = `ik${tag}d`
const SFTP_USER = `ik${tag}s`
const NOBODY = {uid: 65534, gid: 65534}
const people = {
  dev: {email: 'dev@impress.example', role: 'developer', login: `dev-${tag}`, bits: 3072},
  admin: {email: 'admin@impress.example', role: 'admin', login: `admin-${tag}`, bits: 3072},
  leaver: {email: 'leaver@impress.example', role: 'developer', login: `leaver-${tag}`, bits: 3072, left: true},
  weak: {email: 'weak@impress.example', role: 'developer', login: `weak-${tag}`, bits: 2048},
  frank: {email: 'frank@impress.example', role: 'developer', login: `frank-${tag}`, bits: 3072},
} as const
type Who = keyof typeof people

function findSshd(): string {
  const candidates = ['/usr/sbin/sshd', ...(process.env.PATH ?? '').split(':').map((d) => path.join(d, 'sshd'))]
  const found = candidates.find((c) => fs.existsSync(c))
  if (!found) throw new Error('sshd not found (/usr/sbin/sshd or on PATH): install Debian\'s openssh-server (it is in .ci/run\'s need list).')
  return found
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const {port} = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}

describe('sshd with AuthorizedKeysCommand → impress access authorized-keys', () => {
  let sb: TestSandbox
  let root: string
  let sshd: ChildProcess | undefined
  let sshdLog = ''
  let port: number
  let configFile: string
  const created: string[] = []

  const clientOpts = () => ['-F', '/dev/null', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'ConnectTimeout=10', '-o', 'LogLevel=ERROR']
  const ssh = (who: Who, user: string, command = 'echo ok') => execa('ssh', [...clientOpts(), '-i', path.join(root, 'keys', who), '-p', String(port), `${user}@127.0.0.1`, command], {reject: false, input: '', timeout: 15_000})
  const sftp = (who: Who, user: string) => {
    const batch = path.join(root, 'keys', 'batch')
    fs.writeFileSync(batch, 'pwd\nls /\n')
    return execa('sftp', [...clientOpts(), '-i', path.join(root, 'keys', who), '-P', String(port), '-b', batch, `${user}@127.0.0.1`], {reject: false, input: '', timeout: 15_000})
  }

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('test/access/sshd.test.ts must run as root (CI does): it starts sshd and creates two users with useradd.')
    const sshdBin = findSshd()
    sb = await startTestSandbox()
    // sshd requires the AuthorizedKeysCommand, and every directory above it, to be root-owned and
    // not group/world-writable: /tmp is world-writable, so the test's root lives under /run.
    root = fs.mkdtempSync(path.join(fs.existsSync('/run') ? '/run' : os.homedir(), 'impress-sshd-'))
    fs.chmodSync(root, 0o755)
    for (const d of ['bin', 'etc', 'keys', 'work', 'home', 'chroot', 'devhome']) fs.mkdirSync(path.join(root, d), {mode: 0o755})
    fs.chmodSync(path.join(root, 'keys'), 0o700)
    // What the command user (nobody) writes: its IMPRESS_HOME (config cache) and the keys cache.
    const access = path.join(root, 'work', '.impress', 't', 'access')
    fs.mkdirSync(access, {recursive: true})
    fs.chownSync(access, NOBODY.uid, NOBODY.gid)
    fs.chownSync(path.join(root, 'home'), NOBODY.uid, NOBODY.gid)

    const keygen = async (who: Who) => {
      await execa('ssh-keygen', ['-q', '-t', 'rsa', '-b', String(people[who].bits), '-N', '', '-C', who, '-f', path.join(root, 'keys', who)])
      return fs.readFileSync(path.join(root, 'keys', `${who}.pub`), 'utf8').trim().split(' ').slice(0, 2).join(' ')
    }
    const [pubs] = await Promise.all([
      Promise.all((Object.keys(people) as Who[]).map(async (w) => [w, await keygen(w)] as const)),
      execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(root, 'etc', 'host_ed25519')]),
    ])
    const gh = sb.host.state.open<GithubState>('github', 'org', demoGithub)
    for (const [i, [w, pub]] of pubs.entries()) {
      gh.data.members.push({login: people[w].login, id: 7000 + i, role: 'member', twoFactor: true})
      gh.data.keys[people[w].login] = [{id: 970_000 + i, key: pub}]
    }
    gh.save()

    fs.writeFileSync(
      path.join(root, 'work', 'team.yaml'),
      `members:\n${(Object.keys(people) as Who[])
        .map((w) => {
          const p = people[w]
          return `  - {name: ${w}, email: ${p.email}, role: ${p.role}, ${'left' in p ? 'status: left, left: 2026-01-31, ' : ''}accounts: {github: ${p.login}}}\n`
        })
        .join('')}policy: {keys: {types: {rsa: 3072}, perDeveloper: 1}}\n`,
    )
    configFile = path.join(root, 'work', 'impress.config.yaml')
    fs.writeFileSync(
      configFile,
      `environments:\n  t:\n    sandbox: {url: "${sb.url}"}\n    compliance: {roster: ./team.yaml, aws: false, github: {org: impress}}\n    access:\n      ssh: {user: ${SSH_USER}}\n      sftp: {user: ${SFTP_USER}, chroot: ${path.join(root, 'chroot')}}\n      commandUser: nobody\n`,
    )
    const wrapper = path.join(root, 'bin', 'impress-keys')
    fs.writeFileSync(wrapper, `#!/bin/sh\nIMPRESS_HOME=${path.join(root, 'home')} exec ${process.execPath} ${BIN} "$@"\n`, {mode: 0o755})

    for (const [user, shell] of [[SSH_USER, '/bin/sh'], [SFTP_USER, '/usr/sbin/nologin']]) {
      await execa('useradd', ['-M', '-d', path.join(root, 'devhome'), '-s', shell, user])
      created.push(user)
      await execa('usermod', ['-p', '*', user]) // not locked ("!"), no password either: keys only
    }
    const fragment = await runCli(['access', 'install-sshd-config', '--config', configFile, '--command', wrapper, '--dry-run'], {env: sb.env})
    expect(fragment.exitCode, fragment.stderr).toBe(0)
    expect(fragment.stdout).toContain(`AuthorizedKeysCommand ${wrapper} access authorized-keys --config ${configFile} %u`)
    port = await freePort()
    const cfg = path.join(root, 'etc', 'sshd_config')
    fs.writeFileSync(
      cfg,
      [`Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${path.join(root, 'etc', 'host_ed25519')}`, `PidFile ${path.join(root, 'etc', 'sshd.pid')}`, 'AuthorizedKeysFile none', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'PubkeyAuthentication yes', 'UsePAM no', 'PermitRootLogin no', 'LogLevel VERBOSE', 'Subsystem sftp internal-sftp', fragment.stdout].join('\n'),
    )
    fs.mkdirSync('/run/sshd', {recursive: true, mode: 0o755}) // sshd's privilege separation directory
    const check = await execa(sshdBin, ['-t', '-f', cfg], {reject: false})
    expect(check.exitCode, check.stderr).toBe(0)
    sshd = spawn(sshdBin, ['-D', '-e', '-f', cfg], {stdio: ['ignore', 'ignore', 'pipe']})
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`sshd did not start:\n${sshdLog}`)), 10_000)
      sshd!.stderr!.on('data', (d) => {
        sshdLog += d
        if (sshdLog.includes('Server listening')) {
          clearTimeout(t)
          resolve()
        }
      })
      sshd!.once('exit', (code) => reject(new Error(`sshd exited ${code}:\n${sshdLog}`)))
    })
  }, 120_000)

  afterAll(async () => {
    sshd?.kill()
    for (const u of created) await execa('userdel', [u], {reject: false})
    if (root) fs.rmSync(root, {recursive: true, force: true})
    await sb?.stop()
  })

  it('a developer gets a shell; an admin gets SFTP and no shell', async () => {
    const dev = await ssh('dev', SSH_USER)
    expect(dev.exitCode, `${dev.stderr}\n${sshdLog}`).toBe(0)
    expect(dev.stdout.trim()).toBe('ok')
    const put = await sftp('admin', SFTP_USER)
    expect(put.exitCode, `${put.stderr}\n${sshdLog}`).toBe(0)
    expect(put.stdout).toMatch(/Remote working directory: \//)
    const shell = await ssh('admin', SFTP_USER, 'echo ok')
    expect(shell.stdout).not.toContain('ok')
    // The admin's key is not a developer's: no shell as the SSH user either.
    expect((await ssh('admin', SSH_USER)).exitCode).toBe(255)
  }, 120_000)

  it('a leaver and a 2048-bit key are refused', async () => {
    const leaver = await ssh('leaver', SSH_USER)
    expect(leaver.exitCode).toBe(255)
    expect(leaver.stderr).toMatch(/Permission denied \(publickey\)/)
    const weak = await ssh('weak', SSH_USER)
    expect(weak.exitCode).toBe(255)
    expect(weak.stderr).toMatch(/Permission denied \(publickey\)/)
    expect(sshdLog).toMatch(/left out weak@impress\.example's key SHA256:\S+: rsa 2048 bits is below the minimum of 3072/)
  }, 120_000)

  it("after access revoke, the member's next login fails", async () => {
    expect((await ssh('frank', SSH_USER)).exitCode).toBe(0)
    const r = await runCli(['access', 'revoke', people.frank.email, '--force', '--reason', 'sshd test', '--yes', '--config', configFile], {env: sb.env})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stderr).toContain(`remove ${people.frank.login} from the impress organisation`)
    const after = await ssh('frank', SSH_USER)
    expect(after.exitCode).toBe(255)
    expect(after.stderr).toMatch(/Permission denied \(publickey\)/)
    expect((await ssh('dev', SSH_USER)).stdout.trim()).toBe('ok')
  }, 120_000)
})
