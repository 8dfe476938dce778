/**
 * Claims whose checks belong to capabilities not in this version yet. Each is reported as
 * unknown ("not checked"), never as holding. To wire one when its capability lands: move its
 * entry to its section's file and give it a `check` over a new port (see ../ports.ts).
 */
import type {ClaimDefinition, Section} from '../types.js'

export const NOT_AVAILABLE = 'not available in this version'

export function notChecked(id: string, section: Section, sentence: string, rerun: string, capability: string): ClaimDefinition {
  return {id, section, sentence: () => sentence, rerun, check: async () => ({status: 'unknown', detail: `not checked: ${NOT_AVAILABLE} (${capability})`})}
}

// Every claim of the document is wired now; a new one whose capability is not there yet goes here with notChecked().
export const pendingClaims: ClaimDefinition[] = []
