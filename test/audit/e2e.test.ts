/**
 * End to end (bin/run.js against an in-process sandbox): the audit log is signed with the
 * sandbox's Secrets Manager key and anchored in its S3; an attacker who can write the log's
 * folder and recomputes every hash is caught; a broken log stops mutating commands (exit 4)
 * until `audit acknowledge`; the actor is the same person whatever the command.
 */
import fs from 'node:fs'
import path from 'node:path'
import {GetSecretValueCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {entryBody, sha256, type AuditEntry, type AuditHead} from '../../src/lib/audit/chain.js'
import {verifyAudit} from '../../src/lib/audit/log.js'
import {hasStackTrace, runCli} from '../helpers/cli.js'
import {awsTestConfig, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

let sb: TestSandbox
const outputs: string[] = []
const cli = async (args: string[], env: Record<string, string> = {}) => {
  const r = await runCli(args, {env: {...sb.env, ...env}, cwd: sb.cwd, timeout: 60_000})
  outputs.push(r.stdout, r.stderr)
  return r
}
const logPath = () => path.join(sb.home, 'audit.jsonl')
const readLines = () => fs.readFileSync(logPath(), 'utf8').split('\n').filter(Boolean)

/** What someone who can write the folder (but has no key) does: change entries, then make every hash and the head agree. */
function forge(edit: (entries: AuditEntry[]) => void, options: {stripSignatures?: boolean} = {}): void {
  const entries = readLines().map((l) => JSON.parse(l) as AuditEntry)
  edit(entries)
  let prev = '0'.repeat(64)
  const out: string[] = []
  for (const e of entries) {
    e.prev = prev
    if (options.stripSignatures) delete e.sig
    const {sig, ...rest} = e
    const hash = sha256(entryBody({...rest, hash: ''} as AuditEntry))
    const line = JSON.stringify({...rest, hash, ...(sig ? {sig} : {})})
    out.push(line)
    prev = sha256(line)
  }
  const text = out.join('\n') + '\n'
  fs.writeFileSync(logPath(), text)
  const oldHead = JSON.parse(fs.readFileSync(`${logPath()}.head`, 'utf8')) as AuditHead
  const head: AuditHead = {lines: out.length, last: prev, bytes: Buffer.byteLength(text), ...(oldHead.sig && !options.stripSignatures ? {sig: oldHead.sig} : {})}
  fs.writeFileSync(`${logPath()}.head`, JSON.stringify(head))
}

const refusedToOk = (entries: AuditEntry[]) => {
  const e = entries.find((x) => x.result === 'refused')!
  e.result = 'ok'
  e.exitCode = 0
  delete e.error
}

beforeAll(async () => {
  sb = await startTestSandbox()
})
afterAll(async () => sb.stop())

describe('impress audit (end to end)', () => {
  let saved: {log: string; head: string}

  it('signs every entry and the head; an attacker who rewrites `refused` as `ok` and recomputes every hash is caught (exit 3)', async () => {
    expect((await cli(['sandbox', 'reset'])).exitCode).toBe(4)
    expect((await cli(['sandbox', 'reset', '--dry-run'])).exitCode).toBe(0)
    const ok = await cli(['audit', 'verify', '--json'])
    expect(ok.exitCode, ok.stderr).toBe(0)
    const doc = JSON.parse(ok.stdout)
    expect(doc).toMatchObject({ok: true, lines: 2, signed: 2, signedThrough: 2, signatures: {status: 'checked', key: 'impress/audit/hmac'}})
    const entries = readLines().map((l) => JSON.parse(l) as AuditEntry)
    expect(entries.map((e) => [e.seq, e.result, typeof e.sig?.mac])).toEqual([
      [1, 'refused', 'string'],
      [2, 'dry-run', 'string'],
    ])
    saved = {log: fs.readFileSync(logPath(), 'utf8'), head: fs.readFileSync(`${logPath()}.head`, 'utf8')}

    forge(refusedToOk)
    // The hash chain alone is fooled: this is the attack the signatures exist for.
    expect(verifyAudit(logPath()).ok).toBe(true)
    const bad = await cli(['audit', 'verify'])
    expect(bad.exitCode).toBe(3)
    expect(bad.stderr).toMatch(/^Error: Audit log .+: line 1 has a signature that does not match it: it was rewritten by someone without the signing key\.$/m)
    expect(hasStackTrace(bad.stderr)).toBe(false)
    const j = JSON.parse((await cli(['audit', 'verify', '--json'])).stdout)
    expect(j.error).toMatchObject({code: 'E_AUDIT_BROKEN', exitCode: 3, details: {line: 1}})

    // Stripping the signatures instead: no line is signed, and the anchor of line 1 no longer matches.
    fs.writeFileSync(logPath(), saved.log)
    fs.writeFileSync(`${logPath()}.head`, saved.head)
    forge(refusedToOk, {stripSignatures: true})
    const stripped = JSON.parse((await cli(['audit', 'verify', '--json'])).stdout)
    expect(stripped.error.exitCode).toBe(3)
    const reasons = stripped.error.details.problems.map((p: {line: number; reason: string}) => `${p.line} ${p.reason}`).join('\n')
    expect(reasons).toMatch(/^1 starts a log in which no line is signed/m)
    expect(reasons).toMatch(/^1 differs from the anchor s3:\/\/impress-audit-anchors\/audit\/[0-9a-f]{16}\/000000000001-[0-9a-f]{64}\.json/m)
  }, 180_000)

  it('a log that does not verify stops the next mutating command (exit 4) until `audit acknowledge` records who accepted it', async () => {
    fs.writeFileSync(logPath(), saved.log)
    fs.writeFileSync(`${logPath()}.head`, saved.head)
    forge(refusedToOk)
    const before = readLines().length
    const refused = await cli(['sandbox', 'reset', '--dry-run'])
    expect(refused.exitCode).toBe(4)
    expect(refused.stderr).toMatch(/^Error: The audit log .+ does not verify: its last line has a signature that does not match .+ Refusing to append to it\.$/m)
    expect(refused.stderr).toMatch(/^Hint: .*impress audit acknowledge --reason/m)
    expect(readLines()).toHaveLength(before)

    // The head and the file must agree too: a line appended by hand is refused, whatever it says.
    fs.appendFileSync(logPath(), '{"note":"appended by hand"}\n')
    expect((await cli(['sandbox', 'reset', '--dry-run'])).stderr).toMatch(/does not verify: its last line is not a valid entry|does not verify: its last line was edited/)
    fs.writeFileSync(logPath(), readLines().slice(0, before).join('\n') + '\n')

    expect((await cli(['audit', 'acknowledge', '--reason', 'tamper drill'])).exitCode).toBe(4)
    const ack = await cli(['audit', 'acknowledge', '--reason', 'tamper drill INC-7', '--yes', '--json'], {IMPRESS_ACTOR: 'alice@impress.example'})
    expect(ack.exitCode, ack.stderr).toBe(0)
    const a = JSON.parse(ack.stdout)
    expect(a).toMatchObject({acknowledged: true, line: before + 1, by: 'alice@impress.example', signed: true})
    expect(a.problems[0]).toMatchObject({line: 1})
    const entry = JSON.parse(readLines().at(-1)!) as AuditEntry
    expect(entry).toMatchObject({command: 'audit acknowledge', actor: {user: 'alice@impress.example'}, ack: {reason: 'tamper drill INC-7'}})
    expect(entry.sig?.mac).toMatch(/^[0-9a-f]{64}$/)

    expect((await cli(['sandbox', 'reset', '--dry-run'])).exitCode).toBe(0)
    const v = JSON.parse((await cli(['audit', 'verify', '--json'])).stdout)
    expect(v.ok).toBe(true)
    expect(v.acknowledgements).toEqual([expect.objectContaining({line: before + 1, by: 'alice@impress.example', reason: 'tamper drill INC-7'})])
    expect((await cli(['audit', 'verify'])).stdout).toMatch(/Acknowledged at line 3 by alice@impress\.example .*"tamper drill INC-7"/)

    // Changing a line the acknowledgement accepted is a new problem: it fixed the log's digest.
    const good = fs.readFileSync(logPath(), 'utf8')
    const lines = readLines()
    lines[1] = lines[1].replace('"dry-run"', '"ok"')
    fs.writeFileSync(logPath(), lines.join('\n') + '\n')
    const again = JSON.parse((await cli(['audit', 'verify', '--json'])).stdout)
    expect(again.error.details.problems.filter((p: {acknowledgedAt?: number}) => !p.acknowledgedAt).map((p: {line: number}) => p.line)).toContain(3)
    fs.writeFileSync(logPath(), good)
  }, 180_000)

  it('says which entries an anchor covers and which not yet; a destructive command anchors at once; a rollback to an older head is caught by its anchor', async () => {
    const first = JSON.parse((await cli(['audit', 'verify', '--json'])).stdout)
    expect(first.ok).toBe(true)
    const lines = first.lines as number
    expect(first.anchors).toMatchObject({status: 'checked', coveredThrough: expect.any(Number)})
    expect(first.anchors.coveredThrough).toBeLessThan(lines)
    expect(first.anchors.notCovered).toEqual({from: first.anchors.coveredThrough + 1, to: lines})
    expect((await cli(['audit', 'verify'])).stdout).toMatch(new RegExp(`line[s]? .*covered by an anchor; line[s]? ${first.anchors.coveredThrough + 1}.* not anchored yet`))

    const oldLog = fs.readFileSync(logPath(), 'utf8')
    const oldHead = fs.readFileSync(`${logPath()}.head`, 'utf8')
    // `sandbox reset --yes` confirms a destructive step: anchored right after it (its own reset wipes older anchors).
    expect((await cli(['sandbox', 'reset', '--yes'])).exitCode).toBe(0)
    const after = JSON.parse((await cli(['audit', 'verify', '--json'])).stdout)
    expect(after.anchors).toMatchObject({coveredThrough: lines + 1, covered: {from: 1, to: lines + 1}})
    expect(after.anchors.notCovered).toBeUndefined()
    expect((await cli(['audit', 'verify'])).stdout).toMatch(/every entry anchored/)

    // The attacker puts back an older, genuinely signed state: locally consistent, but the anchor says more lines existed.
    fs.writeFileSync(logPath(), oldLog)
    fs.writeFileSync(`${logPath()}.head`, oldHead)
    const rolled = await cli(['audit', 'verify', '--json'])
    expect(rolled.exitCode).toBe(3)
    expect(JSON.parse(rolled.stdout).error.message).toMatch(new RegExp(`line ${lines + 1} is missing: the anchor s3://impress-audit-anchors/.+ records ${lines + 1} lines`))
  }, 180_000)

  it('records one actor per person: a Firebase and an AWS command show the same actor, with the cloud identity beside it; audit log filters by --actor and --env', async () => {
    const ack = await cli(['audit', 'acknowledge', '--reason', 'rollback test', '--yes'])
    expect(ack.exitCode, ack.stderr).toBe(0)
    expect((await cli(['firebase', 'prune', '--json'])).exitCode).toBe(0)
    const snap = await cli(['aurora', 'snapshot', '--yes', '--json'])
    expect(snap.exitCode, snap.stderr).toBe(0)
    const entries = readLines().map((l) => JSON.parse(l) as AuditEntry)
    const fb = entries.find((e) => e.command === 'firebase prune')!
    const aws = entries.find((e) => e.command === 'aurora snapshot')!
    expect(fb.actor.user).toMatch(/^.+@.+$/)
    expect(aws.actor.user).toBe(fb.actor.user)
    expect(aws.actor.cloud).toBe('arn:aws:iam::000000000000:user/sandbox-operator')

    const table = (await cli(['audit', 'log', '--env', 'sandbox'])).stdout
    expect(table).toMatch(/time\s+env\s+actor\s+command/)
    const row = (cmd: string) => table.split('\n').find((l) => l.includes(cmd))!
    const actorCol = (l: string) => l.split(/\s{2,}/)[2]
    expect(actorCol(row('firebase prune'))).toBe(fb.actor.user)
    expect(actorCol(row('aurora snapshot'))).toBe(fb.actor.user)
    expect(row('aurora snapshot').split(/\s{2,}/)[1]).toBe('sandbox')

    const byAlice = JSON.parse((await cli(['audit', 'log', '--actor', 'ALICE@impress', '--json'])).stdout).entries
    expect(byAlice.map((e: AuditEntry) => e.command)).toEqual(['audit acknowledge'])
    const byCloud = JSON.parse((await cli(['audit', 'log', '--actor', 'sandbox-operator', '--json'])).stdout).entries
    expect(byCloud.map((e: AuditEntry) => e.command)).toContain('aurora snapshot')
    expect(JSON.parse((await cli(['audit', 'log', '--env', 'sandbox', '--json'])).stdout).entries.length).toBe(entries.length)
  }, 180_000)

  it('the signing key appears in no output, log, head, anchor or cache file', async () => {
    const sm = new SecretsManagerClient(awsTestConfig(sb.url))
    const key = (await sm.send(new GetSecretValueCommand({SecretId: 'impress/audit/hmac'}))).SecretString!
    sm.destroy()
    expect(key.length).toBeGreaterThanOrEqual(16)
    outputs.push((await cli(['audit', 'verify', '--json', '--verbose'])).stdout, (await cli(['audit', 'log', '--json', '--verbose'])).stdout)
    for (const text of outputs) expect(text).not.toContain(key)
    const files: string[] = []
    const walk = (dir: string) => {
      for (const d of fs.readdirSync(dir, {withFileTypes: true})) {
        const p = path.join(dir, d.name)
        if (d.isDirectory()) {
          if (p !== path.join(sb.stateDir, 'state', 'secretsmanager')) walk(p)
        } else files.push(p)
      }
    }
    walk(sb.home)
    expect(files.some((f) => f.endsWith('.bin'))).toBe(true) // the anchors' bytes, in the sandbox's S3
    for (const f of files) expect(fs.readFileSync(f).includes(key), f).toBe(false)
  }, 180_000)
})
