/** Shared helpers for the Aurora end-to-end tests. */
import fs from 'node:fs'
import path from 'node:path'
import {getJson} from '../helpers/http.js'
import type {TestSandbox} from '../helpers/sandbox.js'

export const MUTATING = /^(Create|Delete|Modify|Restore|AddTags|RemoveTags)/

export interface PlatformCluster {
  id: string
  resourceId: string
  status: string
  instances: {id: string; status: string; class: string}[]
  restoredFrom?: {cluster: string; resourceId: string; time: string}
}

export async function clusters(sb: TestSandbox): Promise<PlatformCluster[]> {
  return (await getJson(`${sb.url}/_sandbox/platform`)).rds.clusters
}

export async function rdsCounts(sb: TestSandbox): Promise<Record<string, number>> {
  return (await getJson(`${sb.url}/_sandbox/requests?service=rds`)).counts.rds ?? {}
}

export function journalDir(sb: TestSandbox): string {
  return path.join(sb.home, 'data', 'sandbox', 'journals', 'aurora-rollback')
}

/** The journal documents of the sandbox environment's rollbacks. */
export function journals(sb: TestSandbox): {id: string; status: string; steps: {name: string; status: string}[]}[] {
  const dir = journalDir(sb)
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      try {
        return JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))
      } catch {
        return undefined
      }
    })
    .filter(Boolean)
}

/** A fresh demo platform, no journals, no locks, no request counts. */
export async function fresh(sb: TestSandbox): Promise<void> {
  sb.host.reset()
  fs.rmSync(path.join(sb.home, 'data'), {recursive: true, force: true})
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
