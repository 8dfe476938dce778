/**
 * The compliance rule `edge-https-only`: every configured public hostname is HTTPS-only, as
 * `impress edge check` proves it (src/lib/edge/check.ts, not re-implemented here). One finding
 * per hostname: fail when a check failed, unknown when one could not be made.
 */
import type {EdgeCheckReport} from '../edge/check.js'
import {RULE_INFO, type Finding} from './types.js'

export function edgeFindings(report: EdgeCheckReport): Finding[] {
  const {severity, hint} = RULE_INFO['edge-https-only']
  return report.hosts.flatMap((h): Finding[] => {
    const failed = h.checks.filter((c) => c.status === 'fail')
    const unknown = h.checks.filter((c) => c.status === 'unknown')
    const list = (cs: typeof failed) => cs.map((c) => `${c.id} (${c.detail})`).join('; ')
    if (failed.length > 0) return [{rule: 'edge-https-only', outcome: 'fail', severity, service: 'edge', account: h.hostname, message: `${h.hostname} is not HTTPS-only: ${list(failed)}`, hint}]
    if (unknown.length > 0) return [{rule: 'edge-https-only', outcome: 'unknown', severity, service: 'edge', account: h.hostname, message: `${h.hostname} could not be fully checked: ${list(unknown)}`, hint}]
    return []
  })
}

/** The rule's findings, or one unknown finding when the edge check could not run at all. */
export async function edgeRule(run: () => Promise<EdgeCheckReport>, describe: (error: unknown) => string): Promise<{findings: Finding[]; hosts: number; error?: string}> {
  try {
    const report = await run()
    return {findings: edgeFindings(report), hosts: report.summary.hosts}
  } catch (error) {
    const message = describe(error)
    return {findings: [{rule: 'edge-https-only', outcome: 'unknown', severity: RULE_INFO['edge-https-only'].severity, service: 'edge', message: `The edge check could not run: ${message}`, hint: RULE_INFO['edge-https-only'].hint}], hosts: 0, error: message}
  }
}
