/** Auditability: the audit log's hash chain. */
import type {ClaimDefinition} from '../types.js'

export const auditabilityClaims: ClaimDefinition[] = [
  {
    id: 'audit.chain',
    section: 'Auditability',
    sentence: () => 'Every operation that changes the platform is recorded in a hash-chained audit log, and the chain verifies.',
    rerun: 'impress audit verify',
    async check(ports) {
      const v = await ports.audit()
      return v.ok
        ? {status: 'holds', detail: `the chain verifies: ${v.lines} recorded operation(s)`}
        : {status: 'fails', detail: `the chain breaks at line ${v.break?.line}: ${v.break?.reason}`, facts: [`${v.lines} line(s) in the log`]}
    },
  },
]
