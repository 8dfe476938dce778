import fs from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {tmpDir} from '../../helpers/tmp.js'
import {appendAudit, readAudit, verifyAudit} from '../../../src/lib/audit/log.js'

function tmpLog(): string {
  return path.join(tmpDir('audit-'), 'audit.jsonl')
}

async function fill(log: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await appendAudit(log, {time: new Date(Date.UTC(2026, 10, 20, i)).toISOString(), actor: {user: 'ops'}, command: i % 2 ? 'aurora rollback' : 'deploy', args: [`--n=${i}`], result: 'ok', exitCode: 0, durationMs: i})
  }
}

const lines = (log: string) => fs.readFileSync(log, 'utf8').split('\n').filter(Boolean)

describe('audit chain', () => {
  it('an untouched log verifies', async () => {
    const log = tmpLog()
    await fill(log, 5)
    expect(verifyAudit(log)).toMatchObject({ok: true, lines: 5})
  })

  it('an edited line is caught at that line', async () => {
    const log = tmpLog()
    await fill(log, 5)
    const l = lines(log)
    l[2] = l[2].replace('"result":"ok"', '"result":"failed"')
    fs.writeFileSync(log, l.join('\n') + '\n')
    expect(verifyAudit(log)).toMatchObject({ok: false, break: {line: 3}})
  })

  it('an edited line with a recomputed hash is caught at the next line', async () => {
    const log = tmpLog()
    await fill(log, 5)
    const {sealEntry} = await import('../../../src/lib/audit/chain.js')
    const l = lines(log)
    const {hash: _h, ...e} = JSON.parse(l[1])
    l[1] = sealEntry({...e, result: 'failed'})
    fs.writeFileSync(log, l.join('\n') + '\n')
    expect(verifyAudit(log)).toMatchObject({ok: false, break: {line: 3}})
  })

  it('a removed line, a reorder, and a removed last line are caught', async () => {
    for (const mutate of [(l: string[]) => l.splice(1, 1), (l: string[]) => ([l[1], l[2]] = [l[2], l[1]]), (l: string[]) => l.pop()]) {
      const log = tmpLog()
      await fill(log, 4)
      const l = lines(log)
      mutate(l)
      fs.writeFileSync(log, l.join('\n') + '\n')
      expect(verifyAudit(log).ok).toBe(false)
    }
  })

  it('filters by time and command', async () => {
    const log = tmpLog()
    await fill(log, 6)
    expect(readAudit(log, {command: 'aurora'}).length).toBe(3)
    expect(readAudit(log, {since: new Date(Date.UTC(2026, 10, 20, 4))}).length).toBe(2)
  })

  it('concurrent writers from several processes never interleave or lose a line', async () => {
    const log = tmpLog()
    const script = `
      import {appendAudit} from ${JSON.stringify(new URL('../../../dist/lib/audit/log.js', import.meta.url).href)}
      const id = process.argv[2]
      await Promise.all(Array.from({length: 15}, (_, i) => appendAudit(process.argv[1], {time: new Date().toISOString(), actor: {user: id}, command: 'x', args: [String(i)], result: 'ok', exitCode: 0, durationMs: 0})))
    `
    await Promise.all(['a', 'b', 'c', 'd'].map((id) => execa(process.execPath, ['--input-type=module', '-e', script, log, id])))
    expect(lines(log)).toHaveLength(60)
    expect(verifyAudit(log)).toMatchObject({ok: true, lines: 60})
  })
})
