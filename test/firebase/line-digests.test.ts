/** The worker-thread digests (the bundle's worker, as the CLI runs them) equal the in-thread KeyStatsBuilder. */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {KeyStatsBuilder, type BackupLine, type JsonValue} from '../../src/lib/firebase/format.js'
import {startLineDigests} from '../../src/lib/firebase/line-digests.js'

const workerUrl = new URL('../../dist/bundle/lib/firebase/digest-worker.js', import.meta.url)
const key = fc.stringMatching(/^[a-z0-9_-]{1,5}$/)
const leaf = fc.oneof(fc.string({maxLength: 12}), fc.integer(), fc.boolean())
const value = fc.oneof(leaf, fc.dictionary(key, fc.oneof(leaf, fc.dictionary(key, leaf, {minKeys: 1, maxKeys: 4})), {minKeys: 1, maxKeys: 6})) as fc.Arbitrary<JsonValue>
const lines = fc.array(fc.record({top: fc.constantFrom('a', 'b', '1', 'é'), rest: key, value}), {minLength: 1, maxLength: 40})

describe('line digests', () => {
  it('gives the same per-key counts and digests on the worker (lines fed encoded or as values) as on the calling thread', async () => {
    await fc.assert(
      fc.asyncProperty(lines, fc.integer({min: 0, max: 40}), async (ls, split) => {
        const backupLines: BackupLine[] = ls.map((l) => ({path: `/${l.top}/${l.rest}`, value: l.value}))
        const expected = new KeyStatsBuilder()
        for (const l of backupLines) expected.addLine(l)
        const d = startLineDigests(workerUrl)
        expect(d.encoded).toBe(true) // the worker runs (dist is built before the tests)
        try {
          // The first lines as values (a resumed backup reads them back), the rest encoded in two pieces.
          for (const l of backupLines.slice(0, split)) await d.addLine(l)
          const rest = backupLines.slice(split).map((l) => `${JSON.stringify(l)}\n`)
          const half = Math.floor(rest.length / 2)
          await d.addEncoded(Buffer.from(rest.slice(0, half).join('')))
          await d.addEncoded(Buffer.from(rest.slice(half).join('')))
          const r = await d.result()
          expect(r.keys).toEqual(expected.snapshot())
          expect(r.total).toEqual(expected.total())
        } finally {
          d.close()
        }
      }),
      {numRuns: 25},
    )
  })

  it('digests on the calling thread when the worker module is not there', async () => {
    const d = startLineDigests(new URL('./no-such-worker.js', import.meta.url))
    expect(d.encoded).toBe(false)
    await d.addLine({path: '/a/b', value: {x: 1}})
    await d.addEncoded(Buffer.from(`${JSON.stringify({path: '/a/c', value: 'y'})}\n`))
    const r = await d.result()
    expect(r.total.count).toBe(2)
    expect(r.keys.a.lines).toBe(2)
  })
})
