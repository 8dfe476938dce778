/** The byte-level digests (addEncodedLines, addRaw) equal addLine(JSON.parse(...)) whatever form the JSON text takes. */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {KeyStatsBuilder, type BackupLine, type JsonValue} from '../../src/lib/firebase/format.js'

// Keys: plain, integer-like (database order puts them first, numerically), unicode incl. astral and U+E000+.
const key = fc.oneof(
  fc.stringMatching(/^[a-z0-9_-]{1,5}$/),
  fc.constantFrom('0', '10', '-3', '007', '7', '2147483648', '-0', '00', 'é', '😀', '\uffff', 'a"b', 'k\\', 'x/y', 'Z'),
  fc.string({unit: 'grapheme', minLength: 1, maxLength: 4}),
)
const str = fc.oneof(fc.string({maxLength: 12}), fc.string({unit: 'grapheme', maxLength: 6}), fc.constantFrom('é', '😀', '/', '"q"', 'a\\b', '\t', ''))
const num = fc.oneof(fc.integer(), fc.constantFrom(0, -0, 1, 1.5, 1000, 2 ** 60, -(2 ** 53), 1e21, 0.1))
const leaf = fc.oneof(str, num, fc.boolean(), fc.constant(null))
const tree: fc.Arbitrary<JsonValue> = fc.letrec<{v: JsonValue}>((tie) => ({
  v: fc.oneof({depthSize: 'small', withCrossShrink: true}, leaf, fc.array(tie('v'), {maxLength: 4}), fc.dictionary(key, tie('v'), {maxKeys: 5})),
})).v

/** JSON text of `v` in a varied form: keys shuffled, escapes, number spellings, whitespace. */
function serialise(v: JsonValue, r: () => number): string {
  const ws = () => [' ', '', '\t', ''][Math.floor(r() * 4)]
  if (v === null) return 'null'
  if (typeof v === 'boolean') return String(v)
  if (typeof v === 'number') {
    if (Object.is(v, -0)) return '-0'
    const x = r()
    if (Number.isInteger(v) && Math.abs(v) < 1e15 && x < 0.2) return `${v}.0`
    if (v === 1000 && x < 0.6) return '1e3'
    if (x < 0.1) return v.toExponential()
    return JSON.stringify(v)
  }
  if (typeof v === 'string') return escapeSome(v, r)
  if (Array.isArray(v)) return `[${ws()}${v.map((e) => serialise(e, r)).join(`${ws()},${ws()}`)}${ws()}]`
  const keys = Object.keys(v)
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1))
    ;[keys[i], keys[j]] = [keys[j], keys[i]]
  }
  return `{${ws()}${keys.map((k) => `${escapeSome(k, r)}${ws()}:${ws()}${serialise(v[k], r)}`).join(`${ws()},`)}${ws()}}`
}

function escapeSome(s: string, r: () => number): string {
  const x = r()
  if (x < 0.6) return JSON.stringify(s)
  // \uXXXX for every non-ASCII code unit, or \/ for slashes
  if (x < 0.8) return JSON.stringify(s).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return JSON.stringify(s).replace(/\//g, '\\/')
}

const rng = (seed: number) => {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 2 ** 32
  }
}

const lineSpecs = fc.array(fc.record({top: fc.constantFrom('a', 'b', '1', 'é', '😀'), rest: fc.array(key, {maxLength: 2}), value: tree, valueFirst: fc.boolean()}), {minLength: 1, maxLength: 12})

function expected(lines: BackupLine[]): KeyStatsBuilder {
  const k = new KeyStatsBuilder()
  for (const l of lines) k.addLine(l)
  return k
}

