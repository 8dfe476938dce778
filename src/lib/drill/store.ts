/** Where drill reports live: <dataDir>/drills/<id>/report.{json,md,html}; history reads them back. */
import fs from 'node:fs'
import path from 'node:path'
import {redactor} from '../redact.js'
import {reportHtml, reportMarkdown} from './report.js'
import type {DrillReport} from './run.js'

export function drillsDir(dataDir: string): string {
  return path.join(dataDir, 'drills')
}

/**
 * Write the three reports. The report is redacted first: a verification command's output is
 * quoted in it and may print a secret the tool knows.
 */
export function writeReports(dataDir: string, unsafe: DrillReport): {json: string; markdown: string; html: string} {
  const report = redactor.redactValue(unsafe)
  const dir = path.join(drillsDir(dataDir), report.id)
  fs.mkdirSync(dir, {recursive: true})
  const files = {json: path.join(dir, 'report.json'), markdown: path.join(dir, 'report.md'), html: path.join(dir, 'report.html')}
  fs.writeFileSync(files.json, JSON.stringify(report, null, 2) + '\n')
  fs.writeFileSync(files.markdown, reportMarkdown(report))
  fs.writeFileSync(files.html, reportHtml(report))
  return files
}

export function readHistory(dataDir: string): DrillReport[] {
  const dir = drillsDir(dataDir)
  if (!fs.existsSync(dir)) return []
  const out: DrillReport[] = []
  for (const id of fs.readdirSync(dir)) {
    try {
      out.push(JSON.parse(fs.readFileSync(path.join(dir, id, 'report.json'), 'utf8')) as DrillReport)
    } catch {
      // a drill killed before its report: `impress drill --cleanup` handles its resources
    }
  }
  return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt))
}
