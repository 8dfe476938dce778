/**
 * The RTDB emulation at scale: its own line-based persistence (no whole-tree string, written when
 * idle and on stop), streamed answers for big reads, and size/key-order caches that a write on
 * the path invalidates (too_big stays exact).
 */
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {SandboxHost} from '../../src/lib/sandbox/host.js'
import {readTreeFile, treeLines, writeTreeFile, applyLine} from '../../src/lib/sandbox/services/rtdb/persist.js'
import {normalize, type RtdbNode} from '../../src/lib/sandbox/services/rtdb/tree.js'
import {tempHome} from '../helpers/cli.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

const key = fc.stringMatching(/^[a-z0-9_-]{1,6}$/)
const leaf = fc.oneof(fc.string({maxLength: 20}), fc.integer(), fc.boolean())
const tree = fc.letrec((tie) => ({node: fc.oneof({depthSize: 'small'}, leaf, fc.dictionary(key, tie('node'), {minKeys: 1, maxKeys: 6}))})).node

/** A tree of about `mb` MB: /wide/k<i> = {a: <~1 KB string>, n: i}. */
function bigTree(mb: number): RtdbNode {
  const wide: Record<string, unknown> = {}
  for (let i = 0; i < mb * 1024; i++) wide[`k${i}`] = {a: 'v'.repeat(1000), n: i}
  return normalize({wide, small: {x: 1}})
}

describe('RTDB emulation persistence', () => {
  it('writes a tree as lines that rebuild it exactly', () => {
    fc.assert(
      fc.property(tree, (t) => {
        const root = normalize(t)
        let rebuilt: RtdbNode = null
        for (const line of treeLines(root)) rebuilt = applyLine(rebuilt, line)
        expect(rebuilt).toEqual(root)
      }),
      {numRuns: 200},
    )
  })

  it('splits a big tree into lines of about 1 MB and reads the file back', () => {
    const t = tempHome()
    try {
      const root = bigTree(5)
      const file = path.join(t.home, 'tree.ndjson')
      writeTreeFile(file, root)
      const lines = fs.readFileSync(file, 'utf8').trim().split('\n')
      expect(lines.length).toBeGreaterThanOrEqual(5)
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(2.2 * 1024 * 1024)
      expect(readTreeFile(file)).toEqual(root)
    } finally {
      t.cleanup()
    }
  })
})

describe('RTDB emulation at scale (over HTTP)', () => {
  let sb: TestSandbox
  const scratch = (p: string, q = '') => `${sb.url}${p}.json?ns=impress-sandbox-scratch&access_token=owner${q}`
  beforeAll(async () => {
    sb = await startTestSandbox({timeScale: 0.0005})
  })
  afterAll(async () => sb.stop())

  it('streams a big answer (chunked) that parses to the stored data, and survives a client that leaves early', async () => {
    const big = bigTree(6)
    // Written in PATCHes under the 16 MB limit, as a restore does.
    const wide = (big as {wide: Record<string, unknown>}).wide
    const keys = Object.keys(wide)
    for (let i = 0; i < keys.length; i += 2000) {
      const body = Object.fromEntries(keys.slice(i, i + 2000).map((k) => [`wide/${k}`, wide[k]]))
      expect((await fetch(scratch('/', '&print=silent'), {method: 'PATCH', body: JSON.stringify(body)})).status).toBe(204)
    }
    await fetch(scratch('/small'), {method: 'PUT', body: JSON.stringify({x: 1})})
    const r = await fetch(scratch('/'))
    expect(r.status).toBe(200)
    expect(r.headers.get('content-length')).toBeNull()
    expect(await r.json()).toEqual(big)
    // A client that stops reading after the first bytes: the sandbox stops and keeps answering.
    const partial = await fetch(scratch('/'))
    const reader = partial.body!.getReader()
    await reader.read()
    await reader.cancel()
    expect(await (await fetch(scratch('/small'))).json()).toEqual({x: 1})
  })

  it('keeps too_big exact after writes under a node whose size it remembers', async () => {
    await fetch(scratch('/.settings/sandbox'), {method: 'PUT', body: JSON.stringify({maxResponseBytes: 7 * 1024 * 1024})})
    try {
      expect((await fetch(scratch('/wide'))).status).toBe(200) // ~6 MB: measured and remembered
      await fetch(scratch('/wide/extra'), {method: 'PUT', body: JSON.stringify('w'.repeat(1536 * 1024))})
      const r = await fetch(scratch('/wide'))
      expect(r.status).toBe(400)
      expect(((await r.json()) as {error: string}).error).toMatch(/exceeds the maximum size/)
      await fetch(scratch('/wide/extra'), {method: 'DELETE'})
      expect((await fetch(scratch('/wide'))).status).toBe(200)
      // The key order is re-learned after a write too.
      await fetch(scratch('/wide/k-first'), {method: 'PUT', body: '1'})
      const page = (await (await fetch(scratch('/wide', `&orderBy=${encodeURIComponent('"$key"')}&startAt=${encodeURIComponent('"k-"')}&limitToFirst=2`))).json()) as object
      expect(Object.keys(page)).toEqual(['k-first', 'k0'])
    } finally {
      await fetch(scratch('/.settings/sandbox'), {method: 'PUT', body: JSON.stringify({maxResponseBytes: 256 * 1024 * 1024})})
    }
  })

  it('persists the trees as line files (not state documents) and finds them again after a restart', async () => {
    await fetch(scratch('/kept'), {method: 'PUT', body: JSON.stringify({a: {b: 'c'}})})
    await sb.host.stop()
    const file = path.join(sb.stateDir, 'state', 'rtdb', 'tree-impress-sandbox-scratch.ndjson')
    expect(fs.existsSync(file)).toBe(true)
    expect(fs.existsSync(path.join(sb.stateDir, 'state', 'rtdb', 'db-impress-sandbox-scratch.json'))).toBe(false)
    const again = new SandboxHost({stateDir: sb.stateDir, port: 0})
    const info = await again.start()
    try {
      const r = await fetch(`${info.url}/kept.json?ns=impress-sandbox-scratch&access_token=owner`)
      expect(await r.json()).toEqual({a: {b: 'c'}})
      const wide = await fetch(`${info.url}/wide.json?ns=impress-sandbox-scratch&access_token=owner&shallow=true`)
      expect(Object.keys((await wide.json()) as object)).toHaveLength(6 * 1024 + 1)
    } finally {
      await again.stop()
    }
  })

  it('reads a database kept by an older sandbox as a state document', async () => {
    const t = tempHome()
    const stateDir = path.join(t.home, 'sandbox')
    fs.mkdirSync(path.join(stateDir, 'state', 'rtdb'), {recursive: true})
    fs.writeFileSync(path.join(stateDir, 'state', 'rtdb', 'db-impress-sandbox-scratch.json'), JSON.stringify({root: {old: {format: true}}}))
    const host = new SandboxHost({stateDir, port: 0})
    const info = await host.start()
    try {
      expect(await (await fetch(`${info.url}/old.json?ns=impress-sandbox-scratch&access_token=owner`)).json()).toEqual({format: true})
    } finally {
      await host.stop()
      t.cleanup()
    }
  })
})
