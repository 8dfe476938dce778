/** The mutating commands the reliability campaign runs under faults, each with the state that must come out the same. */
import type {HarnessRun, Scenario} from './harness.js'

interface LambdaFn {
  name: string
  versions: string[]
  versionCode: Record<string, string>
  aliases: Record<string, string | {version: string; weights: Record<string, number>}>
}

const lambdaFns = async (h: HarnessRun) => (await h.platform()).lambda as {functions: LambdaFn[]}
const aliasOf = (f: LambdaFn | undefined, alias = 'live') => {
  const a = f?.aliases[alias]
  return typeof a === 'string' ? a : a?.version
}

/** The code behind a function's live alias (its SHA-256): version numbers may differ between runs, the code served may not. */
async function liveCode(h: HarnessRun, fn: string): Promise<{alias: string; sha: string | undefined}> {
  const f = (await lambdaFns(h)).functions.find((x) => x.name === fn)
  const version = aliasOf(f)
  return {alias: 'live', sha: version ? f?.versionCode[version] : undefined}
}

export const deployScenario: Scenario = {
  name: 'deploy etl',
  args: ['deploy', 'etl', '--yes'],
  services: ['lambda'],
  // a fresh workspace holds the demo sources, whose code differs from the seeded functions': the deploy has work to do
  fingerprint: (h) => liveCode(h, 'impress-etl'),
}

export const rollbackScenario: Scenario = {
  name: 'rollback etl',
  args: ['rollback', 'etl', '--yes'],
  services: ['lambda'],
  fingerprint: async (h) => aliasOf((await lambdaFns(h)).functions.find((f) => f.name === 'impress-etl')),
}

export const rolesApplyScenario: Scenario = {
  name: 'roles apply',
  args: ['roles', 'apply', '--yes'],
  services: ['auth0'],
  async fingerprint(h) {
    const r = await h.cli(['roles', 'plan', '--json'])
    const doc = JSON.parse(r.stdout) as {summary: {changes: number}; drift: boolean}
    return {exit: r.exitCode, drift: doc.drift, changes: doc.summary.changes}
  },
}

export const SCENARIOS: Scenario[] = [deployScenario, rollbackScenario, rolesApplyScenario]
