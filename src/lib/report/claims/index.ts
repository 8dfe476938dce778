/**
 * The claim registry: the security document, sentence by sentence. Adding a claim is one
 * entry in its section's file (id, section, sentence, rerun command, check over the ports).
 */
import type {ClaimDefinition} from '../types.js'
import {accessClaims} from './access.js'
import {auditabilityClaims} from './auditability.js'
import {authenticationClaims} from './authentication.js'
import {companyClaims} from './company.js'
import {databaseClaims} from './database.js'
import {encryptionClaims} from './encryption.js'
import {hostingClaims} from './hosting.js'
import {incidentClaims} from './incidents.js'
import {monitoringClaims} from './monitoring.js'
import {pendingClaims} from './pending.js'

export const CLAIMS: ClaimDefinition[] = [...authenticationClaims, ...databaseClaims, ...encryptionClaims, ...hostingClaims, ...accessClaims, ...incidentClaims, ...monitoringClaims, ...auditabilityClaims, ...companyClaims, ...pendingClaims]
