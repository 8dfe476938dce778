/**
 * Full verification of the audit log: every line's hash, its link to the line before, its
 * number, its signature; the head file; and the acknowledgements (`impress audit acknowledge`)
 * that accept earlier problems. Pure: the caller reads the file and supplies the keys.
 */
import {createHash} from 'node:crypto'
import {entryBody, GENESIS, sha256, type AuditEntry, type AuditHead} from './chain.js'
import {sameMac, signEntry, signHead, type AuditKey} from './sign.js'

export interface AuditProblem {
  /** 1-based line the problem is at (the line after the last one for lines that are missing). */
  line: number
  reason: string
  /** The line of the acknowledgement that accepted it. */
  acknowledgedAt?: number
  /** For an anchor that does not match: when it was written (an acknowledgement made after it accepts it). */
  anchoredAt?: string
}

export interface Acknowledgement {
  line: number
  time: string
  by: string
  reason: string
  problems: number
}

export interface ChainReport {
  lines: number
  problems: AuditProblem[]
  /** Lines with a valid signature, lines with none, lines signed with a key that could not be read. */
  signed: number
  unsigned: number
  unchecked: number
  /** The highest line with a valid signature: it vouches for every line up to it. */
  signedThrough: number
  acknowledgements: Acknowledgement[]
  /** Per line: SHA-256 of its text, and the file size up to and including it (for anchors). */
  lineHashes: string[]
  lineEnds: number[]
}

/** Split the file into lines exactly as written: a blank or partial line is a line too. */
export function splitLog(text: string): string[] {
  if (text.length === 0) return []
  const parts = text.split('\n')
  if (parts.at(-1) === '') parts.pop()
  return parts
}

/** The key versions the lines and the head were signed with. */
export function keyIdsOf(lines: string[], head?: AuditHead): Set<string> {
  const kids = new Set<string>()
  if (head?.sig?.kid) kids.add(head.sig.kid)
  for (const text of lines) {
    const m = /"sig":\{"kid":"([^"]+)"/.exec(text)
    if (m) kids.add(m[1])
  }
  return kids
}

function parse(text: string): AuditEntry | undefined {
  try {
    const e = JSON.parse(text) as AuditEntry
    return typeof e === 'object' && e !== null && typeof e.hash === 'string' ? e : undefined
  } catch {
    return undefined
  }
}

/**
 * Check every line. With `keysReadable`, the store answered: a signature by a key version it
 * does not have is a problem (otherwise anyone could sign with a made-up version); without it,
 * signatures are counted as unchecked.
 */
