import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {RefusedError} from '../../src/lib/errors.js'
import {Journal, Lock} from '../../src/lib/journal/journal.js'
import {tmpDir} from '../helpers/tmp.js'

const tmp = () => tmpDir('journal-')

describe('Journal', () => {
  it('runs each step once: a rerun resumes after the last done step', async () => {
    const dir = tmp()
    const j = Journal.create(dir, 'rollback', 'db', {t: 1})
    const calls: string[] = []
    await j.run('a', async () => (calls.push('a'), {id: 'x'}))
    await expect(j.run('b', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    const again = Journal.findRunning(dir, 'rollback', 'db')!
    expect(again.doc.steps.map((s) => [s.name, s.status])).toEqual([['a', 'done'], ['b', 'failed']])
    expect(await again.run('a', async () => (calls.push('a2'), {id: 'y'}))).toEqual({id: 'x'})
    await again.run('b', async () => (calls.push('b'), {}))
    expect(calls).toEqual(['a', 'b'])
    again.setStatus('done')
    expect(Journal.findRunning(dir, 'rollback', 'db')).toBeUndefined()
  })
})

describe('Lock', () => {
  it('a second holder is refused (exit 4) naming the owner; released locks can be taken', () => {
    const dir = tmp()
    const l = Lock.acquire(dir, 'op-db', 'aurora rollback of db')
    let err: unknown
    try {
      Lock.acquire(dir, 'op-db', 'aurora rollback of db')
    } catch (error) {
      err = error
    }
    expect(err).toBeInstanceOf(RefusedError)
    expect((err as RefusedError).exitCode).toBe(4)
    expect((err as RefusedError).message).toMatch(/locked by .+ \(pid \d+\)/)
    l.release()
    Lock.acquire(dir, 'op-db', 'x').release()
  })

  it('a lock left by a dead process on this host is taken over', () => {
    const dir = tmp()
    fs.mkdirSync(path.join(dir, 'locks'), {recursive: true})
    fs.writeFileSync(path.join(dir, 'locks', 'op.lock'), JSON.stringify({owner: 'x', pid: 999_999_99, host: os.hostname(), since: new Date().toISOString(), operation: 'x'}))
    expect(() => Lock.acquire(dir, 'op', 'x').release()).not.toThrow()
  })
})