describe('byte-level leaf digests', () => {
  it('addEncodedLines gives the same snapshot and total as addLine(JSON.parse(line)) over varied serialisations', () => {
    fc.assert(
      fc.property(lineSpecs, fc.integer(), (specs, seed) => {
        const r = rng(seed)
        const texts = specs.map((s) => {
          const path = `/${[s.top, ...s.rest].join('/')}`
          const value = serialise(s.value, r)
          return s.valueFirst ? `{"value":${value},"path":${JSON.stringify(path)}}` : ` {"path" : ${JSON.stringify(path)}, "value":${value}} `
        })
        const want = expected(texts.map((t) => JSON.parse(t) as BackupLine))
        const got = new KeyStatsBuilder()
        got.addEncodedLines(Buffer.from(`${texts.join('\n')}\n\n`))
        expect(got.snapshot()).toEqual(want.snapshot())
        expect(got.total()).toEqual(want.total())
      }),
      {numRuns: 300},
    )
  })

  it('takes the byte path (no fallback) for JSON.stringify lines without duplicate keys or escaped paths', () => {
    fc.assert(
      fc.property(lineSpecs, (specs) => {
        const lines = specs.map((s) => ({path: `/${[s.top, ...s.rest.filter((k) => !/["\\]/.test(k))].join('/')}`, value: s.value}))
        const got = new KeyStatsBuilder()
        got.addEncodedLines(Buffer.from(lines.map((l) => `${JSON.stringify(l)}\n`).join('')))
        expect(got.fallbackLines).toBe(0)
        expect(got.total()).toEqual(expected(lines).total())
      }),
      {numRuns: 200},
    )
  })

  it('addRaw gives the same result as addLine({path, value: JSON.parse(text)}), also for lone surrogates in the path', () => {
    fc.assert(
      fc.property(fc.array(fc.record({path: fc.oneof(fc.constantFrom('/', '/a', '/a/\ud800', '/1/b', ''), fc.string({maxLength: 8}).map((s) => `/x/${s}`)), value: tree}), {minLength: 1, maxLength: 8}), fc.integer(), (specs, seed) => {
        const r = rng(seed)
        const got = new KeyStatsBuilder()
        for (const s of specs) {
          const text = Buffer.from(`  ${serialise(s.value, r)} `)
          const b = Buffer.concat([Buffer.from('xx'), text, Buffer.from('yy')])
          got.addRaw(s.path, b, 2, 2 + text.length)
        }
        const want = expected(specs.map((s) => ({path: s.path, value: s.value})))
        expect(got.snapshot()).toEqual(want.snapshot())
        expect(got.total()).toEqual(want.total())
      }),
      {numRuns: 200},
    )
  })

  it('handles database key order, duplicates, -0, big numbers, escapes and "/" paths', () => {
    const lines = [
      '{"path":"/a","value":{"z":1,"10":2,"9":3,"-3":4,"007":5,"7":6,"b":{"y":[1,null,{"d":true,"c":false}],"x":{}}}}',
      '{"path":"/a/b","value":{"k":1,"k":2,"j":3}}',
      '{"path":"/c","value":{"n":[-0,1.0,1e3,1152921504606846976,0.1,-12,123456789012345,1234567890123456]}}',
      '{"path":"/d","value":{"s":"\\u00e9\\/\\"x\\"","\\u0031":"\\ud83d\\ude00","\\ud800":"\\udc00"}}',
      '{"path":"/","value":{"e":{"":{"f":1}},"g":"😀"}}',
      '{"path":"/h","value":"only"}',
      '{"path":"/i","value":{"😀":1,"\uffff":2,"\ue000":3,"a":4}}',
      '{"path":"/j","value":null}',
      '{"path":"/k","value":{"a":1},"extra":true}',
      '{"path":"\\/e\\/x","value":1}',
    ]
    const want = expected(lines.map((l) => JSON.parse(l) as BackupLine))
    const got = new KeyStatsBuilder()
    got.addEncodedLines(Buffer.from(`${lines.join('\n')}\n`))
    expect(got.snapshot()).toEqual(want.snapshot())
    expect(got.total()).toEqual(want.total())
    // The duplicate key, the extra member and the escaped path take the old path; the rest the bytes.
    expect(got.fallbackLines).toBe(3)
  })

  it('a line longer than the output buffer, and many lines across windows, give the same digests', () => {
    const big = {path: '/big', value: {s: 'x'.repeat(600_000), t: Object.fromEntries(Array.from({length: 30_000}, (_, i) => [`k${i}`, i]))}}
    const many = Array.from({length: 20_000}, (_, i) => ({path: `/m/${i}`, value: {a: 'y'.repeat(100), b: i}}))
    const lines: BackupLine[] = [...many.slice(0, 10_000), big, ...many.slice(10_000)]
    const got = new KeyStatsBuilder()
    got.addEncodedLines(Buffer.from(lines.map((l) => `${JSON.stringify(l)}\n`).join('')))
    expect(got.fallbackLines).toBe(0)
    expect(got.total()).toEqual(expected(lines).total())
  })

  it('throws on invalid JSON as JSON.parse does, and adds nothing for that line', () => {
    const good = '{"path":"/a/x","value":{"v":1}}'
    for (const bad of ['{"path":"/a/b","value":{"x":1,}}', '{"path":"/a/b","value":tru}', '{"path":"/a/b","value":"a\tb"}', '{"path":"/a/b","value":01}',
      '{"path":"/a/b","value":[1 2]}', '{"path":"/a/b","value":{"x" 1}}', '{"path":"/a/b","value":"\\x"}', '{"path":"/a/b","value":{"x":1}} x', '   ',
      '{"path":"/z","value":{"x":[1,{"y":"' + 'w'.repeat(300_000) + '"},tru]}}', '{"path":"/a/b","value":1.}', '{"path":"/a/b","value":-}']) {
      const got = new KeyStatsBuilder()
      got.addEncodedLines(Buffer.from(`${good}\n`))
      const before = got.total()
      expect(() => JSON.parse(bad)).toThrow(SyntaxError)
      expect(() => got.addEncodedLines(Buffer.from(`${bad}\n`)), bad.slice(0, 40)).toThrow(SyntaxError)
      expect(got.total()).toEqual(before)
      expect(Object.keys(got.snapshot())).toEqual(['a'])
      const raw = new KeyStatsBuilder()
      const value = bad.slice(bad.indexOf('"value":') + 8, -1)
      if (value.length > 0) expect(() => raw.addRaw('/a/b', Buffer.from(value), 0, value.length)).toThrow(SyntaxError)
    }
    expect(() => new KeyStatsBuilder().addEncodedLines(Buffer.from(good))).toThrow(/line break/)
  })

  it('invalid UTF-8 gives the same result as decoding the bytes (as the worker did)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({v: fc.string({maxLength: 6}), junk: fc.uint8Array({minLength: 1, maxLength: 4}).map((a) => a.map((x) => 0x80 | x))}), {minLength: 1, maxLength: 6}), (specs) => {
        const parts = specs.map((s) => Buffer.concat([Buffer.from(`{"path":"/u/x","value":{"k":${JSON.stringify(s.v)},"j":"`), Buffer.from(s.junk), Buffer.from('"}}\n')]))
        const data = Buffer.concat(parts)
        const want = new KeyStatsBuilder()
        const text = new TextDecoder().decode(data)
        for (const l of text.split('\n')) if (l) want.addLine(JSON.parse(l) as BackupLine)
        const got = new KeyStatsBuilder()
        got.addEncodedLines(data)
        expect(got.total()).toEqual(want.total())
      }),
      {numRuns: 100},
    )
  })

  it('Firestore mode keeps the document digest', () => {
    const lines: BackupLine[] = [{path: '/users/u1', value: {b: 1, a: 'x'}}, {path: '/users/u2', value: {c: [1, 2]}}]
    const want = KeyStatsBuilder.forKind('firestore')
    for (const l of lines) want.addLine(l)
    const got = KeyStatsBuilder.forKind('firestore')
    got.addEncodedLines(Buffer.from(lines.map((l) => `${JSON.stringify(l)}\n`).join('')))
    expect(got.total()).toEqual(want.total())
  })
})
