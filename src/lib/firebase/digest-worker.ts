/**
 * Worker thread side of line-digests.ts: receives NDJSON text (whole lines), parses each line
 * and adds it to a KeyStatsBuilder; acknowledges each message (the sender bounds what is in
 * flight) and answers the final per-key stats when asked.
 */
import {parentPort} from 'node:worker_threads'
import {KeyStatsBuilder, type BackupLine} from './format.js'
import type {DigestMessage} from './line-digests.js'

const stats = new KeyStatsBuilder()
const decoder = new TextDecoder()

parentPort!.on('message', (m: DigestMessage) => {
  if (m.kind === 'end') {
    parentPort!.postMessage({kind: 'result', keys: stats.snapshot(), total: stats.total()})
    return
  }
  const text = typeof m.data === 'string' ? m.data : decoder.decode(m.data)
  let start = 0
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
    if (nl > start) stats.addLine(JSON.parse(text.slice(start, nl)) as BackupLine)
    start = nl + 1
  }
  parentPort!.postMessage({kind: 'ack', bytes: m.bytes})
})
