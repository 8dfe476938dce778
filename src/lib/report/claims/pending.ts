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
  // issue 21 (monitoring): hook → a port over `impress monitor alarms`
  notChecked('incidents.alarms', 'Incidents', 'Alarms watch every module and the database, and reach the notification targets.', 'impress monitor alarms', 'monitoring alarms'),
]
