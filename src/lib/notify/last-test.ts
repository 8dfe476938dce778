/**
 * The record of the last `impress notify test`: when it ran and what each channel answered,
 * kept as one JSON file in the environment's data directory (the security report states
 * when a test last reached every target). Errors in the record are already redacted.
 */
import fs from 'node:fs'
import path from 'node:path'
import type {ChannelResult} from './notify.js'

export interface NotifyTestRecord {
  at: string
  channels: ChannelResult[]
}

export function lastTestFile(dataDir: string): string {
  return path.join(dataDir, 'notify-last-test.json')
}

export function recordTest(dataDir: string, channels: ChannelResult[], at = new Date()): NotifyTestRecord {
  const record: NotifyTestRecord = {at: at.toISOString(), channels}
  const file = lastTestFile(dataDir)
  fs.mkdirSync(dataDir, {recursive: true})
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 2) + '\n')
  fs.renameSync(`${file}.tmp`, file)
  return record
}

/** The last test, or undefined when none was recorded (or the record is unreadable). */
export function readLastTest(dataDir: string): NotifyTestRecord | undefined {
  try {
    const r = JSON.parse(fs.readFileSync(lastTestFile(dataDir), 'utf8')) as NotifyTestRecord
    return typeof r.at === 'string' && Array.isArray(r.channels) ? r : undefined
  } catch {
    return undefined
  }
}
