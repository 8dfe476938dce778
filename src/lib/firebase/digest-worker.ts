/**
 * Worker thread side of line-digests.ts: receives NDJSON (whole lines, as bytes or text) and
 * adds them to a KeyStatsBuilder (from the bytes, without JSON.parse: see leaf-bytes.ts);
 * acknowledges each message (the sender bounds what is in flight) and answers the final
 * per-key stats when asked.
 */
import {parentPort} from 'node:worker_threads'
import {KeyStatsBuilder} from './format.js'
import type {DigestMessage} from './line-digests.js'

const stats = new KeyStatsBuilder()

parentPort!.on('message', (m: DigestMessage) => {
  if (m.kind === 'end') {
    parentPort!.postMessage({kind: 'result', keys: stats.snapshot(), total: stats.total()})
    return
  }
  stats.addEncodedLines(typeof m.data === 'string' ? Buffer.from(m.data) : m.data)
  parentPort!.postMessage({kind: 'ack', bytes: m.bytes})
})
