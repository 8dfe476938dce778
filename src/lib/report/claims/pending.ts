/**
 * Claims whose checks belong to capabilities not in this version yet. Each is reported as
 * unknown ("not checked"), never as holding. To wire one when its capability lands: move its
 * entry to its section's file and give it a `check` over a new port (see ../ports.ts).
 */
import type {ClaimDefinition, Section} from '../types.js'

export const NOT_AVAILABLE = 'not available in this version'

function notChecked(id: string, section: Section, sentence: string, rerun: string, capability: string): ClaimDefinition {
  return {id, section, sentence: () => sentence, rerun, check: async () => ({status: 'unknown', detail: `not checked: ${NOT_AVAILABLE} (${capability})`})}
}

export const pendingClaims: ClaimDefinition[] = [
  // issue 16 (frontend / edge): hook → a port over `impress edge check`
  notChecked('hosting.https-only', 'Hosting', 'The backends and the frontend are reachable over HTTPS only.', 'impress edge check', 'edge and frontend checks'),
  // issue 15 (access): hook → a port over `impress access review`
  notChecked('access.revocation', 'Access administration', "A leaver's access is revoked on every service on their last day, and each revocation is recorded in the audit log.", 'impress access review', 'access revocation'),
]
