import fs from 'node:fs'
import {Flags} from '@oclif/core'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import {ViolationError} from '../../lib/errors.js'
import {redactor} from '../../lib/redact.js'
import {CLAIMS} from '../../lib/report/claims/index.js'
import {checkOutPath, chooseFormat, FORMATS, sarifBeside} from '../../lib/report/output.js'
import {chromiumMissing, findChromium, htmlToPdf} from '../../lib/report/pdf.js'
import {renderHtml, renderJson, renderMarkdown} from '../../lib/report/render.js'
import {runReport} from '../../lib/report/run.js'
import type {SecurityReport} from '../../lib/report/types.js'
import {reportPorts, reportSettings} from '../../lib/report/wiring.js'

export default class ReportSecurity extends ImpressCommand<typeof ReportSecurity> {
  static override summary = "Regenerate the company's security document from live checks: every claim holds, fails or could not be checked."
  static override description =
    'Runs the checks of every claim concurrently through the existing capabilities (roles, Aurora, Firebase, Lambda, compliance, drills, audit log, notifications). Without --out the document goes to stdout (Markdown or JSON); with --out, a SARIF file of the compliance findings is written beside it as evidence. Exit 3 with --check when a claim fails or could not be checked.'
  static override examples = [
    '<%= config.bin %> report security',
    '<%= config.bin %> report security --format html --out security.html',
    '<%= config.bin %> report security --format pdf --out security.pdf',
    '<%= config.bin %> report security --check --json',
  ]
  static override flags = {
    format: Flags.string({description: 'Document format (default: from --out\'s extension, else md).', options: [...FORMATS]}),
    out: Flags.string({description: 'Write the document to this file (checked before any check runs).'}),
    check: Flags.boolean({description: 'Exit 3 when any claim fails or could not be checked.'}),
  }

  async run(): Promise<SecurityReport> {
    const format = chooseFormat(this.flags.format, this.flags.out)
    const file = checkOutPath(this.flags.out, format)
    const chromium = format === 'pdf' ? (findChromium() ?? this.fail(chromiumMissing())) : undefined
    const sarifFile = file ? sarifBeside(file) : undefined
    this.io.info(`Checking ${CLAIMS.length} claims on ${this.ctx.env.name}…`)
    const report = await runReport({settings: reportSettings(this.ctx, {sarifFile}), version: this.config.version, claims: CLAIMS, signal: this.signal}, reportPorts(this.ctx, {sarifFile}))
    const text = redactor.redactText(format === 'json' ? renderJson(report) : format === 'md' ? renderMarkdown(report) : renderHtml(report))
    if (file && chromium) await htmlToPdf(text, file, {chromium, signal: this.signal})
    else if (file) fs.writeFileSync(file, text)
    else if (!this.io.json) this.io.out(text.trimEnd())
    if (file) this.io.info(`Wrote ${file}${sarifFile && fs.existsSync(sarifFile) ? ` (evidence: ${sarifFile})` : ''}.`)
    const s = report.summary
    this.io.info(`${s.holds} of ${s.claims} claims hold; ${s.fails} fail; ${s.unknown} could not be checked (${report.wallMs} ms).`)
    if (this.flags.check && s.fails + s.unknown > 0) {
      const named = [...s.failing.map((id) => `${id} (fails)`), ...s.unknownIds.map((id) => `${id} (not checked)`)]
      this.concludeWith(new ViolationError(`${s.fails + s.unknown} claim(s) do not hold: ${named.join(', ')}.`, {code: 'E_REPORT_CHECK', hint: 'Each claim names the command that reruns its check; fix what fails, then regenerate the report.'}))
    }
    return report
  }

  private fail(error: Error): never {
    throw error
  }
}
