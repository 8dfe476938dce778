/** Byte-level JSON scanning (src/lib/firebase/json-scan.ts) against JSON.parse, on generated text. */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {decodeString, hasNoLineBreak, JsonScanError, objectMembers, shapeAt, skipValue, skipWs, trimValue} from '../../src/lib/firebase/json-scan.js'

/** JSON text of a value with arbitrary whitespace between tokens and arbitrary (valid) escapes. */
const ws = fc.constantFrom('', '', '', ' ', '\n', '\t ', '\r\n  ')
const str = fc.oneof(fc.string({maxLength: 12}), fc.string({unit: 'binary', maxLength: 6}), fc.constantFrom('a"b', 'back\\slash', 'é', '\u2028', 'line\nbreak', '{[,:]}'))
const encodedString = fc.tuple(str, fc.boolean()).map(([s, escapeAll]) =>
  escapeAll ? `"${[...s].map((ch) => (ch.length === 1 ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : JSON.stringify(ch).slice(1, -1))).join('')}"` : JSON.stringify(s),
)
const scalar = fc.oneof(encodedString, fc.integer().map(String), fc.constantFrom('1.0', '-0', '1e3', '2.5E-2', 'true', 'false', 'null'))
const text: fc.Arbitrary<string> = fc.letrec((tie) => ({
  value: fc.oneof({depthSize: 'small', withCrossShrink: true}, scalar, tie('object'), tie('array')),
  object: fc.tuple(fc.array(fc.tuple(encodedString, ws, ws, tie('value') as fc.Arbitrary<string>, ws), {maxLength: 6}), ws).map(([ms, w]) => `{${w}${ms.map(([k, a, b, v, c]) => `${k}${a}:${b}${v}${c}`).join(',')}}`),
  array: fc.tuple(fc.array(fc.tuple(ws, tie('value') as fc.Arbitrary<string>, ws), {maxLength: 5}), ws).map(([vs, w]) => `[${w}${vs.map(([a, v, b]) => `${a}${v}${b}`).join(',')}]`),
})).value as fc.Arbitrary<string>
const objectText = fc.tuple(fc.array(fc.tuple(encodedString, ws, text), {maxLength: 8}), ws, ws).map(([ms, a, b]) => `${a}{${ms.map(([k, w, v]) => `${k}${w}:${w}${v}`).join(',')}}${b}`)

describe('json-scan', () => {
  it('skipValue ends exactly where the value ends, whatever follows', () => {
    fc.assert(
      fc.property(text, fc.constantFrom('', ',1', '}', ']', ' ,"x"'), (t, rest) => {
        const b = Buffer.from(t + rest)
        const end = skipValue(b, 0, b.length)
        expect(b.toString('utf8', 0, end)).toBe(t)
        expect(JSON.parse(b.toString('utf8', 0, end))).toEqual(JSON.parse(t))
      }),
      {numRuns: 400},
    )
  })

  it('objectMembers gives every key (decoded) and a slice that parses to its value, in written order', () => {
    fc.assert(
      fc.property(objectText, (t) => {
        const b = Buffer.from(t)
        const members = objectMembers(b, 0, b.length)
        // JSON.parse keeps the last of duplicate keys and reorders integer-like keys: compare as entries.
        const parsed = JSON.parse(t) as Record<string, unknown>
        const fromScan = new Map(members.map((m) => [m.key, JSON.parse(b.toString('utf8', m.start, m.end))]))
        expect(Object.fromEntries(fromScan)).toEqual(parsed)
        for (const m of members) expect(skipWs(b, m.start, m.end)).toBe(m.start)
      }),
      {numRuns: 400},
    )
  })

  it('rejects text that is not one object, with the byte where it broke', () => {
    for (const bad of ['[1]', '{"a" 1}', '{"a":1,}', '{"a":1} x', '{"a":1', '{a:1}', '{"a":}', '{"a":"x}']) {
      const b = Buffer.from(bad)
      expect(() => objectMembers(b, 0, b.length), bad).toThrow(JsonScanError)
    }
  })

  it('knows the shape of a value and trims around it', () => {
    const b = Buffer.from('  {"a":1}\n')
    const r = trimValue(b, 0, b.length)
    expect(b.toString('utf8', r.start, r.end)).toBe('{"a":1}')
    expect([shapeAt(b, r.start), shapeAt(Buffer.from('[1]'), 0), shapeAt(Buffer.from('"s"'), 0), shapeAt(Buffer.from('null'), 0), shapeAt(Buffer.from('12'), 0)]).toEqual(['object', 'array', 'string', 'null', 'scalar'])
  })

  it('decodes keys with and without escapes; finds line breaks only where there are some', () => {
    const k = Buffer.from('"\\u00e9t\\u00e9\\"x"')
    expect(decodeString(k, 0, k.length)).toBe('été"x')
    const plain = Buffer.from('"clé"')
    expect(decodeString(plain, 0, plain.length)).toBe('clé')
    expect(hasNoLineBreak(Buffer.from('{"a":"\\n"}'))).toBe(true)
    expect(hasNoLineBreak(Buffer.from('{"a":\n1}'))).toBe(false)
    expect(hasNoLineBreak(Buffer.from('{"a":\r1}'))).toBe(false)
  })
})

describe('objectMembers with a limit', () => {
  it('stops after that many members without scanning the rest; fewer members come back whole', () => {
    // the tail is not valid JSON: a scan past the limit would throw
    const wide = Buffer.from('{"a":true,"b":{"x":1},"c":true,"d":BROKEN')
    expect(objectMembers(wide, 0, wide.length, 3).map((m) => m.key)).toEqual(['a', 'b', 'c'])
    expect(() => objectMembers(wide, 0, wide.length)).toThrow()
    const few = Buffer.from('{"a":true,"b":"v"}')
    const all = objectMembers(few, 0, few.length, 3)
    expect(all.map((m) => [m.key, few.toString('utf8', m.start, m.end)])).toEqual([['a', 'true'], ['b', '"v"']])
    // exactly the limit, then the end: the object is still checked to its end
    const bad = Buffer.from('{"a":1,"b":2} trailing')
    expect(() => objectMembers(bad, 0, bad.length, 2)).toThrow(/Unexpected data after the object/)
  })
})
