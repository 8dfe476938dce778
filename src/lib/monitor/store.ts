/** The last `monitor test` result, kept under the environment's data directory (read by `monitor status`, the drill and reports). */
import fs from 'node:fs'
import path from 'node:path'
import type {RehearsalResult} from './rehearsal.js'

const file = (dataDir: string) => path.join(dataDir, 'monitor', 'last-test.json')

export function readLastTest(dataDir: string): RehearsalResult | undefined {
  try {
    return JSON.parse(fs.readFileSync(file(dataDir), 'utf8')) as RehearsalResult
  } catch {
    return undefined
  }
}

export function writeLastTest(dataDir: string, r: RehearsalResult): void {
  const f = file(dataDir)
  fs.mkdirSync(path.dirname(f), {recursive: true})
  fs.writeFileSync(`${f}.tmp`, JSON.stringify(r, null, 2))
  fs.renameSync(`${f}.tmp`, f)
}
