/** Pure logic: the tree walk and the digests, with an in-memory database (fast-check properties). */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {compareKeys, forEachLeaf, joinPath, KeyStatsBuilder, type JsonValue} from '../../src/lib/firebase/format.js'
import type {RtdbPort} from '../../src/lib/firebase/ports.js'
import {walkTree, type WalkOptions} from '../../src/lib/firebase/walk.js'
import {OperationError} from '../../src/lib/errors.js'

type Style = 'compact' | 'pretty' | 'reversed'
/** JSON text of a value as a server might write it: compact, pretty-printed (line breaks), or with members in reverse order. */
function serialise(value: JsonValue, style: Style): string {
  if (style === 'pretty') return JSON.stringify(value, null, 1)
  if (style === 'compact' || value === null || typeof value !== 'object' || Array.isArray(value)) return JSON.stringify(value)
  return `{${Object.keys(value).reverse().map((k) => `${JSON.stringify(k)}:${serialise(value[k], style)}`).join(',')}}`
}

/** The walk's emit, given parsed values (the tests compare values; the walk hands over JSON bytes). */
function values(f: (segments: string[], value: JsonValue) => unknown): WalkOptions['emit'] {
  return (segments, text, start, end) => {
    const slice = text.toString('utf8', start, end)
    expect(slice).not.toMatch(/[\r\n]/) // every emitted subtree fits on one NDJSON line
    void f(segments, JSON.parse(slice) as JsonValue)
  }
}

/** A database answering like RTDB REST: too big above `limit` bytes of JSON (limits stay above a shallow read, as RTDB's 256 MB does). */
function memoryDb(tree: JsonValue, limit: number, style: Style = 'compact'): {get: RtdbPort['getRaw']; calls: number} {
  const db = {
    calls: 0,
    async get(path: string, o: {shallow?: boolean; orderByKey?: {startAt?: string; limitToFirst?: number}} = {}) {
      db.calls++
      let node: JsonValue = tree
      for (const s of path.split('/').filter(Boolean)) node = node !== null && typeof node === 'object' && !Array.isArray(node) ? (node[s] ?? null) : null
      let value: JsonValue = node
      if (o.shallow && node !== null && typeof node === 'object' && !Array.isArray(node)) {
        value = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, v !== null && typeof v === 'object' ? true : v]))
      } else if (o.orderByKey && node !== null && typeof node === 'object' && !Array.isArray(node)) {
        let keys = Object.keys(node).sort(compareKeys)
        if (o.orderByKey.startAt !== undefined) keys = keys.filter((k) => compareKeys(k, o.orderByKey!.startAt!) >= 0)
        if (o.orderByKey.limitToFirst !== undefined) keys = keys.slice(0, o.orderByKey.limitToFirst)
        value = keys.length ? Object.fromEntries(keys.map((k) => [k, (node as Record<string, JsonValue>)[k]])) : null
      }
      if (JSON.stringify(value).length > limit) return {tooBig: true as const}
      return {tooBig: false as const, raw: Buffer.from(serialise(value, style))}
    },
  }
  return db
}

const key = fc.oneof(fc.constantFrom('a', 'b', 'c', '0', '1', '10', '2', '-3', 'zz'), fc.stringMatching(/^[a-z0-9_-]{1,6}$/))
const leaf = fc.oneof(fc.string({maxLength: 30}), fc.integer(), fc.boolean())
const tree = fc.letrec((tie) => ({
  node: fc.oneof({depthSize: 'small', withCrossShrink: true}, leaf, fc.dictionary(key, tie('node'), {minKeys: 1, maxKeys: 12})),
})).node as fc.Arbitrary<JsonValue>
const root = fc.dictionary(key, tree, {minKeys: 1, maxKeys: 8})

function leaves(value: JsonValue): string[] {
  const out: string[] = []
  forEachLeaf('/', value, (p, v) => out.push(`${p}=${JSON.stringify(v)}`))
  return out
}

