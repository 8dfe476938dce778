/** ChunkWriter: lines written from values and from JSON bytes give the same NDJSON, across buffer and chunk boundaries. */
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {gunzipSync} from 'node:zlib'
import {afterEach, describe, expect, it} from 'vitest'
import {ChunkWriter} from '../../src/lib/firebase/chunk-writer.js'
import type {ChunkInfo, JsonValue} from '../../src/lib/firebase/format.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, {recursive: true, force: true})
})

async function writeAll(lines: {path: string; value: JsonValue}[], raw: boolean, chunkBytes: number): Promise<{dir: string; chunks: ChunkInfo[]; seen: Buffer[]}> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-chunks-'))
  dirs.push(dir)
  const chunks: ChunkInfo[] = []
  const seen: Buffer[] = []
  const w = new ChunkWriter(dir, 1, chunkBytes, async (c) => void chunks.push(c), (data) => void seen.push(Buffer.from(data)))
  for (const l of lines) {
    // The raw bytes sit inside a bigger answer, as a page's member does.
    const text = Buffer.from(`{"x":${JSON.stringify(l.value)},"y":1}`)
    const p = raw ? w.writeRaw(l.path, text, 5, text.length - 7) : w.write(l)
    if (p) await p
  }
  await w.close()
  return {dir, chunks, seen}
}

describe('ChunkWriter', () => {
  it('writes the same lines, chunks and SHA-256 from bytes (writeRaw) as from values (write), lines bigger than its buffer included', async () => {
    const big = 'é'.repeat(200_000) // 400 KB of UTF-8: more than the 256 KB buffer
    const lines = [
      ...Array.from({length: 3000}, (_, i) => ({path: `/a/k${i}`, value: {n: i, s: `v${i}`} as JsonValue})),
      {path: '/a/big', value: {text: big}},
      {path: '/b/"quoted"', value: [1, null, 'x']},
      ...Array.from({length: 10}, (_, i) => ({path: `/c/${i}`, value: i})),
    ]
    const fromValues = await writeAll(lines, false, 300_000)
    const fromBytes = await writeAll(lines, true, 300_000)
    expect(fromBytes.chunks.length).toBeGreaterThan(1)
    expect(fromBytes.chunks).toEqual(fromValues.chunks)
    const text = fromBytes.chunks.map((c) => {
      const file = fs.readFileSync(path.join(fromBytes.dir, c.file))
      expect(createHash('sha256').update(file).digest('hex')).toBe(c.sha256)
      expect(file.length).toBe(c.bytes)
      return gunzipSync(file).toString('utf8')
    }).join('')
    expect(text.split('\n').slice(0, -1).map((l) => JSON.parse(l))).toEqual(lines)
    // The digests are handed exactly the bytes that went into the chunks, whole lines each time.
    expect(Buffer.concat(fromBytes.seen).toString('utf8')).toBe(text)
    for (const piece of fromBytes.seen) expect(piece.at(-1)).toBe(10)
    expect(fromBytes.chunks[0].firstPath).toBe('/a/k0')
    expect(fromBytes.chunks.at(-1)?.lastPath).toBe('/c/9')
  })
})
