/** Auditability: the audit log's hash chain, its signatures and its anchors (what `impress audit verify` checks). */
import type {ClaimDefinition} from '../types.js'

export const auditabilityClaims: ClaimDefinition[] = [
  {
    id: 'audit.chain',
    section: 'Auditability',
    sentence: () => 'Every operation that changes the platform is recorded in a hash-chained, signed audit log whose head is anchored outside the machine, and the log verifies.',
    rerun: 'impress audit verify',
    async check(ports) {
      const v = await ports.audit()
      const facts = [
        `signatures: ${v.signatures.status}${v.signatures.error ? ` (${v.signatures.error})` : ''}`,
        `anchors: ${v.anchors.status}, lines 1-${v.anchors.coveredThrough} covered of ${v.lines}`,
      ]
      if (!v.ok) return {status: 'fails', detail: `the log does not verify at line ${v.break?.line}: ${v.break?.reason}`, facts: [`${v.lines} line(s) in the log`, ...facts]}
      if (v.signatures.status === 'unavailable' || v.anchors.status === 'unavailable') return {status: 'unknown', detail: 'the chain verifies but its signatures or anchors could not be checked', facts}
      return {status: 'holds', detail: `the log verifies: ${v.lines} recorded operation(s)`, facts}
    },
  },
]
