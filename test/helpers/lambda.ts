/** Helpers of the Lambda end-to-end tests: the built-in workspace's sources and the audit log of a test sandbox. */
import fs from 'node:fs'
import path from 'node:path'
import type {TestSandbox} from './sandbox.js'

export interface AuditLine {
  command: string
  result: string
  exitCode: number
  details?: Record<string, unknown>
}

/** Replace a module's handler in the built-in sandbox environment's workspace. */
export function writeHandler(sb: TestSandbox, module: string, code: string): void {
  const file = path.join(sb.home, 'workspace', 'lambda', module, 'src', 'index.js')
  fs.mkdirSync(path.dirname(file), {recursive: true})
  fs.writeFileSync(file, code)
}

/** Every line of the sandbox home's audit log. */
export function auditLines(sb: TestSandbox): AuditLine[] {
  return fs
    .readFileSync(path.join(sb.home, 'audit.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditLine)
}