export function checkChain(lines: string[], head: AuditHead | undefined, keys: ReadonlyMap<string, AuditKey>, keysReadable = keys.size > 0): ChainReport {
  const problems: AuditProblem[] = []
  const acknowledgements: Acknowledgement[] = []
  const lineHashes: string[] = []
  const lineEnds: number[] = []
  const digest = createHash('sha256')
  let prev = GENESIS
  let bytes = 0
  let signed = 0
  let unsigned = 0
  let unchecked = 0
  let signedThrough = 0
  let lastWithSig = 0
  for (const [i, text] of lines.entries()) {
    const n = i + 1
    const entry = parse(text)
    if (!entry) {
      problems.push({line: n, reason: text.trim() === '' ? 'is empty (a line was blanked)' : 'is not a valid audit entry (edited or truncated)'})
    } else {
      const contentOk = sha256(entryBody(entry)) === entry.hash
      if (!contentOk) problems.push({line: n, reason: 'was edited: its content does not match its hash'})
      if (entry.prev !== prev) {
        problems.push({line: n, reason: n === 1 ? 'does not start the chain (lines before it were removed)' : `does not follow line ${n - 1} (a line was removed, inserted or reordered)`})
      }
      if (entry.seq !== undefined && entry.seq !== n) problems.push({line: n, reason: `carries the number ${entry.seq} (lines before it were removed or inserted)`})
      let sigOk = false
      if (entry.sig) {
        lastWithSig = n
        const key = keys.get(entry.sig.kid)
        if (!key) {
          if (keysReadable) problems.push({line: n, reason: `is signed with key version ${entry.sig.kid}, which the secret store does not have (a made-up or deleted key)`})
          else unchecked++
        } else if (entry.seq !== undefined && sameMac(signEntry(key, entry.seq, entry.hash).mac, entry.sig.mac)) {
          sigOk = contentOk
          signed++
          if (sigOk) signedThrough = n
        } else {
          signed++
          problems.push({line: n, reason: 'has a signature that does not match it: it was rewritten by someone without the signing key'})
        }
      } else {
        unsigned++
      }
      // An acknowledgement counts when it is signed, or, with no key to check against, when nothing is.
      if (entry.ack && (sigOk || (!entry.sig && !keysReadable && contentOk))) {
        const before = digest.copy().digest('hex')
        if (before === entry.ack.prefixDigest) {
          let accepted = 0
          for (const p of problems) {
            if (p.acknowledgedAt === undefined && p.line < n) {
              p.acknowledgedAt = n
              accepted++
            }
          }
          acknowledgements.push({line: n, time: entry.time, by: entry.actor.user, reason: entry.ack.reason, problems: accepted})
        } else {
          problems.push({line: n, reason: 'acknowledges a log whose earlier lines have changed since (they differ from what was accepted)'})
        }
      }
    }
    digest.update(text + '\n')
    bytes += Buffer.byteLength(text) + 1
    prev = sha256(text)
    lineHashes.push(prev)
    lineEnds.push(bytes)
  }
  if (keysReadable && lastWithSig < lines.length) {
    // A signed line vouches for the unsigned ones before it; unsigned lines at the end are vouched for by nothing.
    problems.push({line: lastWithSig + 1, reason: lastWithSig === 0 ? 'starts a log in which no line is signed although a signing key is configured (signatures stripped, or a log from before signing: acknowledge it once)' : `starts ${lines.length - lastWithSig} unsigned line(s) at the end of the log (written while the key could not be read, or their signatures were stripped)`})
  }
  problems.push(...checkHead(lines.length, prev, bytes, head, keys, signedThrough > 0 && signedThrough === lines.length, keysReadable))
  return {lines: lines.length, problems, signed, unsigned, unchecked, signedThrough, acknowledgements, lineHashes, lineEnds}
}

function checkHead(count: number, last: string, bytes: number, head: AuditHead | undefined, keys: ReadonlyMap<string, AuditKey>, lastSigned: boolean, keysReadable: boolean): AuditProblem[] {
  if (!head) return count > 0 ? [{line: count, reason: 'has no head file beside it (the head was removed)'}] : []
  const out: AuditProblem[] = []
  if (head.lines > count) out.push({line: count + 1, reason: `is missing: the head records ${head.lines} lines (lines at the end were removed)`})
  else if (head.lines < count) out.push({line: head.lines + 1, reason: `is not in the head, which records ${head.lines} lines (lines were appended without it, or an append was interrupted)`})
  else if (head.last !== last) out.push({line: count, reason: 'does not match the recorded head (the last line was replaced)'})
  else if (head.bytes !== undefined && head.bytes !== bytes) out.push({line: count, reason: `ends a file of ${bytes} bytes, but the head records ${head.bytes}`})
  if (head.sig) {
    const key = keys.get(head.sig.kid)
    if (!key && keysReadable) out.push({line: Math.min(head.lines, count), reason: `is recorded by a head signed with key version ${head.sig.kid}, which the secret store does not have`})
    if (key && !sameMac(signHead(key, head).mac, head.sig.mac)) out.push({line: Math.min(head.lines, count), reason: 'is recorded by a head whose signature does not match: the head was rewritten by someone without the signing key'})
  } else if (lastSigned) {
    // The line and the head are signed by the same append: an unsigned head was written by hand.
    out.push({line: count, reason: 'is signed but the head is not (the head was rewritten)'})
  }
  return out
}
