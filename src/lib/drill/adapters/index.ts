/**
 * Builds the drill's ports for an environment from the capabilities it has configured.
 * A section missing from the configuration means that part is not rehearsed (the plan says so).
 */
import type {Context} from '../../context.js'
import type {DrillPorts} from '../ports.js'
import {auroraDrillPort} from './aurora.js'
import {shellRunner} from './commands.js'
import {firebaseDrillPort} from './firebase.js'
import {firestoreDrillPort} from './firestore.js'
import {incidentDrillPort} from './incident.js'
import {lambdaDrillPort} from './lambda.js'

/** `incidentModule`: the module the incident rehearsal (monitor test) makes fail (default: the first). */
export async function buildDrillPorts(ctx: Context, o: {incidentModule?: string} = {}): Promise<DrillPorts> {
  const [aurora, firebase, firestore, lambda, incident] = await Promise.all([auroraDrillPort(ctx), firebaseDrillPort(ctx, ctx.version), firestoreDrillPort(ctx, ctx.version), lambdaDrillPort(ctx), incidentDrillPort(ctx, o.incidentModule)])
  return {
    ...(aurora ? {aurora} : {}),
    ...(firebase ? {firebase} : {}),
    ...(firestore ? {firestore} : {}),
    ...(lambda ? {lambda} : {}),
    ...(incident ? {incident} : {}),
    commands: shellRunner(ctx.env.baseDir),
    now: () => new Date(),
  }
}
