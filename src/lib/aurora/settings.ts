/** The aurora section of the selected environment, or a configuration error naming it. */
import os from 'node:os'
import {ConfigError} from '../errors.js'
import type {LoadedEnvironment} from '../config/load.js'

export interface AuroraSettings {
  cluster: string
  retentionDays: number
  maxReplicaLagMs: number
  keepNewest: number
}

export function auroraSettings(env: LoadedEnvironment): AuroraSettings {
  const a = env.config.aurora
  if (!a) {
    throw new ConfigError(`The environment "${env.name}" has no aurora section.`, {hint: 'Add aurora: {cluster: NAME} to it in impress.config.yaml.', details: {path: `environments.${env.name}.aurora`}})
  }
  return {cluster: a.cluster, retentionDays: a.retentionDays, maxReplicaLagMs: a.maxReplicaLagMs, keepNewest: a.keepNewest}
}

/** Who acts, for tags: the AWS caller when known, else user@host. */
export function actorName(aws: string | undefined): string {
  if (aws) return aws
  let user = process.env.USER ?? 'unknown'
  try {
    user = os.userInfo().username
  } catch {
    // keep the environment's
  }
  return `${user}@${os.hostname()}`
}
