// Per-key digest micro-bench: the digest worker's work on ~SIZE_MB of NDJSON lines shaped like
// bench/firebase-rtdb.mjs's (`{"path":"/bench/items/i00000001","value":{"f0":1,"f1":"xxxx…1",…}}`),
// fed as 256 KB messages (ChunkWriter's buffer), through the old path (TextDecoder.decode +
// JSON.parse + KeyStatsBuilder.addLine per line, as digest-worker.ts did) and the byte path
// (KeyStatsBuilder.addEncodedLines). Prints MB/s, CPU (user+sys) per path, and checks the two
// give the same digests.
// Run (after npm run build): SIZE_MB=100 node bench/firebase-digest.mjs   (ROUNDS=3 by default; the best round is reported)
import {performance} from 'node:perf_hooks'
import {TextDecoder} from 'node:util'

const {KeyStatsBuilder} = await import(new URL('../dist/lib/firebase/format.js', import.meta.url).href)

const SIZE_MB = Number(process.env.SIZE_MB ?? 100)
const ROUNDS = Number(process.env.ROUNDS ?? 3)
const ITEM_LEAVES = 10
const ITEM_BYTES = 1000
const MESSAGE_BYTES = 256 * 1024

// The lines, in 256 KB messages of whole lines.
const filler = 'x'.repeat(ITEM_BYTES / ITEM_LEAVES - 12)
const items = Math.round((SIZE_MB * 1024 * 1024) / ITEM_BYTES)
const messages = []
let pending = []
let pendingBytes = 0
let total = 0
for (let i = 0; i < items; i++) {
  const value = {}
  for (let f = 0; f < ITEM_LEAVES; f++) value[`f${f}`] = f === 0 ? i : `${filler}${i}`
  const line = `${JSON.stringify({path: `/bench/items/i${String(i).padStart(8, '0')}`, value})}\n`
  pending.push(line)
  pendingBytes += line.length
  if (pendingBytes >= MESSAGE_BYTES || i === items - 1) {
    const m = Buffer.from(pending.join(''))
    messages.push(m)
    total += m.length
    pending = []
    pendingBytes = 0
  }
}

const decoder = new TextDecoder()
const paths = {
  // digest-worker.ts before: decode each message, JSON.parse each line, leafText + hash.update per line.
  old(stats, data) {
    const text = decoder.decode(data)
    let start = 0
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      if (nl > start) stats.addLine(JSON.parse(text.slice(start, nl)))
      start = nl + 1
    }
  },
  bytes(stats, data) {
    stats.addEncodedLines(data)
  },
}

const run = (name) => {
  const stats = new KeyStatsBuilder()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  for (const m of messages) paths[name](stats, m)
  const result = stats.total()
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  return {ms, cpuMs: (cpu.user + cpu.system) / 1000, result, fallbacks: stats.fallbackLines}
}

const mb = total / (1024 * 1024)
console.log(`${mb.toFixed(1)} MB of NDJSON, ${items.toLocaleString('en-US')} lines, ${(items * ITEM_LEAVES).toLocaleString('en-US')} leaves, ${messages.length} messages; best of ${ROUNDS} rounds`)
const best = {}
for (let r = 0; r < ROUNDS; r++) {
  for (const name of ['old', 'bytes']) {
    const x = run(name)
    if (!best[name] || x.cpuMs < best[name].cpuMs) best[name] = x
  }
}
for (const name of ['old', 'bytes']) {
  const x = best[name]
  console.log(`${name.padEnd(6)} ${x.ms.toFixed(0).padStart(6)} ms wall, ${(mb / (x.ms / 1000)).toFixed(0).padStart(4)} MB/s, ${x.cpuMs.toFixed(0).padStart(6)} ms CPU (${(x.cpuMs / mb).toFixed(2)} ms/MB), fallback lines ${x.fallbacks}`)
}
console.log(`CPU per MB: ${(best.old.cpuMs / best.bytes.cpuMs).toFixed(2)}x less on the byte path`)
if (best.old.result.digest !== best.bytes.result.digest || best.old.result.count !== best.bytes.result.count) {
  console.error('DIGESTS DIFFER', best.old.result, best.bytes.result)
  process.exit(1)
}
console.log(`same digests (${best.bytes.result.count.toLocaleString('en-US')} leaves, ${best.bytes.result.digest.slice(0, 16)}…)`)
