/** The inputs the bad-input sweep (input.test.ts) found mishandled, each pinned in-process. */
import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {demoRosterYaml} from '../../src/lib/compliance/demo-roster.js'
import {parseRoster} from '../../src/lib/compliance/roster.js'
import {parseConfig} from '../../src/lib/config/load.js'
import {LocalBackupStore} from '../../src/lib/firebase/local-store.js'
import {readManifest} from '../../src/lib/firebase/read-backup.js'
import {parseSince} from '../../src/lib/logs/range.js'
import {parseRolesFile} from '../../src/lib/roles/file.js'
import {SANDBOX_ROLES_YAML} from '../../src/lib/roles/sandbox-roles.js'
import {parseTime} from '../../src/lib/time/parse-time.js'
import {tmpDir} from '../helpers/tmp.js'
import {isMutating} from './input.js'

const now = new Date('2026-12-03T12:00:00Z')

describe('times and durations on the command line', () => {
  it('a relative time further back than any date is bad input (was: Invalid time value, a bug report, exit 1)', () => {
    expect(() => parseTime('99999999999999d ago', '--to-time', now)).toThrow(expect.objectContaining({exitCode: 2, message: expect.stringContaining('further back than any date')}))
    expect(() => parseTime('99999999999999d', '--to-time', now)).toThrow(expect.objectContaining({exitCode: 2}))
    // logs --since sent NaN to CloudWatch (SerializationException, exit 1)
    expect(() => parseSince('99999999999999d', '--since', now)).toThrow(expect.objectContaining({exitCode: 2, code: 'E_USAGE'}))
    expect(parseSince('2d', '--since', now).toISOString()).toBe('2026-12-01T12:00:00.000Z')
  })

  it('a day that is not on the calendar is refused, not rolled over (2026-02-30 was read as March 2)', () => {
    for (const day of ['2026-02-30', '2026-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00', '2026-01-32T00:00:00Z']) {
      expect(() => parseTime(day, '--since', now), day).toThrow(expect.objectContaining({exitCode: 2}))
    }
    expect(parseTime('2028-02-29', '--since', now).toISOString()).toBe('2028-02-29T00:00:00.000Z')
    expect(parseTime('2026-12-31T23:59:59Z', '--since', now).toISOString()).toBe('2026-12-31T23:59:59.000Z')
  })
})

describe('dates in the roster and the roles file', () => {
  it('a date with the shape YYYY-MM-DD that is not on the calendar is refused, naming the line (was: accepted; a leaver dated 2026-13-45 passed access review)', () => {
    const roster = demoRosterYaml(now)
    expect(parseRoster(roster, 'team.yaml').roster.members).toHaveLength(5)
    expect(() => parseRoster(roster.replace(/left: \S+/, 'left: 2026-13-45'), 'team.yaml')).toThrow(expect.objectContaining({exitCode: 2, message: expect.stringMatching(/team\.yaml:\d+: members\.4\.left: expected a date YYYY-MM-DD that exists/)}))
    expect(() => parseRoster(roster.replace(/expires: \S+/, 'expires: 2027-02-29'), 'team.yaml')).toThrow(expect.objectContaining({exitCode: 2, message: expect.stringContaining('exceptions.0.expires')}))
    expect(parseRolesFile(SANDBOX_ROLES_YAML, 'roles.yaml').data.applications.length).toBeGreaterThan(3)
    expect(() => parseRolesFile(SANDBOX_ROLES_YAML.replace('expires: 2025-09-30', 'expires: 2025-09-31'), 'roles.yaml')).toThrow(expect.objectContaining({exitCode: 2, message: expect.stringMatching(/roles\.yaml:\d+: .*expires/)}))
  })
})