describe('walkTree', () => {
  it('emits every leaf exactly once, in key order, whatever the too_big limit and page size', async () => {
    await fc.assert(
      fc.asyncProperty(root, fc.integer({min: 600, max: 4000}), fc.integer({min: 1, max: 7}), fc.constantFrom<Style>('compact', 'pretty', 'reversed'), async (t, limit, pageSize, style) => {
        const expected = leaves(t)
        const emitted: string[] = []
        const db2 = memoryDb(t, limit, style)
        await walkTree({get: db2.get, pageSize, maxPage: 8, emit: values((segs, v) => forEachLeaf(joinPath(segs), v, (p, x) => void emitted.push(`${p}=${JSON.stringify(x)}`)))})
        expect(emitted).toEqual(expected)
      }),
      {numRuns: 150},
    )
  })

  it('resumes after any emitted line and ends with the same digest as an uninterrupted walk', async () => {
    await fc.assert(
      fc.asyncProperty(root, fc.integer({min: 600, max: 2000}), fc.nat(), async (t, limit, cut) => {
        const whole = new KeyStatsBuilder()
        const lines: string[][] = []
        await walkTree({get: memoryDb(t, limit).get, pageSize: 3, emit: values((segs, value) => {
          lines.push(segs)
          whole.addLine({path: joinPath(segs), value})
        })})
        const stop = cut % lines.length
        const resumed = new KeyStatsBuilder()
        let n = 0
        await walkTree({get: memoryDb(t, limit).get, pageSize: 3, emit: values((segs, value) => {
          if (n++ <= stop) resumed.addLine({path: joinPath(segs), value})
        })})
        await walkTree({get: memoryDb(t, limit).get, pageSize: 3, cursor: lines[stop], emit: values((segs, value) => resumed.addLine({path: joinPath(segs), value}))})
        expect(resumed.total()).toEqual(whole.total())
      }),
      {numRuns: 150},
    )
  })

  it('gives the same digest however the tree is split into lines', async () => {
    await fc.assert(
      fc.asyncProperty(root, fc.integer({min: 600, max: 3000}), async (t, limit) => {
        const split = new KeyStatsBuilder()
        await walkTree({get: memoryDb(t, limit).get, emit: values((segs, value) => split.addLine({path: joinPath(segs), value}))})
        const whole = new KeyStatsBuilder()
        for (const k of Object.keys(t as Record<string, JsonValue>)) whole.addLine({path: `/${k}`, value: (t as Record<string, JsonValue>)[k]})
        expect(split.snapshot()).toEqual(Object.fromEntries(Object.entries(whole.snapshot()).map(([k, s]) => [k, {...s, lines: split.snapshot()[k].lines}])))
        expect(split.total().digest).toBe(whole.total().digest)
      }),
      {numRuns: 150},
    )
  })

  it('pages a wide node instead of reading it whole', async () => {
    const wide: Record<string, JsonValue> = {}
    for (let i = 0; i < 1000; i++) wide[`k${i}`] = i
    const db = memoryDb({wide}, 2000)
    let lines = 0
    await walkTree({get: db.get, pageSize: 50, maxPage: 400, emit: async () => void lines++})
    expect(lines).toBe(1000)
    expect(db.calls).toBeLessThan(60)
  })

  it('fails with one line naming the path when an answer is not JSON (exit 1, E_RTDB_BAD_ANSWER)', async () => {
    const good = memoryDb({a: {x: 1}, b: {y: 2}}, 10_000)
    for (const bad of ['<html>login</html>', '{"x":1', '{"x":1}}', '', '"unterminated']) {
      const get: RtdbPort['getRaw'] = async (p, opts) => (p === '/b' && !opts?.shallow ? {tooBig: false, raw: Buffer.from(bad)} : good.get(p, opts))
      const error = await walkTree({get, emit: () => undefined}).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(OperationError)
      expect(error).toMatchObject({code: 'E_RTDB_BAD_ANSWER', exitCode: 1})
      expect((error as Error).message).toContain('/b')
      expect((error as Error).message).not.toContain('\n')
    }
  })
})
