/** The record of the last `notify test` the security report reads. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {lastTestFile, readLastTest, recordTest} from '../../src/lib/notify/last-test.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'notify-record-'))
afterAll(() => fs.rmSync(dir, {recursive: true, force: true}))

describe('notify test record', () => {
  it('reads back what was recorded, in a data directory created on demand; none or unreadable is undefined', () => {
    const data = path.join(dir, 'data', 'prod')
    expect(readLastTest(data)).toBeUndefined()
    const at = new Date('2026-12-01T10:00:00Z')
    recordTest(data, [{channel: 'webhook', ok: true}, {channel: 'email', ok: false, error: 'ECONNREFUSED'}], at)
    expect(readLastTest(data)).toEqual({at: '2026-12-01T10:00:00.000Z', channels: [{channel: 'webhook', ok: true}, {channel: 'email', ok: false, error: 'ECONNREFUSED'}]})
    expect(fs.readdirSync(data)).toEqual(['notify-last-test.json'])
    fs.writeFileSync(lastTestFile(data), '{"at": 3')
    expect(readLastTest(data)).toBeUndefined()
  })
})