describe('env: references in the configuration', () => {
  const config = (secret: string) => `environments:\n  prod:\n    auth0: {domain: example.eu.auth0.com, clientId: abc, clientSecret: "${secret}"}\n`
  it('"env:" followed by something that is not a variable name is a configuration error naming the path (was: used as the literal secret)', () => {
    for (const ref of ['env:', 'env:1ABC', 'env:A-B', 'env:A B', 'env:{X}']) {
      expect(() => parseConfig(config(ref), 'impress.config.yaml'), ref).toThrow(expect.objectContaining({exitCode: 2, message: expect.stringMatching(/impress\.config\.yaml:3: environments\.prod\.auth0\.clientSecret: expected env:NAME/)}))
    }
    expect(parseConfig(config('env:AUTH0_SECRET'), 'impress.config.yaml').environments.prod.auth0?.clientSecret).toBe('env:AUTH0_SECRET')
    expect(parseConfig(config('plain-value'), 'impress.config.yaml').environments.prod.auth0?.clientSecret).toBe('plain-value')
  })
})

describe('a damaged backup manifest', () => {
  const store = () => {
    const root = tmpDir('impress-manifest-')
    fs.mkdirSync(path.join(root, 'b1'))
    return {root, store: new LocalBackupStore(root), write: (text: string) => fs.writeFileSync(path.join(root, 'b1', 'manifest.json'), text)}
  }
  const good = {
    format: 'impress-firebase-backup/1',
    kind: 'rtdb',
    chunks: [{file: 'chunk-00001.ndjson.gz', sha256: 'ab', bytes: 10, rawBytes: 20, lines: 2}],
    totals: {lines: 2, count: 2, bytes: 10, rawBytes: 20},
    keys: {a: {count: 2, lines: 2, digest: 'cd'}},
    digest: 'ef',
  }

  it('is a corrupt backup (exit 3, E_BACKUP_CORRUPT) naming what is wrong, never a crash (was: "Unexpected end of JSON input", "manifest.chunks is not iterable": exit 1)', async () => {
    const s = store()
    s.write(JSON.stringify(good))
    expect(await readManifest(s.store, 'b1')).toMatchObject({kind: 'rtdb'})
    const cases: [string, RegExp][] = [
      [JSON.stringify(good).slice(0, 40), /manifest\.json not JSON/],
      ['[]', /is not a JSON object/],
      [JSON.stringify({...good, chunks: null}), /has no chunks list/],
      [JSON.stringify({...good, chunks: [{...good.chunks[0], file: '../../etc/passwd'}]}), /malformed chunks\[0\]/],
      [JSON.stringify({...good, totals: 'x'}), /malformed totals/],
      [JSON.stringify({...good, keys: {a: 7}}), /malformed keys\.a/],
      [JSON.stringify({...good, format: 'other/2'}), /has format "other\/2"/],
      [JSON.stringify({...good, kind: 7}), /has kind 7/],
      [JSON.stringify({...good, digest: undefined}), /has no digest/],
    ]
    for (const [text, message] of cases) {
      s.write(text)
      await expect(readManifest(s.store, 'b1'), text).rejects.toMatchObject({exitCode: 3, code: 'E_BACKUP_CORRUPT', message: expect.stringMatching(message)})
    }
  })
})

describe("the sweep's own rule for a request that changes the platform", () => {
  it('tells writes from reads across the protocols (query/JSON POSTs, REST, Firestore queries), the audit anchor aside', () => {
    const req = (service: string, operation: string, method = 'POST', path = '/') => ({service, operation, method, path})
    expect(isMutating(req('rds', 'DescribeDBClusters'))).toBe(false)
    expect(isMutating(req('rds', 'CreateDBClusterSnapshot'))).toBe(true)
    expect(isMutating(req('lambda', 'UpdateAlias', 'PUT'))).toBe(true)
    expect(isMutating(req('auth0', 'POST /oauth/token'))).toBe(false)
    expect(isMutating(req('auth0', 'POST /roles'))).toBe(true)
    expect(isMutating(req('auth0', 'GET /roles', 'GET'))).toBe(false)
    expect(isMutating(req('firebase', 'PATCH', 'PATCH', '/users.json'))).toBe(true)
    expect(isMutating(req('firestore', 'runQuery'))).toBe(false)
    expect(isMutating(req('s3', 'PutObject', 'PUT', '/impress-audit-anchors/audit/1.json'))).toBe(false)
    expect(isMutating(req('s3', 'PutObject', 'PUT', '/impress-backups/x'))).toBe(true)
  })
})
