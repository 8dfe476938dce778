/**
 * SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/) for CI code-scanning
 * uploads: one rule per compliance rule, one result per finding, located at the member's
 * entry in team.yaml when there is one. Unknown outcomes are results too (kind "review").
 */
import path from 'node:path'
import {RULE_INFO, type Finding, type RuleId, type Severity} from './types.js'

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {critical: 'error', high: 'error', medium: 'warning', low: 'note'}

export interface SarifInput {
  findings: Finding[]
  rosterFile: string
  memberLines: Record<string, number>
  version: string
  /** Directory the artifact URIs are relative to (the CI checkout). */
  baseDir?: string
}

export function toSarif(input: SarifInput): Record<string, unknown> {
  const rules = [...new Set(input.findings.map((f) => f.rule))].sort() as RuleId[]
  const uri = path.relative(input.baseDir ?? process.cwd(), input.rosterFile).split(path.sep).join('/') || path.basename(input.rosterFile)
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'impress compliance',
            version: input.version,
            informationUri: 'https://impress.example/docs/compliance',
            rules: rules.map((id) => ({
              id,
              name: id.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: {text: RULE_INFO[id].title},
              help: {text: RULE_INFO[id].hint},
              defaultConfiguration: {level: LEVEL[RULE_INFO[id].severity]},
              properties: {severity: RULE_INFO[id].severity},
            })),
          },
        },
        results: input.findings.map((f) => {
          const line = f.member ? input.memberLines[f.member] : undefined
          return {
            ruleId: f.rule,
            ruleIndex: rules.indexOf(f.rule),
            kind: f.outcome === 'unknown' ? 'review' : 'fail',
            level: f.outcome === 'unknown' ? 'none' : LEVEL[f.severity],
            message: {text: `${f.message} ${f.hint}`},
            locations: [
              {
                physicalLocation: {artifactLocation: {uri}, ...(line ? {region: {startLine: line}} : {})},
                logicalLocations: [{name: `${f.service}/${f.account ?? f.member ?? 'account'}`, kind: 'member'}],
              },
            ],
            partialFingerprints: {impressFinding: `${f.rule}/${f.service}/${f.account ?? ''}/${f.member ?? ''}`},
            properties: {severity: f.severity, service: f.service, outcome: f.outcome, ...(f.member ? {member: f.member} : {}), ...(f.missingPermission ? {missingPermission: f.missingPermission} : {})},
          }
        }),
      },
    ],
  }
}
